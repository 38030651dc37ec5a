"""Ontwikkelgesprek: development talks in Microsoft Teams and Outlook.

After the guide "Handvatten ontwikkelingsgesprek" (werkpleklerenindetechniek.nl).
"""
