"""Implements a hook the host does not define (a typo of register_functions)."""

from vgi_host import hookimpl


@hookimpl
def register_function(register):
    pass
