"""Wire parity of vgi_host.protocol with the reference SDK (vgi-python 0.47.0, test-only oracle).

The DuckDB extension compares every response schema field by field (name, type,
nullability, order), so "close" is a failure.  This test walks every dataclass
the reference protocol can put on the wire — method parameters, results, the
init header, their nested structs, and the items carried as nested IPC inside
``binary`` / ``list<binary>`` columns — and requires our same-named class to
have an identical ``ARROW_SCHEMA``.  It then compares all 72 method signatures
as vgi-rpc derives them, and the enum member names that travel as strings.
"""

from __future__ import annotations

import enum
import inspect
import typing
from types import UnionType

import pyarrow as pa
import pytest
import vgi.arguments as ref_arguments
import vgi.catalog.catalog_interface as ref_catalog
import vgi.protocol as ref_protocol
from vgi.catalog.attach_option import AttachOptionSpec as RefAttachOptionSpec
from vgi.catalog.secret_type import SecretTypeSpec as RefSecretTypeSpec
from vgi.catalog.setting import SettingSpec as RefSettingSpec
from vgi_rpc import ArrowSerializableDataclass, RpcServer, rpc_methods
from vgi_rpc.errors import Code, error_code_of
from vgi_rpc.rpc import MethodNotImplementedError, RpcConnection, RpcError, StreamState, make_pipe_pair
from vgi_rpc.utils import _serialization_plan

from vgi_host.errors import CatalogReadOnlyError
from vgi_host.protocol import (
    aggregate,
    attach,
    catalog,
    ddl,
    enums,
    functions,
    invocation,
    listing,
    planning,
    scan,
)
from vgi_host.protocol.service import VgiProtocol
from vgi_host.runtime.refusals import WRITE_METHODS, RefusingMethods

OUR_MODULES = (aggregate, attach, catalog, ddl, functions, invocation, listing, planning, scan)

# Items that travel as nested IPC bytes, so no type annotation leads to them.
REFERENCE_ITEM_ROOTS: tuple[type, ...] = (
    ref_catalog.CatalogInfo,
    RefAttachOptionSpec,
    RefSettingSpec,
    RefSecretTypeSpec,
    ref_catalog.AttachCatalogInfo,
    ref_catalog.SchemaInfo,
    ref_catalog.TableInfo,
    ref_catalog.ForeignKeyInfo,
    ref_catalog.ViewInfo,
    ref_catalog.MacroInfo,
    ref_catalog.IndexInfo,
    ref_catalog.FunctionInfo,
    ref_catalog.CopyFromFormatInfo,
    ref_catalog.ScanFunctionResult,
    ref_catalog.ScanBranch,
    ref_catalog.ScanBranchesResult,
    ref_protocol.ScanSplit,
    ref_protocol.PartitionTransform,
    ref_protocol.SortField,
    ref_protocol.ClientCapabilities,
    ref_arguments.SecretLookupEntry,
)

# Item class of each reference list response (the reference builds them with a factory).
REFERENCE_LIST_ITEMS: dict[str, type] = {
    "CatalogsResponse": ref_catalog.CatalogInfo,
    "SchemasResponse": ref_catalog.SchemaInfo,
    "TablesResponse": ref_catalog.TableInfo,
    "ViewsResponse": ref_catalog.ViewInfo,
    "FunctionsResponse": ref_catalog.FunctionInfo,
    "MacrosResponse": ref_catalog.MacroInfo,
    "IndexesResponse": ref_catalog.IndexInfo,
    "CopyFromFormatsResponse": ref_catalog.CopyFromFormatInfo,
}

# The reference has two enums named FunctionType; ours are told apart by name.
ENUM_RENAMES: dict[str, str] = {
    "vgi.invocation.FunctionType": "FunctionType",
    "vgi.catalog.catalog_interface.FunctionType": "CatalogFunctionType",
}


# --------------------------------------------------------------- walking ----


def _enum_key(cls: type[enum.Enum]) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _our_enum_name(cls: type[enum.Enum]) -> str:
    return ENUM_RENAMES.get(_enum_key(cls), cls.__name__)


