"""Alembic's environment: migrate the connection that :func:`storage.upgrade` hands over."""

from alembic import context

from shiftwatch.service.storage import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
