"""Pack modules that break in every way the loader must survive."""
