"""Transports: how the protocol service reaches its clients (all built on vgi-rpc).

Each transport owns its connection's byte streams and the policy for a stream
that breaks; nothing below this package knows which transport carried a call.
"""
