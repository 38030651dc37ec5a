"""Microsoft Teams: the signed talk's Adaptive Card (card.py) and posting it to the meeting
chat as the signed-in user through Microsoft Graph (chat.py)."""
