"""Hooks that plug shiftwatch into model servers, each in its own module.

Nothing is imported here: each module imports its server's package (if any) only when used.

* ``shiftwatch.integrations.bentoml``: ``ShiftwatchMonitor``, a BentoML monitor class
  (``monitoring.type: shiftwatch.integrations.bentoml.ShiftwatchMonitor``) that sends every
  record to ``shiftwatch serve`` through ``shiftwatch.client.Client``.

>>> import shiftwatch.integrations
>>> shiftwatch.integrations.__name__
'shiftwatch.integrations'
"""
