"""The JSON API at /api/v1: bearer tokens, a person's own account, students, transfers, transactions,
exports. Every endpoint calls the ledger, which checks permissions and validates; this package only
translates HTTP to ledger calls and ledger errors to HTTP."""
