"""The vgi-host command line."""
