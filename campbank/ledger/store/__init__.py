"""Storage: the only place that knows the database (engine, tables, schema, journal writes, audit rows, backup)."""
