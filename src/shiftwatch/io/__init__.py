"""Readers: files and in-memory objects become Arrow tables."""

from shiftwatch.io.files import read_file
from shiftwatch.io.tables import to_table

__all__ = ["read_file", "to_table"]
