r"""One set of limits for everything a request may carry, shared by the parsers and the database.

Every ingest route (shiftwatch's events and labels, KServe, Seldon, BentoML) checks ids and
names against these before anything is stored, and the database's columns are sized from them,
so no value a parser accepts can make the database refuse it (PostgreSQL holds no NUL
character in text and no id longer than its column).

>>> id_problem("r-17"), id_problem("a\x00b"), id_problem(" ")
(None, 'holds a NUL character', 'is empty')
"""

MAX_ROWS = 10_000
"""The most rows (events, instances, lines) one request may carry."""
MAX_FEATURES = 1_000
"""The most features (columns) one row may carry."""
MAX_DEPTH = 32
"""The deepest nesting of lists inside one value (a tensor, an ndarray, a vector feature)."""
MAX_ID_LENGTH = 256
"""The longest event id accepted (the ``event_id`` column's size)."""
MAX_NAME_LENGTH = 256
"""The longest feature name kept by name (the ``column_name`` column's size)."""


def id_problem(value: str) -> str | None:
    """What is wrong with an event id (None: nothing): empty, too long, or holding NUL."""
    if not value.strip():
        return "is empty"
    if len(value) > MAX_ID_LENGTH:
        return f"is longer than {MAX_ID_LENGTH} characters"
    if "\x00" in value:
        return "holds a NUL character"
    return None


def storable_name(name: str) -> bool:
    r"""Whether a name can be stored as it is (a column's violations are kept by name).

    >>> storable_name("age"), storable_name("x" * 300), storable_name("a\x00")
    (True, False, False)
    """
    return len(name) <= MAX_NAME_LENGTH and "\x00" not in name
