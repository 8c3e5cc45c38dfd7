"""Values survive the wire between vgi_host.protocol and the reference SDK, both ways.

Schema parity (test_protocol_parity.py) says the columns line up; this says the
*bytes* each side writes are read back correctly by the other — nested IPC
payloads, the Arguments codec, item lists, dictionary-encoded schema columns.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pyarrow as pa
import pytest
import vgi.catalog.catalog_interface as ref_catalog
import vgi.invocation as ref_invocation
import vgi.metadata as ref_metadata
import vgi.protocol as ref_protocol
from vgi.arguments import Arguments as RefArguments
from vgi.arguments import SecretLookupEntry as RefSecretLookupEntry
from vgi_rpc import RpcServer
from vgi_rpc.rpc import RpcConnection, make_pipe_pair
from vgi_rpc.utils import deserialize_record_batch, serialize_record_batch_bytes

from vgi_host.protocol.arguments import Arguments
from vgi_host.protocol.attach import CatalogAttachResult, CatalogDataVersionRelease, CatalogInfo
from vgi_host.protocol.catalog import SchemaInfo, TableInfo
from vgi_host.protocol.common import encode_catalog_item
from vgi_host.protocol.enums import (
    ArgumentMonotonicity,
    CatalogFunctionType,
    FunctionStability,
    FunctionType,
    NullHandling,
    OrderPreservation,
)
from vgi_host.protocol.functions import (
    CatalogExample,
    EvaluationContextCapability,
    FilterFunctionCapability,
    FunctionInfo,
    SecretLookupEntry,
)
from vgi_host.protocol.invocation import BindRequest, BindResponse, CopyFromContext, GlobalInitResponse
from vgi_host.protocol.listing import FunctionsResponse, SchemasResponse
from vgi_host.protocol.scan import (
    NamedScalars,
    ScanArguments,
    ScanBranch,
    ScanBranchesResult,
    ScanFunctionResult,
)
from vgi_host.protocol.service import VgiProtocol
from vgi_host.runtime.refusals import RefusingMethods

ARG_SCHEMA = pa.schema(
    [
        pa.field("x", pa.int64(), metadata={"vgi_doc": "the value"}),
        pa.field("k", pa.int64(), metadata={"vgi_const": "true"}),
        pa.field("label", pa.string(), metadata={"vgi_arg": "named"}),
    ]
)
OUT_SCHEMA = pa.schema([pa.field("result", pa.int64())])


# ------------------------------------------------------------- arguments ----

ARGUMENT_CASES = {
    "none": ((), {}),
    "positional": ((pa.scalar(7), pa.scalar("a")), {}),
    "named": ((), {"label": pa.scalar("L"), "n": pa.scalar(2.5)}),
    "mixed": ((pa.scalar(1, pa.int32()),), {"flag": pa.scalar(True)}),
    "typed_null": ((pa.scalar(None, pa.int64()), pa.scalar(3)), {"opt": pa.scalar(None, pa.string())}),
    "nested": (
        (pa.scalar([1, 2, 3], pa.list_(pa.int16())), pa.scalar({"a": 1, "b": "x"})),
        {"when": pa.scalar(datetime(2024, 1, 2, tzinfo=UTC), pa.timestamp("us", tz="UTC"))},
    ),
    "decimal": ((pa.scalar(1, pa.decimal128(38, 0)),), {}),
}


@pytest.mark.parametrize("case", sorted(ARGUMENT_CASES))
def test_arguments_ours_to_reference(case: str) -> None:
    positional, named = ARGUMENT_CASES[case]
    decoded = RefArguments.deserialize_from_bytes(
        Arguments(positional=positional, named=named).serialize_to_bytes()
    )
    assert decoded.positional == positional
    assert (decoded.named or {}) == named
    assert [s.type for s in decoded.positional] == [s.type for s in positional]


@pytest.mark.parametrize("case", sorted(ARGUMENT_CASES))
def test_arguments_reference_to_ours(case: str) -> None:
    positional, named = ARGUMENT_CASES[case]
    decoded = Arguments.deserialize_from_bytes(
        RefArguments(positional=positional, named=named or None).serialize_to_bytes()
    )
    assert decoded == Arguments(positional=positional, named=named)
    assert [s.type for s in decoded.positional if s is not None] == [s.type for s in positional]


def test_arguments_unfilled_slot_is_a_null_typed_field_both_ways() -> None:
    ours = Arguments(positional=(pa.scalar(1), None, pa.scalar(3)))
    batch, _ = deserialize_record_batch(ours.serialize_to_bytes())
    assert batch.schema.field("args").type.field("positional_1").type == pa.null()
    theirs = RefArguments.deserialize_from_bytes(ours.serialize_to_bytes())
    # Both decoders read a present null-typed field as an explicit NULL scalar.
    assert theirs.positional[1] is not None
    assert not theirs.positional[1].is_valid
    back = Arguments.deserialize_from_bytes(
        RefArguments(positional=(pa.scalar(1), None)).serialize_to_bytes()
    )
    assert back.positional[0] == pa.scalar(1)
    assert back.positional[1] is not None
    assert back.positional[1].type == pa.null()


def test_arguments_missing_index_decodes_as_none_in_both() -> None:
    # A producer that omits positional_1 entirely: the slot was not supplied.
    column = pa.StructArray.from_arrays(
        [pa.array([10]), pa.array([30])],
        fields=[pa.field("positional_0", pa.int64()), pa.field("positional_2", pa.int64())],
    )
    data = serialize_record_batch_bytes(pa.RecordBatch.from_arrays([column], names=["args"]))
    ours, theirs = Arguments.deserialize_from_bytes(data), RefArguments.deserialize_from_bytes(data)
    assert ours.positional == (pa.scalar(10), None, pa.scalar(30)) == theirs.positional


def test_arguments_wire_shape_without_arguments() -> None:
    batch, _ = deserialize_record_batch(Arguments().serialize_to_bytes())
    assert batch.num_rows == 1
    assert batch.schema.names == ["args"]
    assert batch.schema.field("args").type == pa.struct([])
    assert Arguments.deserialize_from_bytes(b"") == Arguments()


# ---------------------------------------------------------- bind / init ----


def _our_bind_request() -> BindRequest:
    return BindRequest(
        function_name="add_k",
        arguments=Arguments(positional=(pa.scalar(10),), named={"label": pa.scalar("L")}),
        function_type=FunctionType.SCALAR,
        input_schema=pa.schema([pa.field("col_0", pa.int64())]),
        settings=pa.RecordBatch.from_pydict({"threads": [4]}),
        attach_opaque_data=b"scratch",
        copy_from=CopyFromContext(format="csv", file_path="/x.csv", expected_schema=OUT_SCHEMA),
        schema_path=["main"],
        argument_names=["x", None],
    )


def test_bind_request_ours_to_reference() -> None:
    theirs = ref_protocol.BindRequest.deserialize_from_bytes(_our_bind_request().serialize_to_bytes())
    assert theirs.function_name == "add_k"
    assert theirs.arguments.positional == (pa.scalar(10),)
    assert theirs.arguments.named == {"label": pa.scalar("L")}
    assert theirs.function_type is ref_invocation.FunctionType.SCALAR
    assert theirs.input_schema.equals(pa.schema([pa.field("col_0", pa.int64())]))
    assert theirs.settings.to_pydict() == {"threads": [4]}
    assert theirs.copy_from.expected_schema.equals(OUT_SCHEMA)
    assert theirs.schema_path == ["main"]
    assert theirs.argument_names == ["x", None]


def test_bind_request_reference_to_ours() -> None:
    theirs = ref_protocol.BindRequest(
        function_name="gen_series",
        arguments=RefArguments(positional=(pa.scalar(7),), named={"label": pa.scalar("L")}),
        function_type=ref_invocation.FunctionType.TABLE,
        input_schema=None,
        schema_path=["main"],
    )
    ours = BindRequest.deserialize_from_bytes(theirs.serialize_to_bytes())
    assert isinstance(ours.arguments, Arguments)
    assert ours.arguments.positional == (pa.scalar(7),)
    assert dict(ours.arguments.named) == {"label": pa.scalar("L")}
    assert ours.function_type is FunctionType.TABLE
    assert ours.input_schema is None
    assert ours == BindRequest.deserialize_from_bytes(ours.serialize_to_bytes())


def test_global_init_response_both_ways() -> None:
    ours = GlobalInitResponse(execution_id=b"e" * 16, opaque_data=b"state", max_workers=1)
    theirs = ref_invocation.GlobalInitResponse.deserialize_from_bytes(ours.serialize_to_bytes())
    assert (theirs.execution_id, theirs.opaque_data, theirs.max_workers) == (b"e" * 16, b"state", 1)
    back = GlobalInitResponse.deserialize_from_bytes(ref_invocation.GlobalInitResponse().serialize_to_bytes())
    assert len(back.execution_id) == 16
    assert back.max_workers == 99999
    assert back.opaque_data is None


# ------------------------------------------------------------ catalog items ----


def _our_function_info() -> FunctionInfo:
    return FunctionInfo(
        comment="short note",
        tags={"zeta": "1", "alpha": "2"},  # deliberately unsorted
        name="add_k",
        schema_path=["main"],
        function_type=CatalogFunctionType.SCALAR,
        arguments=ARG_SCHEMA,
        output_schema=OUT_SCHEMA,
        parameter_default_values=pa.RecordBatch.from_pydict({"label": ["x"]}),
        stability=FunctionStability.CONSISTENT,
        null_handling=NullHandling.SPECIAL,
        argument_monotonicity=[
            ArgumentMonotonicity.NON_DECREASING,
            ArgumentMonotonicity.CONSTANT,
            ArgumentMonotonicity.UNKNOWN,
        ],
        description="adds k",
        examples=[CatalogExample(sql="SELECT add_k(1, 2)", description="three", expected_output="3")],
        categories=["math"],
        additional_filter_functions=[FilterFunctionCapability(namespace="geo", name="within", version=2)],
        filter_evaluation_contexts=[EvaluationContextCapability(profile="vgi.duckdb.session.v1")],
        order_preservation=OrderPreservation.PRESERVES_ORDER,
        max_workers=1,
        input_rows_per_call=2048,
        required_settings=["threads"],
        required_secrets=[SecretLookupEntry(secret_type="s3", scope="s3://bucket/")],
    )


def _reference_function_info() -> ref_catalog.FunctionInfo:
    return ref_catalog.FunctionInfo(
        comment="short note",
        tags={"zeta": "1", "alpha": "2"},
        name="add_k",
        schema_path=["main"],
        function_type=ref_catalog.FunctionType.SCALAR,
        arguments=ARG_SCHEMA.serialize().to_pybytes(),
        output_schema=OUT_SCHEMA.serialize().to_pybytes(),
        parameter_default_values=pa.RecordBatch.from_pydict({"label": ["x"]}),
        stability=ref_metadata.FunctionStability.CONSISTENT,
        null_handling=ref_metadata.NullHandling.SPECIAL,
        argument_monotonicity=[
            ref_metadata.ArgumentMonotonicity.NON_DECREASING,
            ref_metadata.ArgumentMonotonicity.CONSTANT,
            ref_metadata.ArgumentMonotonicity.UNKNOWN,
        ],
        description="adds k",
        examples=[
            ref_catalog.CatalogExample(sql="SELECT add_k(1, 2)", description="three", expected_output="3")
        ],
        categories=["math"],
        additional_filter_functions=[
            ref_metadata.FilterFunctionCapability(namespace="geo", name="within", version=2)
        ],
        filter_evaluation_contexts=[
            ref_metadata.EvaluationContextCapability(profile="vgi.duckdb.session.v1")
        ],
        order_preservation=ref_metadata.OrderPreservation.PRESERVES_ORDER,
        max_workers=1,
        input_rows_per_call=2048,
        required_settings=["threads"],
        required_secrets=[RefSecretLookupEntry(secret_type="s3", scope="s3://bucket/")],
    )


def test_function_info_item_bytes_equal_the_reference_encoding() -> None:
    assert encode_catalog_item(_our_function_info()) == ref_protocol._item_ipc_bytes(
        _reference_function_info()
    )


def test_function_info_ours_to_reference() -> None:
    theirs = ref_catalog.FunctionInfo.deserialize_from_bytes(encode_catalog_item(_our_function_info()))
    assert list(theirs.tags) == ["alpha", "zeta"]  # sorted on encoding
    assert pa.ipc.read_schema(pa.py_buffer(theirs.arguments)).equals(ARG_SCHEMA, check_metadata=True)
    assert pa.ipc.read_schema(pa.py_buffer(theirs.output_schema)).equals(OUT_SCHEMA)
    assert theirs.parameter_default_values.to_pydict() == {"label": ["x"]}
    assert theirs.function_type is ref_catalog.FunctionType.SCALAR
    assert theirs.null_handling is ref_metadata.NullHandling.SPECIAL
    assert theirs.argument_monotonicity[0] is ref_metadata.ArgumentMonotonicity.NON_DECREASING
    assert theirs.examples[0].expected_output == "3"
    assert theirs.additional_filter_functions[0].version == 2
    assert theirs.max_workers == 1
    assert theirs.input_rows_per_call == 2048
    assert theirs.required_secrets[0].scope == "s3://bucket/"


def test_function_info_reference_to_ours() -> None:
    ours = FunctionInfo.deserialize_from_bytes(ref_protocol._item_ipc_bytes(_reference_function_info()))
    expected = _our_function_info()
    assert ours.arguments.equals(ARG_SCHEMA, check_metadata=True)
    assert ours.output_schema.equals(OUT_SCHEMA)
    assert ours.parameter_default_values is not None
    assert ours.parameter_default_values.equals(expected.parameter_default_values)
    for name in ("tags", "name", "schema_path", "function_type", "stability", "null_handling",
                 "argument_monotonicity", "examples", "additional_filter_functions",
                 "filter_evaluation_contexts", "order_preservation", "max_workers",
                 "required_secrets", "input_rows_per_call"):  # fmt: skip
        assert getattr(ours, name) == getattr(expected, name), name


def test_minimal_function_info_is_accepted_by_the_reference() -> None:
    minimal = FunctionInfo(
        name="f", schema_path=["main"], function_type=CatalogFunctionType.TABLE, output_schema=OUT_SCHEMA
    )
    theirs = ref_catalog.FunctionInfo.deserialize_from_bytes(encode_catalog_item(minimal))
    assert pa.ipc.read_schema(pa.py_buffer(theirs.arguments)).equals(pa.schema([]))
    assert theirs.comment is None
    assert theirs.tags == {}
    assert theirs.max_workers is None


def test_schema_info_with_counts_both_ways() -> None:
    ours = SchemaInfo(path=["main"], comment="c", estimated_object_count={"view": 0, "table": 2})
    theirs = ref_catalog.SchemaInfo.deserialize_from_bytes(encode_catalog_item(ours))
    assert theirs.path == ["main"]
    assert theirs.comment == "c"
    assert list(theirs.estimated_object_count.items()) == [("table", 2), ("view", 0)]
    reference = ref_catalog.SchemaInfo(
        comment="c", tags={}, path=["main"], estimated_object_count={"view": 0, "table": 2}
    )
    assert encode_catalog_item(ours) == ref_protocol._item_ipc_bytes(reference)
    back = SchemaInfo.deserialize_from_bytes(
        ref_protocol._item_ipc_bytes(ref_catalog.SchemaInfo(comment=None, tags={}, path=["x"]))
    )
    assert back == SchemaInfo(path=["x"])


def test_catalog_attach_result_both_ways() -> None:
    ours = CatalogAttachResult(
        attach_opaque_data=b"vgi-host:scratch",
        supports_transactions=False,
        supports_time_travel=False,
        catalog_version_frozen=True,
        catalog_version=1,
        attach_opaque_data_required=False,
        comment="all packs",
        tags={"b": "2", "a": "1"},
        global_functions=[encode_catalog_item(_our_function_info())],
        global_function_prefix="host",
    )
    theirs = ref_catalog.CatalogAttachResult.deserialize_from_bytes(ours.serialize_to_bytes())
    assert theirs.attach_opaque_data == b"vgi-host:scratch"
    assert (theirs.catalog_version_frozen, theirs.catalog_version, theirs.default_schema) == (True, 1, "main")
    assert theirs.attach_opaque_data_required is False
    assert theirs.supports_catalog_contents is False
    assert theirs.tags == {"b": "2", "a": "1"}
    assert ref_catalog.FunctionInfo.deserialize_from_bytes(theirs.global_functions[0]).name == "add_k"
    back = CatalogAttachResult.deserialize_from_bytes(theirs.serialize_to_bytes())
    assert back == ours


def test_catalog_info_with_release_to_reference() -> None:
    released = datetime(2025, 5, 1, tzinfo=UTC)
    ours = CatalogInfo(
        name="scratch", releases=[CatalogDataVersionRelease(version="1.0.0", released_at=released)]
    )
    theirs = ref_catalog.CatalogInfo.deserialize_from_bytes(encode_catalog_item(ours))
    assert theirs.name == "scratch"
    assert theirs.implementation_version is None
    assert theirs.releases[0].released_at == released


# ----------------------------------------------------------- list responses ----


def test_list_response_ours_to_reference() -> None:
    response = FunctionsResponse.from_items([_our_function_info(), _our_function_info()])
    theirs = ref_protocol.FunctionsResponse.deserialize_from_bytes(response.serialize_to_bytes())
    infos = theirs.to_infos()
    assert [info.name for info in infos] == ["add_k", "add_k"]
    assert infos[0] == _reference_function_info()


def test_list_response_reference_to_ours() -> None:
    theirs = ref_protocol.SchemasResponse.from_infos(
        [ref_catalog.SchemaInfo(comment=None, tags={}, path=["main"], estimated_object_count={"table": 0})]
    )
    ours = SchemasResponse.deserialize_from_bytes(theirs.serialize_to_bytes())
    assert ours.decode_items(SchemaInfo) == [SchemaInfo(path=["main"], estimated_object_count={"table": 0})]


def test_list_response_optional_and_type_check() -> None:
    assert SchemasResponse.from_optional(None).items == []
    assert len(SchemasResponse.from_optional(SchemaInfo(path=["main"])).items) == 1
    cached = encode_catalog_item(SchemaInfo(path=["main"]))
    assert SchemasResponse.from_items([cached]).items == [cached]
    with pytest.raises(TypeError, match="SchemasResponse lists SchemaInfo"):
        SchemasResponse.from_items([_our_function_info()])


# ---------------------------------------------------------------- scans ----


def test_scan_function_result_both_ways() -> None:
    ours = ScanFunctionResult(
        function_name="gen_series",
        arguments=ScanArguments(positional=(pa.scalar(5),), named={"label": pa.scalar("L")}),
        schema_path=["main"],
    )
    batch, _ = deserialize_record_batch(ours.serialize_to_bytes())
    theirs = ref_catalog.ScanFunctionResult.deserialize(batch)
    assert theirs.positional_arguments == [pa.scalar(5)]
    assert theirs.named_arguments == {"label": pa.scalar("L")}
    assert theirs.schema_path == ["main"]
    assert theirs.required_extensions == []
    back = ScanFunctionResult.deserialize_from_bytes(theirs.serialize())
    assert back == ours
    empty = ScanFunctionResult.deserialize_from_bytes(
        ref_catalog.ScanFunctionResult(
            function_name="f", positional_arguments=[], named_arguments={}
        ).serialize()
    )
    assert empty.arguments == ScanArguments()


def test_table_info_with_inlined_scan_to_reference() -> None:
    table = TableInfo(
        name="five",
        schema_path=["main"],
        columns=OUT_SCHEMA,
        scan_function=ScanFunctionResult(
            function_name="gen_series", arguments=ScanArguments(positional=(pa.scalar(5),))
        ),
        bind_result=BindResponse(output_schema=OUT_SCHEMA),
        cardinality_estimate=5,
    )
    theirs = ref_catalog.TableInfo.deserialize_from_bytes(encode_catalog_item(table))
    assert pa.ipc.read_schema(pa.py_buffer(theirs.columns)).equals(OUT_SCHEMA)
    scan_batch, _ = deserialize_record_batch(theirs.scan_function)
    assert ref_catalog.ScanFunctionResult.deserialize(scan_batch).positional_arguments == [pa.scalar(5)]
    assert ref_invocation.BindResponse.deserialize_from_bytes(theirs.bind_result).output_schema.equals(
        OUT_SCHEMA
    )
    assert TableInfo.deserialize_from_bytes(encode_catalog_item(table)) == table


def test_scan_branches_result_to_reference() -> None:
    result = ScanBranchesResult.from_branches(
        [
            ScanBranch(function_name="gen_series", arguments=ScanArguments(positional=(pa.scalar(3),))),
            ScanBranch(
                function_name="",
                format_name="parquet",
                format_locations=["/a.parquet"],
                format_options=NamedScalars(values={"hive_partitioning": pa.scalar(True)}),
            ),
        ],
        required_extensions=["parquet"],
    )
    batch, _ = deserialize_record_batch(result.serialize_to_bytes())
    theirs = ref_catalog.ScanBranchesResult.deserialize(batch)
    assert theirs.required_extensions == ["parquet"]
    assert theirs.branches[0].positional_arguments == [pa.scalar(3)]
    assert theirs.branches[1].format_options == {"hive_partitioning": pa.scalar(True)}
    assert (
        ScanBranchesResult.deserialize_from_bytes(theirs.serialize()).decode_branches()
        == result.decode_branches()
    )


# ------------------------------------------------------------ end to end ----


class _BindOnly(RefusingMethods):
    """Implements bind and catalog_schemas only; everything else is refused."""

    def __init__(self) -> None:
        self.seen: list[BindRequest] = []

    def bind(self, request: BindRequest) -> BindResponse:
        self.seen.append(request)
        return BindResponse(output_schema=pa.schema([pa.field("n", request.arguments.positional[0].type)]))

    def catalog_schemas(
        self, attach_opaque_data: bytes, transaction_opaque_data: bytes | None = None
    ) -> SchemasResponse:
        return SchemasResponse.from_items([SchemaInfo(path=["main"], estimated_object_count={"table": 0})])


def test_reference_protocol_client_against_our_server() -> None:
    impl = _BindOnly()
    client_transport, server_transport = make_pipe_pair()
    server = RpcServer(VgiProtocol, impl)
    thread = threading.Thread(target=server.serve, args=(server_transport,), daemon=True)
    thread.start()
    with RpcConnection(ref_protocol.VgiProtocol, client_transport) as client:
        response = client.bind(
            request=ref_protocol.BindRequest(
                function_name="gen_series",
                arguments=RefArguments(
                    positional=(pa.scalar(7, pa.int32()),), named={"label": pa.scalar("L")}
                ),
                function_type=ref_invocation.FunctionType.TABLE,
            )
        )
        assert response.output_schema.equals(pa.schema([pa.field("n", pa.int32())]))
        schemas = client.catalog_schemas(attach_opaque_data=b"token").to_infos()
        assert [s.path for s in schemas] == [["main"]]
        assert schemas[0].estimated_object_count == {"table": 0}
    thread.join(timeout=5)
    (seen,) = impl.seen
    assert seen.arguments == Arguments(
        positional=(pa.scalar(7, pa.int32()),), named={"label": pa.scalar("L")}
    )
    assert seen.function_type is FunctionType.TABLE
