"""The manager screens."""
