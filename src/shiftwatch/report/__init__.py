"""Renderings of a :class:`~shiftwatch.drift_report.DriftReport`: JSON, Markdown, terminal."""
