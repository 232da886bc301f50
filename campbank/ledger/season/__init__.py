"""The season: reading and checking a season file, and the season in force stored in the database."""
