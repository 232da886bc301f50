"""The read side of the manager's and staff's reports: plain frozen dataclasses, integer cents, no UI.

One module per concern: `statistics` (market statistics), `balance_report` and `study_report` (per
squad), `transactions` (the paged table of all transactions and a streaming iterator for exports),
`staff` (net issued per staff member), and `xlsx` (the workbook the manager exports). Every entry point
checks the viewer's permission itself (SPEC §2), whoever calls it.
"""
