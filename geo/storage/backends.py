"""Which backend a deployment stores in: PostGIS when a database is configured, else a directory."""

from __future__ import annotations

from geo.settings import Settings, settings
from geo.storage.embedded import EmbeddedStore
from geo.storage.files import use_system_allocator
from geo.storage.interface import Store
from geo.storage.postgis import PostgisStore


def open_store(config: Settings | None = None) -> Store:
    """The store a deployment uses: PostGIS when ``CONFLICT_MAP_DATABASE_URL`` is set, else the directory."""
    use_system_allocator()  # a server's first use of the store: before it reads any dataset
    config = config or settings()
    if config.database_url:
        return PostgisStore(config.database_url)
    return EmbeddedStore(config.datasets_dir)
