"""Serving protocol calls: routing, execution streams, refusals."""
