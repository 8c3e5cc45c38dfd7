"""Typed records shared by pack loading, the catalog and the host: plain data, no behaviour.

Everything above this layer (``packs``, ``catalog``, ``host``, ``runtime``)
talks in these types; nothing here imports those layers, so the records can be
built from a manifest, from a freshly imported pack, or by hand in a test.
"""
