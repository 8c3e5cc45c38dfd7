"""The host's view of all packs together: the registry, routing, the merged catalog, ``main``.

Above ``packs`` (one pack at a time) and ``catalog`` (data), below the
protocol service that answers DuckDB.
"""
