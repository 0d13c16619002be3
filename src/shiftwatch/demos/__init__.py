"""The demos ``shiftwatch demo`` runs: digits meeting new image sources, and a shifted table."""
