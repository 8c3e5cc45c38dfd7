"""Functions that exercise the host's argument handling and failure paths."""

from __future__ import annotations

import os
from typing import Annotated

import pyarrow as pa
import pyarrow.compute as pc

from vgi_host import ConstParam, FunctionExample, Param, Returns, ScalarFunction, hookimpl


class AddK(ScalarFunction):
    """Add a constant to an integer column."""

    class Meta:
        examples = [FunctionExample(sql="SELECT testkit.add_k(x, 10) FROM t", description="x + 10")]

    @classmethod
    def compute(
        cls,
        x: Annotated[pa.Int64Array, Param(doc="Values", type_bound=pa.types.is_integer)],
        k: Annotated[int, ConstParam(doc="Amount to add", ge=0, le=1000)],
    ) -> Annotated[pa.Int64Array, Returns()]:
        return pc.add(x, k)


class AlwaysFails(ScalarFunction):
    """Raise on every batch, to prove a failing function does not take the host down."""

    @classmethod
    def compute(
        cls, x: Annotated[pa.Int64Array, Param(doc="Ignored")]
    ) -> Annotated[pa.Int64Array, Returns()]:
        raise ValueError("this function always fails")


class WrongLength(ScalarFunction):
    """Return one row too many, to prove the host checks result shapes."""

    @classmethod
    def compute(cls, x: Annotated[pa.Int64Array, Param(doc="Values")]) -> Annotated[pa.Int64Array, Returns()]:
        return pa.concat_arrays([x, pa.array([0], pa.int64())])


class Noisy(ScalarFunction):
    """Print to stdout while computing: the host must keep the protocol stream clean."""

    @classmethod
    def compute(cls, x: Annotated[pa.Int64Array, Param(doc="Values")]) -> Annotated[pa.Int64Array, Returns()]:
        print("noise on stdout from a pack")
        return x


class WorkerPid(ScalarFunction):
    """The serving process's pid on every row: lets tests prove which process answered."""

    @classmethod
    def compute(
        cls, x: Annotated[pa.Int64Array, Param(doc="Any column")]
    ) -> Annotated[pa.Int64Array, Returns()]:
        return pa.array([os.getpid()] * len(x), pa.int64())


@hookimpl
def register_functions(register):  # type: ignore[no-untyped-def]
    for function in (AddK, AlwaysFails, WrongLength, Noisy, WorkerPid):
        register(function)


print("noise on stdout while importing a pack")