def _leaf_types(annotation: object) -> list[object]:
    """Every class named inside an annotation (through Annotated, unions, generics)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _leaf_types(typing.get_args(annotation)[0])
    if origin is not None or isinstance(annotation, UnionType):
        return [leaf for arg in typing.get_args(annotation) for leaf in _leaf_types(arg)]
    return [annotation]


def _field_annotations(cls: type) -> dict[str, object]:
    if not issubclass(cls, ArrowSerializableDataclass):
        return {}  # hand-written reference codecs (ScanFunctionResult ...): fields are not wire types
    return {plan.name: plan.resolved_type for plan in _serialization_plan(cls).fields if not plan.transient}


def _walk_reference() -> tuple[dict[str, type], dict[str, type[enum.Enum]]]:
    """Reference wire classes by name, and wire enums by qualified name."""
    classes: dict[str, type] = {}
    wire_enums: dict[str, type[enum.Enum]] = {}

    def visit(annotation: object) -> None:
        for leaf in _leaf_types(annotation):
            if not isinstance(leaf, type):
                continue
            if issubclass(leaf, enum.Enum):
                wire_enums[_enum_key(leaf)] = leaf
            elif issubclass(leaf, StreamState):
                continue  # init's stream states are server-side, never on the wire
            elif hasattr(leaf, "ARROW_SCHEMA") and isinstance(leaf.ARROW_SCHEMA, pa.Schema):
                if leaf.__name__ in classes:
                    assert classes[leaf.__name__] is leaf, f"two reference classes named {leaf.__name__}"
                    continue
                classes[leaf.__name__] = leaf
                for field_annotation in _field_annotations(leaf).values():
                    visit(field_annotation)

    for info in rpc_methods(ref_protocol.VgiProtocol).values():
        for annotation in info.param_types.values():
            visit(annotation)
        visit(info.result_type)
        if info.header_type is not None:
            visit(info.header_type)
    for root in REFERENCE_ITEM_ROOTS:
        visit(root)
    return classes, wire_enums


def _our_classes() -> dict[str, type[ArrowSerializableDataclass]]:
    found: dict[str, type[ArrowSerializableDataclass]] = {}
    for module in OUR_MODULES:
        for name, value in vars(module).items():
            if (
                isinstance(value, type)
                and issubclass(value, ArrowSerializableDataclass)
                and value.__module__ == module.__name__
            ):
                assert name not in found, f"{name} defined twice"
                found[name] = value
    return found


REFERENCE_CLASSES, REFERENCE_ENUMS = _walk_reference()
OURS = _our_classes()


def _schema_diff(ours: pa.Schema, theirs: pa.Schema) -> list[str]:
    problems: list[str] = []
    if ours.names != theirs.names:
        problems.append(f"field names/order differ:\n  ours:   {ours.names}\n  theirs: {theirs.names}")
    for name in theirs.names:
        if name not in ours.names:
            continue
        a, b = ours.field(name), theirs.field(name)
        if not a.type.equals(b.type):
            problems.append(f"{name}: type ours={a.type} theirs={b.type}")
        if a.nullable != b.nullable:
            problems.append(f"{name}: nullable ours={a.nullable} theirs={b.nullable}")
    if not problems and not ours.equals(theirs, check_metadata=False):
        problems.append(f"schemas differ:\n{ours}\n--- vs ---\n{theirs}")
    return problems


# ----------------------------------------------------------------- types ----


def test_reference_walk_found_the_expected_surface() -> None:
    # Guards the walker itself: these must all be reachable.
    for name in ("BindRequest", "InitRequest", "GlobalInitResponse", "FunctionInfo", "CatalogExample",
                 "SecretLookupEntry", "CatalogAttachResult", "CatalogDataVersionRelease", "ScanBranch",
                 "TableCardinality", "CatalogsResponse", "CopyFromContext"):  # fmt: skip
        assert name in REFERENCE_CLASSES, name
    assert not any(issubclass(cls, StreamState) for cls in REFERENCE_CLASSES.values())


@pytest.mark.parametrize("name", sorted(REFERENCE_CLASSES))
def test_type_schema_identical(name: str) -> None:
    assert name in OURS, f"vgi_host.protocol has no class {name}"
    problems = _schema_diff(OURS[name].ARROW_SCHEMA, REFERENCE_CLASSES[name].ARROW_SCHEMA)
    assert not problems, f"{name}:\n" + "\n".join(problems)


def _enum_of(annotation: object) -> type[enum.Enum] | None:
    for leaf in _leaf_types(annotation):
        if isinstance(leaf, type) and issubclass(leaf, enum.Enum):
            return leaf
    return None


@pytest.mark.parametrize("name", sorted(REFERENCE_CLASSES))
def test_enum_fields_use_the_matching_enum(name: str) -> None:
    # Every enum is dictionary<int16, utf8> on the wire, so the schema check cannot
    # tell FunctionType from CatalogFunctionType; compare the declared enums instead.
    theirs = _field_annotations(REFERENCE_CLASSES[name])
    ours = _field_annotations(OURS[name])
    for field_name, annotation in theirs.items():
        their_enum = _enum_of(annotation)
        our_enum = _enum_of(ours.get(field_name))
        if their_enum is None:
            assert our_enum is None, f"{name}.{field_name}: ours is an enum, theirs is not"
        else:
            assert our_enum is not None, f"{name}.{field_name}: theirs is {their_enum.__name__}"
            assert our_enum.__name__ == _our_enum_name(their_enum), f"{name}.{field_name}"


def test_no_unexpected_classes_of_ours() -> None:
    # Every wire class of ours mirrors a reference class (base classes excepted).
    extra = set(OURS) - set(REFERENCE_CLASSES) - {"CatalogItemsResponse"}
    assert not extra, f"classes with no reference counterpart: {sorted(extra)}"


@pytest.mark.parametrize("name", sorted(REFERENCE_LIST_ITEMS))
def test_list_responses_name_their_item_class(name: str) -> None:
    our_response = OURS[name]
    assert issubclass(our_response, listing.CatalogItemsResponse)
    assert our_response.ITEM_TYPE.__name__ == REFERENCE_LIST_ITEMS[name].__name__


# ----------------------------------------------------------------- enums ----


@pytest.mark.parametrize("key", sorted(REFERENCE_ENUMS))
def test_enum_member_names_identical(key: str) -> None:
    theirs = REFERENCE_ENUMS[key]
    ours = getattr(enums, _our_enum_name(theirs), None)
    assert ours is not None, f"vgi_host.protocol.enums has no {_our_enum_name(theirs)} (for {key})"
    assert [m.name for m in ours] == [m.name for m in theirs]


# --------------------------------------------------------------- methods ----

OUR_METHODS = rpc_methods(VgiProtocol)
REFERENCE_METHODS = rpc_methods(ref_protocol.VgiProtocol)


def _type_names(annotation: object) -> list[str]:
    """Class names inside an annotation, reference enums renamed to ours."""
    names = []
    for leaf in _leaf_types(annotation):
        if isinstance(leaf, type) and issubclass(leaf, enum.Enum):
            names.append(_our_enum_name(leaf))
        elif isinstance(leaf, type):
            names.append(leaf.__name__)
    return sorted(names)


def _normalise_default(value: object) -> object:
    if isinstance(value, enum.Enum):
        return (type(value).__name__, value.name)
    return value


def test_method_set_identical() -> None:
    assert set(OUR_METHODS) == set(REFERENCE_METHODS)
    assert len(OUR_METHODS) == 72


def test_protocol_identity() -> None:
    assert vars(VgiProtocol)["protocol_name"] == vars(ref_protocol.VgiProtocol)["protocol_name"] == "vgi.v2"
    assert (
        vars(VgiProtocol)["protocol_version"] == vars(ref_protocol.VgiProtocol)["protocol_version"] == "2.2.0"
    )


@pytest.mark.parametrize("method", sorted(REFERENCE_METHODS))
def test_method_identical(method: str) -> None:
    ours, theirs = OUR_METHODS[method], REFERENCE_METHODS[method]
    problems = [f"params: {p}" for p in _schema_diff(ours.params_schema, theirs.params_schema)]
    problems += [f"result: {p}" for p in _schema_diff(ours.result_schema, theirs.result_schema)]
    if ours.method_type != theirs.method_type:
        problems.append(f"method_type ours={ours.method_type} theirs={theirs.method_type}")
    if ours.has_return != theirs.has_return:
        problems.append(f"has_return ours={ours.has_return} theirs={theirs.has_return}")
    if (ours.header_type is None) != (theirs.header_type is None):
        problems.append(f"header ours={ours.header_type} theirs={theirs.header_type}")
    elif ours.header_type is not None and theirs.header_type is not None:
        problems += [
            f"header: {p}"
            for p in _schema_diff(ours.header_type.ARROW_SCHEMA, theirs.header_type.ARROW_SCHEMA)
        ]
    our_defaults = {k: _normalise_default(v) for k, v in ours.param_defaults.items()}
    their_defaults = {k: _normalise_default(v) for k, v in theirs.param_defaults.items()}
    if our_defaults != their_defaults:
        problems.append(f"defaults ours={our_defaults} theirs={their_defaults}")
    if list(ours.param_types) != list(theirs.param_types):
        problems.append(f"parameter order ours={list(ours.param_types)} theirs={list(theirs.param_types)}")
    # The wire carries only schemas, but a wrong request/response class would still be a bug.
    pairs = [(f"param {p}", ours.param_types[p], theirs.param_types.get(p)) for p in ours.param_types]
    if method != "init":  # Stream[StreamState, ...] vs the reference's state union: by design
        pairs.append(("result", ours.result_type, theirs.result_type))
    for label, mine, ref in pairs:
        if _type_names(mine) != _type_names(ref):
            problems.append(f"{label} types ours={_type_names(mine)} theirs={_type_names(ref)}")
    assert not problems, f"{method}:\n" + "\n".join(problems)


def test_init_is_the_only_stream_and_has_the_header() -> None:
    streams = [
        name
        for name, info in OUR_METHODS.items()
        if info.method_type != REFERENCE_METHODS["bind"].method_type
    ]
    assert streams == ["init"]
    assert OUR_METHODS["init"].header_type is invocation.GlobalInitResponse


def test_parity_counts(capsys: pytest.CaptureFixture[str]) -> None:
    n_types = sum(1 for name in REFERENCE_CLASSES if name in OURS)
    n_methods = sum(1 for name in REFERENCE_METHODS if name in OUR_METHODS)
    n_enums = len(REFERENCE_ENUMS)
    with capsys.disabled():
        print(f"\nparity: {n_types} types, {n_methods} methods, {n_enums} enums")
    assert n_types == len(REFERENCE_CLASSES) > 60
    assert n_methods == 72
    assert n_enums > 10


# ------------------------------------------------------------- refusals ----


def test_refusing_methods_cover_the_protocol_exactly() -> None:
    present = {name for name, value in vars(RefusingMethods).items() if callable(value)}
    assert present == set(OUR_METHODS)
    assert set(WRITE_METHODS) <= set(OUR_METHODS)
    for name in OUR_METHODS:
        declared = inspect.signature(getattr(VgiProtocol, name))
        implemented = inspect.signature(getattr(RefusingMethods, name))
        assert list(implemented.parameters) == list(declared.parameters), name
        assert [p.default for p in implemented.parameters.values()] == [
            p.default for p in declared.parameters.values()
        ], name


def test_rpc_server_accepts_refusing_methods() -> None:
    RpcServer(VgiProtocol, RefusingMethods())


def test_refused_read_method_says_not_implemented() -> None:
    impl = RefusingMethods()
    with pytest.raises(MethodNotImplementedError, match="not implemented") as caught:
        impl.catalog_table_scan_branches_get(attach_opaque_data=b"a", schema_path=["main"], name="t")
    assert caught.value.error_kind == "method_not_implemented"
    assert "catalog_table_scan_branches_get" in str(caught.value)


def test_refused_write_method_says_read_only() -> None:
    impl = RefusingMethods()
    with pytest.raises(CatalogReadOnlyError, match="read-only") as caught:
        impl.catalog_table_create(request=None)
    assert error_code_of(caught.value) is Code.FAILED_PRECONDITION
    assert "catalog_table_create" in str(caught.value)


def test_refusals_over_the_wire_as_seen_by_a_reference_protocol_client() -> None:
    # Our server, the reference's Protocol on the client side of an in-process pipe.
    client_transport, server_transport = make_pipe_pair()
    server = RpcServer(VgiProtocol, RefusingMethods())
    import threading

    thread = threading.Thread(target=server.serve, args=(server_transport,), daemon=True)
    thread.start()
    with RpcConnection(ref_protocol.VgiProtocol, client_transport) as client:
        with pytest.raises(RpcError) as not_implemented:
            client.catalog_copy_from_formats(attach_opaque_data=b"token")
        assert "not implemented" in str(not_implemented.value)
        assert not_implemented.value.error_kind == "method_not_implemented"
        with pytest.raises(RpcError) as read_only:
            client.catalog_view_drop(attach_opaque_data=b"token", schema_path=["main"], name="v")
        assert "read-only catalog" in str(read_only.value)
        assert read_only.value.error_code == Code.FAILED_PRECONDITION.value
    thread.join(timeout=5)
