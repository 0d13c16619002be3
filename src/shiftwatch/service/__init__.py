"""The HTTP service: ingest, storage, metrics, alerts."""
