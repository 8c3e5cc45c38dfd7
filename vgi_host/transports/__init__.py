"""Serving the host over the transports DuckDB's ``vgi`` extension speaks (all built on vgi-rpc).

Every transport here is vgi-rpc's own (stdin/stdout pipes, its unix-socket and
TCP accept loops, its WSGI app); these modules only configure them for the
host: the pipe's framing policy for a broken stream, discovery lines, idle
timeouts, the stream-state signing key, bearer tokens, size limits and the
landing page.  Nothing below the transports knows which one carried a call.
"""
