"""Its hook raises."""

from vgi_host import hookimpl


@hookimpl
def register_functions(register):
    raise KeyError("hook exploded")
