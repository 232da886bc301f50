"""The ground both the rules and the ledger stand on: money, errors, enums and the season model.

No database, no clock, no UI."""
