"""Discovering, selecting and loading function packs."""
