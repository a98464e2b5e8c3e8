"""Domain errors: one exception family whose messages say what was expected and found."""


class GeoError(Exception):
    """Base class of every error the ``geo`` package raises on purpose."""


class ReadError(GeoError):
    """An event file could not be read at all (binary, empty, wrong encoding, no known columns)."""


class ServerBusyError(ReadError):
    """The process is over its memory budget: memory-heavy work is refused until it is back under.

    A :class:`ReadError` so that every page that reports an unreadable upload reports this too.
    """
