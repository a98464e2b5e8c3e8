"""Domain errors: one exception family whose messages say what was expected and found."""


class GeoError(Exception):
    """Base class of every error the ``geo`` package raises on purpose."""


class ReadError(GeoError):
    """An event file could not be read at all (binary, empty, wrong encoding, no known columns)."""


def unreadable(name: str, expected: str, exc: BaseException, *, limit: int = 160) -> ReadError:
    """The error for a file a library could not read: ``"<name>: expected <expected>, got <Type>: <message>"``.

    Libraries (pandas, pyarrow, GDAL, calamine) raise many types for a damaged file; all mean "unreadable",
    and the analyst sees which library complained and how (its message cut at ``limit`` characters).
    """
    return ReadError(f"{name}: expected {expected}, got {type(exc).__name__}: {str(exc)[:limit]}")


class ServerBusyError(ReadError):
    """The process is over its memory budget: memory-heavy work is refused until it is back under.

    A :class:`ReadError` so that every page that reports an unreadable upload reports this too.
    """
