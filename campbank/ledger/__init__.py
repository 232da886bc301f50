"""The bank itself: storage, the season in force, write actions and read views. No UI code lives here."""
