"""Everything that reads, returned as plain frozen dataclasses (never live ORM rows)."""
