"""Building the DuckDB-facing catalog from loaded packs."""
