"""The exceptions shiftwatch raises, in one tree.

Each class also inherits the built-in it refines, so ``except ValueError`` keeps working::

    ShiftwatchError (Exception)
     ├── InvalidParameterError (ValueError)   a bad argument to a function or constructor
     ├── SchemaError (ValueError)             columns missing, or of another kind, between two sets
     ├── IncompatibleError (ValueError)       two objects that cannot be combined
     ├── EmptySketchError (ValueError)        a summary asked a question before it saw data
     ├── NoDataError (ValueError)             empty data, or no usable values at all
     └── FormatError (ValueError)             a file that cannot be read or is not what it claims
    ShiftwatchWarning (UserWarning)

Bad rows are data (violations and counts in a report); bad calls are exceptions.

>>> try:
...     raise SchemaError("Column 'age' is missing from the current data.")
... except ValueError as error:
...     print(type(error).__name__, "-", error)
SchemaError - Column 'age' is missing from the current data.
"""


class ShiftwatchError(Exception):
    """Base class of every error shiftwatch raises on purpose."""


class InvalidParameterError(ShiftwatchError, ValueError):
    """A function or constructor received an argument outside its documented range."""


class SchemaError(ShiftwatchError, ValueError):
    """Two data sets do not have the same columns, or a column changed kind."""


class IncompatibleError(ShiftwatchError, ValueError):
    """Two objects (summaries, profiles) cannot be combined or compared."""


class EmptySketchError(ShiftwatchError, ValueError):
    """A summary was queried before it saw any value."""


class NoDataError(ShiftwatchError, ValueError):
    """Data is empty, or a column holds no usable value."""


class FormatError(ShiftwatchError, ValueError):
    """A file cannot be read, or is not in the format its name or header claims."""


class ShiftwatchWarning(UserWarning):
    """Something worth knowing that does not stop the computation."""
