"""Serving the host over the transports DuckDB's ``vgi`` extension speaks.

Every transport here is vgi-rpc's own (its unix-socket and TCP accept loops,
its WSGI app); these modules only configure them for the host: discovery lines,
idle timeouts, the stream-state signing key, bearer tokens, size limits and the
landing page.  Nothing below the transports knows which one carried a call.
"""
