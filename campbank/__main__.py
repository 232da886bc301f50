"""`python -m campbank`: the same as the `campbank` command."""

from campbank.cli import app

app()
