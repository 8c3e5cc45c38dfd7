"""Comparing one call's outcome and one catalog entry between the two servers."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pyarrow as pa


@dataclass
class Outcome:
    """What a call produced: a value, or the error text the client raised."""

    value: Any = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def assert_same_as(self, expected: Outcome) -> None:
        """Same value and type (NULLs included), or both failed with the original message kept."""
        if expected.ok:
            assert self.ok, f"reference answered {expected.value!r}; vgi-host failed: {self.error}"
            if isinstance(expected.value, pa.Array):
                assert self.value.type == expected.value.type
            elif isinstance(expected.value, pa.Table | pa.RecordBatch):
                assert self.value.schema.names == expected.value.schema.names
                assert self.value.schema.types == expected.value.schema.types
            actual, reference = _py(self.value), _py(expected.value)
            assert actual == reference, f"vgi-host answered {actual!r}; the reference {reference!r}"
            return
        assert not self.ok, f"reference failed ({expected.error}); vgi-host answered {self.value!r}"
        original = _original_message(expected.error)
        assert original in (self.error or ""), (
            f"the function's message {original!r} is not in vgi-host's error: {self.error}"
        )


def _py(value: Any) -> Any:
    return _nan_marked(value.to_pylist() if hasattr(value, "to_pylist") else value)


_NAN = "<NaN>"


def _nan_marked(value: Any) -> Any:
    """NaN never equals itself; a NaN answered where the reference answered NaN is the same answer."""
    if isinstance(value, float) and math.isnan(value):
        return _NAN
    if isinstance(value, list):
        return [_nan_marked(v) for v in value]
    if isinstance(value, dict):
        return {k: _nan_marked(v) for k, v in value.items()}
    return value


def _original_message(text: str | None) -> str:
    """The function's own message inside the reference client's error text (its first line's tail)."""
    first = (text or "").splitlines()[0] if text else ""
    # "[Worker thread failed: ]ExceptionType: ExceptionType: message": drop the client's prefixes.
    previous = None
    while previous != first:
        previous = first
        first = re.sub(r"^(Worker thread failed|[A-Z][\w.]*): ", "", first)
    return first


def call_outcome(run: Callable[[], Any]) -> Outcome:
    try:
        return Outcome(value=run())
    except Exception as exc:
        return Outcome(error=str(exc))


def buffering_outcome(
    client: Any,
    schema: str,
    name: str,
    arguments: Any,
    batches: list[pa.RecordBatch],
    input_schema: pa.Schema,
) -> Outcome:
    """One table-buffering call (sink, combine, source) through the reference client, as a table."""

    def run() -> pa.Table:
        output = list(
            client.table_buffering_function(
                function_name=name,
                schema_path=[schema],
                input=iter(batches),
                arguments=arguments,
                input_schema=input_schema,
            )
        )
        return pa.Table.from_batches(output) if output else pa.table({})

    return call_outcome(run)


def _schema(raw: bytes | None, *, metadata: bool = False) -> list[tuple[Any, ...]]:
    if not raw:
        return []
    schema = pa.ipc.read_schema(pa.py_buffer(raw))
    if metadata:
        return [(f.name, str(f.type), sorted((f.metadata or {}).items())) for f in schema]
    return [(f.name, str(f.type)) for f in schema]


DERIVED_TAGS = frozenset(
    {
        "vgi.doc_md",
        "vgi.category",
        "vgi.example_queries",
        "vgi.executable_examples",
        "vgi.result_columns_schema",
    }
)
"""Tags vgi-host derives from ``Meta`` by the VGI tag contract (issue 13) and the reference does not
emit: their content is the description, categories and examples, which are compared field by field."""


def catalog_view(info: Any) -> dict[str, Any]:
    """The parts of a FunctionInfo a user sees in DuckDB, comparable across servers."""
    return {
        "function_type": info.function_type,
        "description": info.description,
        "comment": info.comment,
        "categories": sorted(info.categories or []),
        "tags": {k: v for k, v in (info.tags or {}).items() if k not in DERIVED_TAGS},
        "examples": [(e.sql, e.description) for e in info.examples or []],
        "stability": info.stability,
        "null_handling": info.null_handling,
        "arguments": _schema(info.arguments, metadata=True),
        # The reference leaves a table function's catalog output schema empty (bind decides it);
        # vgi-host advertises FIXED_SCHEMA there.  Only scalar and aggregate outputs are compared.
        "output": (
            _schema(info.output_schema, metadata=True)
            if info.function_type.name in ("SCALAR", "AGGREGATE")
            else None
        ),
        "argument_monotonicity": info.argument_monotonicity,
        "has_finalize": info.has_finalize,
        "input_from_args": info.input_from_args,
        "input_rows_per_call": info.input_rows_per_call,
        "required_settings": sorted(info.required_settings or []),
        "required_secrets": sorted(
            (s.secret_type, s.scope, s.secret_name) for s in info.required_secrets or []
        ),
    }


def catalog_views(entries: list[Any]) -> list[str]:
    """Every overload's view, order-free (servers may list overloads in any order)."""
    return sorted(repr(catalog_view(entry)) for entry in entries)
