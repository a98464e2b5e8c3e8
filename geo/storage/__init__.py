"""Datasets, pasted articles, candidate events and the audit log: one interface, two backends.

Modules, each importing only those listed before it:

- :mod:`~geo.storage.files` — canonical GeoParquet written and read back, a file replaced atomically.
- :mod:`~geo.storage.open_cache` — the columns an open reads, kept as an uncompressed Arrow file.
- :mod:`~geo.storage.bundled` — the dataset shipped with the app.
- :mod:`~geo.storage.upload` — an upload's way in: refusals, content key, reading, tagging.
- :mod:`~geo.storage.interface` — :class:`~geo.storage.interface.Store` (ids, access checks, audit
  entries), :class:`~geo.storage.interface.DatasetInfo`, :class:`~geo.storage.interface.AuditEntry`.
- :mod:`~geo.storage.copy_text` — events in PostgreSQL's ``COPY`` text format, both ways, in Arrow.
- :mod:`~geo.storage.embedded` and :mod:`~geo.storage.postgis` — the two backends.
- :mod:`~geo.storage.backends` — :func:`~geo.storage.backends.open_store`, the one a deployment uses.

Importing any of them does no work: the bundled dataset's metadata and Arrow's allocator are
set up on first use.
"""
