"""Enumerations that travel on the `vgi.v2` wire.

vgi-rpc encodes an ``Enum`` field as ``dictionary<int16, utf8>`` holding the
member *name*, so only the member names below are part of the contract; the
values are ours and exist for readability.  Every name was checked against the
reference implementation (vgi-python 0.47.0) by the schema-parity test.
"""

from __future__ import annotations

from enum import Enum


class FunctionType(Enum):
    """The kind of call a `bind` request is for (``BindRequest.function_type``)."""

    AGGREGATE = "aggregate"
    SCALAR = "scalar"
    TABLE = "table"
    TABLE_BUFFERING = "table_buffering"


class CatalogFunctionType(Enum):
    """The kind of a catalog function entry (``FunctionInfo.function_type``).

    Table-in-out functions are listed as ``TABLE``; what tells them apart is an
    argument marked ``vgi_type=table``.
    """

    SCALAR = "scalar"
    TABLE = "table"
    TABLE_BUFFERING = "table_buffering"
    AGGREGATE = "aggregate"


class SchemaObjectType(Enum):
    """Which listing a ``catalog_schema_contents_*`` call asks for."""

    TABLE = "table"
    VIEW = "view"
    SCALAR_FUNCTION = "scalar_function"
    TABLE_FUNCTION = "table_function"
    AGGREGATE_FUNCTION = "aggregate_function"
    SCALAR_MACRO = "scalar_macro"
    TABLE_MACRO = "table_macro"
    INDEX = "index"


class FunctionStability(Enum):
    """Whether DuckDB may constant-fold or cache a scalar's result."""

    CONSISTENT = "consistent"
    VOLATILE = "volatile"
    CONSISTENT_WITHIN_QUERY = "consistent_within_query"


class NullHandling(Enum):
    """How a function treats NULL inputs, as declared to DuckDB.

    ``DEFAULT`` promises NULL in -> NULL out, which lets DuckDB fold calls whose
    constant arguments are NULL.  It does not filter rows: batches still reach
    ``compute`` with NULLs in them (and other clients send them too), so the
    function must keep the promise itself; pyarrow.compute kernels do.
    ``SPECIAL`` declares that the function gives NULL inputs a meaning of its own.
    """

    DEFAULT = "default"
    SPECIAL = "special"


class ArgumentMonotonicity(Enum):
    """Per-argument monotonicity hints for scalar functions (sent as names)."""

    UNKNOWN = "unknown"
    CONSTANT = "constant"
    NON_DECREASING = "non_decreasing"
    STRICTLY_INCREASING = "strictly_increasing"
    NON_INCREASING = "non_increasing"
    STRICTLY_DECREASING = "strictly_decreasing"


class OrderPreservation(Enum):
    """Whether a table function's output order is meaningful."""

    PRESERVES_ORDER = "preserves_order"
    NO_ORDER_GUARANTEE = "no_order_guarantee"
    FIXED_ORDER = "fixed_order"


class PartitionKind(Enum):
    """How a table function's output is partitioned."""

    NOT_PARTITIONED = "not_partitioned"
    SINGLE_VALUE_PARTITIONS = "single_value_partitions"
    OVERLAPPING_PARTITIONS = "overlapping_partitions"
    DISJOINT_PARTITIONS = "disjoint_partitions"


class OrderDependence(Enum):
    """Whether an aggregate's result depends on input order."""

    ORDER_DEPENDENT = "order_dependent"
    NOT_ORDER_DEPENDENT = "not_order_dependent"


class DistinctDependence(Enum):
    """Whether an aggregate's result changes under DISTINCT."""

    DISTINCT_DEPENDENT = "distinct_dependent"
    NOT_DISTINCT_DEPENDENT = "not_distinct_dependent"


class TableInOutFunctionInitPhase(Enum):
    """Phase of an ``init`` call; None (absent) for scalar and plain table calls."""

    INPUT = "input"
    FINALIZE = "finalize"
    TABLE_BUFFERING = "table_buffering"
    TABLE_BUFFERING_FINALIZE = "table_buffering_finalize"


class OrderByDirection(Enum):
    """Sort direction of a Top-N hint."""

    ASC = "asc"
    DESC = "desc"


class OrderByNullOrder(Enum):
    """Null placement of a Top-N hint."""

    NULLS_FIRST = "nulls_first"
    NULLS_LAST = "nulls_last"


class MacroType(Enum):
    """Scalar or table macro."""

    SCALAR = "scalar"
    TABLE = "table"


class IndexConstraintType(Enum):
    """Constraint an index enforces."""

    NONE = "none"
    UNIQUE = "unique"
    PRIMARY = "primary"


class OnConflict(Enum):
    """What a CREATE does when the object exists (write methods only)."""

    ERROR = "error"
    IGNORE = "ignore"
    REPLACE = "replace"
