"""The aggregate kind: ``SELECT pack.fn(col) ... GROUP BY``.

Aggregates are not streams: DuckDB binds them with ``aggregate_bind`` and then
sends ``aggregate_update/combine/finalize/destructor`` calls, each to any
pooled process.  The calls themselves are served by
:class:`~vgi_host.kinds.aggregate_calls.Aggregates` over the shared state
store; this module is what the catalog and the router need.
"""

from __future__ import annotations

from typing import Any

from vgi_host.kinds.function_info import common_fields, result_schema
from vgi_host.kinds.spec import KindSpec
from vgi_host.protocol.enums import (
    CatalogFunctionType,
    DistinctDependence,
    FunctionType,
    NullHandling,
    OrderDependence,
)
from vgi_host.protocol.functions import FunctionInfo
from vgi_host.protocol.invocation import BindRequest
from vgi_host.sdk.aggregate import AggregateDefinition, AggregateFunction
from vgi_host.sql_types import sql_type


class AggregateKind(KindSpec):
    """Grouped aggregates with initial state, update, combine and finalize."""

    name = "aggregate"
    label = "aggregate"
    base = AggregateFunction

    def definition(self, function_class: Any) -> AggregateDefinition:
        """The class's cached definition."""
        return function_class.definition()  # type: ignore[no-any-return]

    def function_info(self, definition: AggregateDefinition, schema: str) -> FunctionInfo:
        """An aggregate entry: one-column result, NULL handling, order and distinct dependence."""
        meta = definition.metadata
        return FunctionInfo(
            function_type=CatalogFunctionType.AGGREGATE,
            output_schema=result_schema(definition.result_type),
            null_handling=meta.null_handling or NullHandling.DEFAULT,
            order_dependent=meta.order_dependent or OrderDependence.NOT_ORDER_DEPENDENT,
            distinct_dependent=meta.distinct_dependent or DistinctDependence.NOT_DISTINCT_DEPENDENT,
            **common_fields(definition, schema),
        )

    def returns_sql(self, definition: AggregateDefinition) -> str:
        """The result type."""
        return sql_type(definition.result_type)

    def addressed_by(self, request: BindRequest) -> bool:
        """An aggregate sent to ``bind`` (clients use ``aggregate_bind``; this only names the kind)."""
        return request.function_type is FunctionType.AGGREGATE


SPEC = AggregateKind()
