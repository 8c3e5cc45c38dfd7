"""Registers a class whose compute lacks annotations, and a non-function."""

from vgi_host import ScalarFunction, hookimpl


class Unannotated(ScalarFunction):
    @classmethod
    def compute(cls, x):
        return x


@hookimpl
def register_functions(register):
    register(Unannotated)
    register(42)
