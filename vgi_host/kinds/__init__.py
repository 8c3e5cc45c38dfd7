"""Function kinds: everything that differs between scalar, table, table-in-out and aggregate.

Each kind is one module holding its :class:`~vgi_host.kinds.spec.KindSpec`:
how a registered class becomes a definition, what it looks like in the
catalog, how a call binds, and the stream states that run it.  The
:mod:`~vgi_host.kinds.registry` lists the kinds; no other module branches on
a kind.  Adding a kind is one new module plus one line in the registry.
"""
