"""Source columns whose names the readers use themselves, renamed before they can collide.

The rejected-rows table adds ``line``, ``reason`` and ``detail`` beside a row's own
columns; readers mark rows in columns starting with ``_`` (``_reject_reason``, ``_line``…);
validation writes ``source_line``. A file with a column of one of those names would
crash the load, be taken for the reader's own mark, or lose its values silently. Such a
column is kept under ``file_<name>`` (numbered when that is taken too), and the load
report says so; a mapping may still name it as the file wrote it.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from geo.io.layout import column_key

#: The columns the rejected-rows table puts beside the file's own (:class:`geo.report.LoadReport`).
REJECTED_TABLE_COLUMNS: tuple[str, ...] = ("line", "reason", "detail")

#: Canonical columns validation always writes itself, whatever the file says.
WRITTEN_BY_US: tuple[str, ...] = ("source_line",)

#: Prefix of a renamed source column.
PREFIX = "file_"


def is_reserved(name: str, *, also: Collection[str] = WRITTEN_BY_US) -> bool:
    """Whether a source column's name (any case or spacing) is one the readers use themselves.

    Parameters
    ----------
    name
        The column's name as the file writes it.
    also
        Canonical names reserved too (``source_line`` unless the file is one this project wrote).
    """
    key = column_key(name)
    return key in REJECTED_TABLE_COLUMNS or key in also or key.startswith("_")


def rename_reserved(
    names: Sequence[str], *, keep: Collection[str] = (), also: Collection[str] = WRITTEN_BY_US
) -> dict[str, str]:
    """New names for the source columns that would collide with the readers' own.

    Parameters
    ----------
    names
        The file's column names, as written.
    keep
        Names the reader itself added to the same table (a sheet's ``_line``): not renamed.
    also
        Canonical names reserved too (see :func:`is_reserved`).

    Returns
    -------
    dict
        ``{name as written: new name}`` for the renamed columns only; ``{}`` when none collides.
        The new name is ``file_<key>`` (``Line`` → ``file_line``, ``_reject_reason`` →
        ``file_reject_reason``), numbered ``file_line_2`` … when the file has that name already,
        so the result depends on the names alone.
    """
    taken = {column_key(n) for n in names}
    out: dict[str, str] = {}
    for name in names:
        if name in keep or not is_reserved(str(name), also=also):
            continue
        base = PREFIX + column_key(name).lstrip("_")
        new, n = base, 1
        while new in taken:
            n += 1
            new = f"{base}_{n}"
        taken.add(new)
        out[name] = new
    return out


def renamed_note(renamed: dict[str, str]) -> str:
    """The load report's note for renamed columns; ``""`` when none was."""
    if not renamed:
        return ""
    pairs = ", ".join(f"{old!r} → {new}" for old, new in renamed.items())
    return (f"column{'s' if len(renamed) > 1 else ''} renamed {pairs}: the reader uses "
            f"{'those names' if len(renamed) > 1 else 'that name'} itself (rejected rows carry their own "
            f"{', '.join(REJECTED_TABLE_COLUMNS)}); a mapping may name a column either way")  # fmt: skip
