"""The bank itself: storage, money, season rules, posting, users. No UI code lives here."""
