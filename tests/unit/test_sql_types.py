"""DuckDB's names for Arrow types, which types DuckDB reads, and the refusals built on that."""

from __future__ import annotations

from typing import Annotated

import pyarrow as pa
import pytest

from vgi_host import Arg, Param, Returns, ScalarFunction, TableFunctionGenerator
from vgi_host.errors import BindError, FunctionDefinitionError
from vgi_host.sdk.casting import cast_or_raise
from vgi_host.sdk.duckdb_types import refuse_output_schema
from vgi_host.sql_types import is_supported, refusal, sql_type, unsupported

UNION = pa.sparse_union([pa.field("num", pa.int32()), pa.field("str", pa.string())])

# One row per DuckDB type (and per Arrow spelling DuckDB reads as that type).
TABLE: list[tuple[pa.DataType | None, str]] = [
    (None, "ANY"),
    (pa.null(), "NULL"),
    (pa.bool_(), "BOOLEAN"),
    (pa.bool8(), "BOOLEAN"),
    (pa.int8(), "TINYINT"),
    (pa.int16(), "SMALLINT"),
    (pa.int32(), "INTEGER"),
    (pa.int64(), "BIGINT"),
    (pa.uint8(), "UTINYINT"),
    (pa.uint16(), "USMALLINT"),
    (pa.uint32(), "UINTEGER"),
    (pa.uint64(), "UBIGINT"),
    # HUGEINT has no Arrow type: DuckDB sends it as DECIMAL(38, 0) and reads that back.
    (pa.decimal128(38, 0), "DECIMAL(38, 0)"),
    (pa.float16(), "FLOAT"),
    (pa.float32(), "FLOAT"),
    (pa.float64(), "DOUBLE"),
    (pa.decimal32(9, 2), "DECIMAL(9, 2)"),
    (pa.decimal64(18, 4), "DECIMAL(18, 4)"),
    (pa.decimal128(38, 10), "DECIMAL(38, 10)"),
    (pa.decimal256(20, 2), "DECIMAL(20, 2)"),
    (pa.string(), "VARCHAR"),
    (pa.large_string(), "VARCHAR"),
    (pa.string_view(), "VARCHAR"),
    (pa.json_(), "JSON"),
    (pa.binary(), "BLOB"),
    (pa.large_binary(), "BLOB"),
    (pa.binary_view(), "BLOB"),
    (pa.binary(16), "BLOB"),
    (pa.uuid(), "UUID"),
    (pa.date32(), "DATE"),
    (pa.date64(), "DATE"),
    (pa.time32("s"), "TIME"),
    (pa.time32("ms"), "TIME"),
    (pa.time64("us"), "TIME"),
    (pa.time64("ns"), "TIME_NS"),
    (pa.timestamp("s"), "TIMESTAMP_S"),
    (pa.timestamp("ms"), "TIMESTAMP_MS"),
    (pa.timestamp("us"), "TIMESTAMP"),
    (pa.timestamp("ns"), "TIMESTAMP_NS"),
    (pa.timestamp("us", tz="UTC"), "TIMESTAMP WITH TIME ZONE"),
    (pa.timestamp("ns", tz="Europe/Paris"), "TIMESTAMP WITH TIME ZONE"),
    (pa.month_day_nano_interval(), "INTERVAL"),
    (pa.duration("s"), "INTERVAL"),
    (pa.duration("us"), "INTERVAL"),
    (pa.list_(pa.int64()), "BIGINT[]"),
    (pa.large_list(pa.string()), "VARCHAR[]"),
    (pa.list_view(pa.float64()), "DOUBLE[]"),
    (pa.large_list_view(pa.bool_()), "BOOLEAN[]"),
    (pa.list_(pa.list_(pa.int32())), "INTEGER[][]"),
    (pa.list_(pa.float32(), 3), "FLOAT[3]"),
    (pa.list_(pa.list_(pa.int8(), 2), 4), "TINYINT[2][4]"),
    (pa.struct([("lat", pa.float64()), ("lon", pa.float64())]), "STRUCT(lat DOUBLE, lon DOUBLE)"),
    (pa.struct([("a b", pa.int8()), ('q"t', pa.string())]), 'STRUCT("a b" TINYINT, "q""t" VARCHAR)'),
    (pa.map_(pa.string(), pa.list_(pa.int64())), "MAP(VARCHAR, BIGINT[])"),
    (UNION, "UNION(num INTEGER, str VARCHAR)"),
    (pa.dictionary(pa.int32(), pa.string()), "VARCHAR"),
    (pa.run_end_encoded(pa.int32(), pa.float64()), "DOUBLE"),
]


@pytest.mark.parametrize(("arrow_type", "expected"), TABLE, ids=[str(t) for t, _ in TABLE])
def test_every_duckdb_type_has_its_duckdb_name(arrow_type: pa.DataType | None, expected: str) -> None:
    assert sql_type(arrow_type) == expected


@pytest.mark.parametrize(
    "arrow_type", [t for t, _ in TABLE if t is not None], ids=[str(t) for t, _ in TABLE if t is not None]
)
def test_every_row_of_the_table_is_readable_by_duckdb(arrow_type: pa.DataType) -> None:
    assert unsupported(arrow_type) is None
    assert is_supported(arrow_type)
    assert refusal(arrow_type) is None


