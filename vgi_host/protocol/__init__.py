"""Wire types and the vgi-rpc service declaration for protocol vgi.v2 2.2.0."""
