"""The screens of the terminal UI: thin — they show, collect and call the ledger."""
