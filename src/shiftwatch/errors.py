"""The exceptions shiftwatch raises, in one tree.

Each class also inherits the built-in it refines, so ``except ValueError`` keeps working::

    ShiftwatchError (Exception)
     ├── InvalidParameterError (ValueError)   a bad argument to a function or constructor
     ├── SchemaError (ValueError)             columns missing, or of another kind, between two sets
     │    └── ColumnMismatchError             a column present in one set only
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


class ColumnMismatchError(SchemaError):
    """Columns present in one data set only; ``hint(option)`` words the fix for a caller.

    >>> error = ColumnMismatchError(["a"], [], ["b"])
    >>> str(error)
    "The two data sets have different columns (missing from the current data: ['a']). Pass columns=['b'] to compare the ones they share."
    >>> error.hint("-c/--column")
    "The two data sets have different columns (missing from the current data: ['a']). Pass -c/--column for each column to compare the ones they share: -c b."
    """  # noqa: E501

    def __init__(self, only_reference: list[str], only_current: list[str], shared: list[str]):
        self.only_reference, self.only_current, self.shared = only_reference, only_current, shared
        super().__init__(self.hint("columns"))

    def hint(self, option: str) -> str:
        """The message, naming ``option``: "columns" (Python) or a command line's option."""
        parts = []
        if self.only_reference:
            parts.append(f"missing from the current data: {self.only_reference}")
        if self.only_current:
            parts.append(f"absent from the reference: {self.only_current}")
        if option == "columns":
            fix = f"Pass columns={self.shared!r} to compare the ones they share."
        else:
            flag = option.split("/")[0]
            shown = " ".join(f"{flag} {name}" for name in self.shared[:5])
            more = " ..." if len(self.shared) > 5 else ""
            fix = f"Pass {option} for each column to compare the ones they share: {shown}{more}."
        return "The two data sets have different columns (" + "; ".join(parts) + "). " + fix


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
