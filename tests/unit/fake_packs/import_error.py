"""Fails at import."""

raise RuntimeError("boom at import")
