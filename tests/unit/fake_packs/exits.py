"""Calls sys.exit while importing: must not end the host."""

import sys

sys.exit(3)
