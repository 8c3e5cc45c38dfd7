"""Answers of each ported table-buffering function against the original's.

Each function is called through the reference client's sink/combine/source
sequence with the input table and named arguments of its example SQL
(example_tables.py), split into two-row batches so several sinks run, and
once with no input at all.  permanova's and anosim's examples join
beta_diversity's output with groups: that output is taken from the original
(it is input there, not an answer).  Output schemas are compared with their
field metadata (column comments), rows with NULLs; where the original fails,
the port must fail with the function's own message.  Every function's input
is derived; one whose example stops giving an input fails with the reason.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest
from comparison import Outcome, buffering_outcome
from conftest import FUNCTIONS, PortedFunction, record
from example_tables import ExampleInput, example_input
from vgi import Arguments

BUFFERING = [f for f in FUNCTIONS if f.kind == "table_buffering"]
RANDOM_COLUMNS = {name: frozenset({"p_value"}) for name in ("mantel", "permanova", "anosim")}
"""Columns drawn from unseeded permutations (the function takes no seed): compared by type and
NULL-ness and range [0, 1], not value, on both servers; every other column is compared exactly."""


def _without_random(function: PortedFunction, outcome: Outcome) -> Outcome:
    columns = RANDOM_COLUMNS.get(function.name, frozenset())
    if not outcome.ok or not columns:
        return outcome
    table = outcome.value
    for name in columns & set(table.schema.names):  # no input: no rows, maybe no columns
        values = table.column(name).to_pylist()
        assert all(v is None or 0.0 <= v <= 1.0 for v in values), f"{name} out of [0, 1]: {values}"
        masked = pa.array([None if v is None else 0.0 for v in values], table.schema.field(name).type)
        table = table.set_column(table.schema.get_field_index(name), table.schema.field(name), masked)
    return Outcome(value=table)


def _named(function: PortedFunction, values: dict[str, Any]) -> dict[str, pa.Scalar[Any]]:
    """Each literal typed as the function declares that argument (the reference's own schema)."""
    from vgi_host.kinds.function_info import argument_schema
    from vgi_host.kinds.registry import definition_of

    declared = {(s.named or s.name): s for s in definition_of(function.cls).arguments if s.named is not None}
    schema = argument_schema(definition_of(function.cls).arguments)
    typed: dict[str, pa.Scalar[Any]] = {}
    for key, value in values.items():
        spec = declared.get(key)
        field = schema.field(spec.name) if spec is not None and spec.name in schema.names else None
        typed[key] = pa.scalar(value, field.type) if field is not None else pa.scalar(value)
    return typed


def _example(function: PortedFunction, reference: Any) -> ExampleInput | str:
    def evaluate(schema: str, name: str, given: ExampleInput) -> pa.Table:
        """A nested call's output, from the original worker: it is input here, not an answer."""
        nested = next(f for f in BUFFERING if f.schema == schema and f.name == name)
        arguments = Arguments(named=_named(nested, given.named))
        outcome = buffering_outcome(
            reference, schema, name, arguments, given.table.to_batches(), given.table.schema
        )
        assert outcome.ok, f"the example's nested {schema}.{name} failed on the reference: {outcome.error}"
        return outcome.value

    reasons: list[str] = []
    for example in getattr(getattr(function.cls, "Meta", None), "examples", None) or []:
        found = example_input(example.sql, function.name, evaluate)
        if isinstance(found, ExampleInput):
            return found
        reasons.append(found)
    return "; ".join(reasons) or "it has no example"


@pytest.mark.parametrize("function", BUFFERING, ids=lambda f: f.id)
def test_buffering_answers_match(function, reference_clients, host_client):
    reference = reference_clients[function.worker.pack]
    example = _example(function, reference)
    try:
        assert not isinstance(example, str), f"no input derived from {function.id}'s examples: {example}"
        arguments = Arguments(named=_named(function, example.named))
        schema = example.table.schema
        for batches in (example.table.to_batches(max_chunksize=2), []):
            call = (function.schema, function.name, arguments, batches, schema)
            expected = _without_random(function, buffering_outcome(reference, *call))
            actual = _without_random(function, buffering_outcome(host_client, *call))
            actual.assert_same_as(expected)
            if expected.ok:
                assert actual.value.schema.equals(expected.value.schema, check_metadata=True)
    except BaseException:
        record(function, "failed")
        raise
    record(function, "passed")
