"""Answers of each ported function against the original's: values, types and NULLs.

Scalars are called with the literal arguments of each of their examples (one
row of values, one of NULLs) and with samples derived from their argument
types; aggregates with three groups of derived samples (one all NULL), once
as they come and once non-negative (counts and abundances).  Where the
original fails, the port must fail with the function's own message.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest
from comparison import Outcome, call_outcome
from conftest import FUNCTIONS, PortedFunction, record
from samples import aggregate_inputs, example_arguments, example_scalar_inputs, scalar_inputs
from vgi import Arguments

SCALARS = [f for f in FUNCTIONS if f.kind == "scalar"]
AGGREGATES = [f for f in FUNCTIONS if f.kind == "aggregate"]


def _arguments_schema(function: PortedFunction) -> pa.Schema:
    from vgi_host.kinds.function_info import argument_schema
    from vgi_host.kinds.registry import definition_of

    return argument_schema(definition_of(function.cls).arguments)


def _scalar(client: Any, function: PortedFunction, batch: pa.RecordBatch, constants: list[Any]) -> Outcome:
    def run() -> pa.Array:
        results = client.scalar_function(
            function_name=function.name,
            schema_path=[function.schema],
            input=iter([batch]),
            arguments=Arguments(positional=tuple(constants)),
        )
        return pa.concat_arrays([r.column(0) for r in results])

    return call_outcome(run)


def _scalar_cases(function: PortedFunction) -> list[tuple[pa.RecordBatch, list[Any]]]:
    arguments = _arguments_schema(function)
    cases = [scalar_inputs(arguments)]
    for example in getattr(getattr(function.cls, "Meta", None), "examples", None) or []:
        literals = example_arguments(example.sql, function.name)
        built = example_scalar_inputs(arguments, literals) if literals is not None else None
        if built is not None:
            cases.append(built)
    return cases


@pytest.mark.parametrize("function", SCALARS, ids=lambda f: f.id)
def test_scalar_answers_match(function, reference_clients, host_client):
    reference = reference_clients[function.worker.pack]
    try:
        for batch, constants in _scalar_cases(function):
            _scalar(host_client, function, batch, constants).assert_same_as(
                _scalar(reference, function, batch, constants)
            )
    except BaseException:
        record(function, "failed")
        raise
    record(function, "passed")


def _aggregate(client: Any, function: PortedFunction, batch: pa.RecordBatch, constants: list[Any]) -> Outcome:
    return call_outcome(
        lambda: client.aggregate_function(
            function_name=function.name,
            schema_path=[function.schema],
            input=[batch],
            group_by=["g"],
            arguments=Arguments(positional=tuple(constants)),
        )
    )


@pytest.mark.parametrize("function", AGGREGATES, ids=lambda f: f.id)
def test_aggregate_answers_match(function, reference_clients, host_client):
    reference = reference_clients[function.worker.pack]
    arguments = _arguments_schema(function)
    try:
        for non_negative in (False, True):
            batch, constants = aggregate_inputs(arguments, non_negative=non_negative)
            _aggregate(host_client, function, batch, constants).assert_same_as(
                _aggregate(reference, function, batch, constants)
            )
    except BaseException:
        record(function, "failed")
        raise
    record(function, "passed")
