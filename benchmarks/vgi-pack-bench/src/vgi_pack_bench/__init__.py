"""Benchmark pack: the public vgi-benchmarks cases written with vgi-host's SDK.

The entry-point module stays cheap to import; the functions live in
:mod:`vgi_pack_bench.functions`.
"""

from __future__ import annotations

from vgi_host import RegisterFunction, hookimpl


@hookimpl
def register_functions(register: RegisterFunction) -> None:
    from vgi_pack_bench.functions import Echo, Multiply, Sequence, SumInt, UpperCase

    for function in (Multiply, UpperCase, Sequence, Echo, SumInt):
        register(function)
