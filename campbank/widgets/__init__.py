"""Reusable pieces of the terminal UI; each carries its own DEFAULT_CSS."""
