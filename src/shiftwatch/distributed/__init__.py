"""Profiles of data larger than one machine, computed on an engine the team already runs.

| engine | function | extra |
|---|---|---|
| Dask (``dask.distributed``) | :func:`~shiftwatch.distributed.dask.profile_parquet` | ``pip install 'shiftwatch[dask]'`` |

Importing this package imports no engine; each function imports its engine when called.
"""  # noqa: E501

from shiftwatch.distributed.dask import profile_parquet

__all__ = ["profile_parquet"]
