"""Ontwikkelgesprek: development talks in Microsoft Teams and Outlook, after the guide "Handvatten ontwikkelingsgesprek"."""
