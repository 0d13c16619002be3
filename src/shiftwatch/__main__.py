"""``python -m shiftwatch`` runs the command line."""

from shiftwatch.cli import app

app()