def test_an_unregistered_extension_type_is_read_as_its_storage() -> None:
    class Celsius(pa.ExtensionType):
        def __init__(self) -> None:
            super().__init__(pa.float64(), "example.celsius")

        def __arrow_ext_serialize__(self) -> bytes:
            return b""

        @classmethod
        def __arrow_ext_deserialize__(cls, storage_type: pa.DataType, serialized: bytes) -> Celsius:
            return cls()

    assert sql_type(Celsius()) == "DOUBLE"
    assert is_supported(Celsius())


@pytest.mark.parametrize(
    "arrow_type",
    [
        pa.decimal256(50, 2),
        pa.list_(pa.decimal256(39, 0)),
        pa.struct([("money", pa.decimal256(76, 10))]),
        pa.map_(pa.string(), pa.decimal256(40, 2)),
    ],
)
def test_decimals_wider_than_38_digits_are_refused_even_nested(arrow_type: pa.DataType) -> None:
    problem = refusal(arrow_type)
    assert problem is not None
    assert "more than the 38 digits a DuckDB DECIMAL holds" in problem
    assert unsupported(arrow_type) == problem
    assert not is_supported(arrow_type)


def test_the_decimal_refusal_names_the_type_and_the_widest_allowed_declaration() -> None:
    assert refusal(pa.decimal256(50, 2)) == (
        "DECIMAL(50, 2) has more than the 38 digits a DuckDB DECIMAL holds "
        "(declare at most pa.decimal128(38, 2))"
    )
    assert sql_type(pa.decimal256(50, 2)) == "DECIMAL(50, 2)"  # still spelt, for listings


def test_dense_unions_are_spelt_but_flagged_without_being_refused() -> None:
    dense = pa.dense_union([pa.field("n", pa.int64()), pa.field("s", pa.string())])
    assert sql_type(dense) == "UNION(n BIGINT, s VARCHAR)"
    assert unsupported(dense) == "DuckDB reads only sparse unions; declare pa.sparse_union(...)"
    assert unsupported(pa.list_(dense)) == unsupported(dense)
    assert refusal(dense) is None


# ------------------------------------------------- where the SDK applies it ----


def test_registration_refuses_a_too_wide_decimal_parameter_by_name() -> None:
    class Money(ScalarFunction):
        """Too precise."""

        @classmethod
        def compute(
            cls, amount: Annotated[pa.Array, Param(pa.decimal256(50, 2), doc="amount")]
        ) -> Annotated[pa.Array, Returns(pa.float64())]:
            return amount

    with pytest.raises(
        FunctionDefinitionError,
        match=r"Money\.compute: parameter 'amount': DECIMAL\(50, 2\) has more than the 38 digits",
    ):
        Money.definition()


def test_registration_refuses_a_too_wide_decimal_result() -> None:
    class Wide(ScalarFunction):
        """Too precise a result."""

        @classmethod
        def compute(
            cls, x: Annotated[pa.Int64Array, Param(doc="x")]
        ) -> Annotated[pa.Array, Returns(pa.decimal256(40, 0))]:
            return x

    with pytest.raises(FunctionDefinitionError, match=r"Wide\.compute: return: DECIMAL\(40, 0\) has more"):
        Wide.definition()


def test_registration_refuses_a_too_wide_decimal_table_argument() -> None:
    class Ledger(TableFunctionGenerator):
        """Too precise an argument."""

        total: Annotated[pa.Scalar, Arg(0, arrow_type=pa.decimal256(39, 0), doc="total")]

        @classmethod
        def on_bind(cls, params: object) -> pa.Schema:
            return pa.schema([("x", pa.int64())])

        @classmethod
        def process(cls, params: object, state: object, out: object) -> None:
            return None

    with pytest.raises(FunctionDefinitionError, match=r"Ledger\.total: DECIMAL\(39, 0\) has more"):
        Ledger.definition()


def test_bind_refuses_a_computed_output_column_duckdb_cannot_hold() -> None:
    with pytest.raises(
        BindError, match=r"output column 'big' \(DECIMAL\(60, 0\)\): DECIMAL\(60, 0\) has more"
    ):
        refuse_output_schema(pa.schema([("ok", pa.int64()), ("big", pa.decimal256(60, 0))]))
    refuse_output_schema(pa.schema([("ok", pa.decimal128(38, 0)), ("t", pa.time64("ns"))]))


def test_cast_or_raise_casts_and_reports_failures_in_duckdb_names() -> None:
    assert cast_or_raise(pa.scalar(2), pa.float64(), ValueError).as_py() == 2.0
    same = pa.array([1, 2])
    assert cast_or_raise(same, pa.int64(), ValueError) is same
    with pytest.raises(ValueError, match=r"^VARCHAR -> DOUBLE$") as caught:
        cast_or_raise(pa.array(["x"]), pa.float64(), lambda got, wanted: ValueError(f"{got} -> {wanted}"))
    assert isinstance(caught.value.__cause__, pa.ArrowInvalid)


def test_sql_types_sits_below_the_sdk_and_the_catalog() -> None:
    """Both sdk/ (bind errors) and catalog/ use it, so it may import nothing of vgi-host but errors."""
    import ast
    import inspect

    import vgi_host.sql_types

    tree = ast.parse(inspect.getsource(vgi_host.sql_types))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert {name for name in imported if name.startswith("vgi_host")} <= {"vgi_host.errors"}
