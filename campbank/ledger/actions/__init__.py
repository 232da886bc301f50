"""Everything that writes: each action checks permission, validates, and writes in one database transaction."""
