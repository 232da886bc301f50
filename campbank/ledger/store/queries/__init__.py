"""Every statement the ledger writes in SQL rather than through the ORM, grouped by concern.

Views and actions call these functions and get plain values back (dates as `date`, times as
`datetime`); none of them sees SQL text. SQLite is the only dialect today: a second database means
a second spelling of these modules, and nothing above `store/` changes.
"""
