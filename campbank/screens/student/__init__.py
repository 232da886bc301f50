"""The student screens."""
