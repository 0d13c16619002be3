"""The service's routers, one per resource: ingest, models, operations."""
