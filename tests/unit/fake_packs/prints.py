"""Prints to stdout while importing and registering."""

from vgi_host import hookimpl

print("import-time noise")


@hookimpl
def register_functions(register):
    print("hook-time noise")
