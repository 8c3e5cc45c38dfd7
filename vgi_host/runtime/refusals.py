"""A base implementation of every ``vgi.v2`` method that politely refuses the call.

vgi-rpc refuses to start a server whose implementation lacks any method of its
Protocol, and a method that is merely absent is answered with "Protocol has no
method ...", which the reference client's fallbacks do not recognise.  So the
host subclasses :class:`RefusingMethods` and overrides what it really serves;
everything else answers with a deliberate error:

* writes and DDL raise :class:`~vgi_host.errors.CatalogReadOnlyError`
  (``FAILED_PRECONDITION``), as the reference's read-only catalogs do;
* everything else raises ``MethodNotImplementedError`` with a message
  containing "not implemented" — the phrase the reference client's fallbacks
  (scan branches → scan function, COPY formats → none) look for, while the C++
  extension keys on the ``method_not_implemented`` error kind it also carries.

Each refusal carries the protocol method's exact signature (``__signature__``
and ``__annotations__``, as the declaration's unevaluated strings), because
vgi-rpc validates implementations by parameter names.  The strings are not
resolved here: ``get_type_hints`` on 72 methods costs ~15 ms at every start,
and vgi-rpc resolves the Protocol's own annotations, never these.  The
attributes are typed ``Any`` so a subclass may override them with precise
signatures; check a finished host against the Protocol with
``impl: VgiProtocol = Host()``.
"""

from __future__ import annotations

import inspect
from typing import Any, ClassVar, NoReturn

from vgi_rpc.rpc import MethodNotImplementedError

from vgi_host.errors import CatalogReadOnlyError
from vgi_host.protocol.service import PROTOCOL_NAME, PROTOCOL_VERSION, VgiProtocol

__all__ = ["WRITE_METHODS", "RefusingMethods"]

#: Methods that would change the catalog (or open a transaction to do so).
WRITE_METHODS: frozenset[str] = frozenset(
    {
        "catalog_create",
        "catalog_drop",
        "catalog_transaction_begin",
        "catalog_transaction_commit",
        "catalog_transaction_rollback",
        "catalog_schema_create",
        "catalog_schema_drop",
        "catalog_table_create",
        "catalog_table_drop",
        "catalog_table_insert_function_get",
        "catalog_table_update_function_get",
        "catalog_table_delete_function_get",
        "catalog_table_comment_set",
        "catalog_table_column_comment_set",
        "catalog_table_rename",
        "catalog_table_column_add",
        "catalog_table_column_drop",
        "catalog_table_column_rename",
        "catalog_table_column_default_set",
        "catalog_table_column_default_drop",
        "catalog_table_column_type_change",
        "catalog_table_not_null_drop",
        "catalog_table_not_null_set",
        "catalog_view_create",
        "catalog_view_drop",
        "catalog_view_rename",
        "catalog_view_comment_set",
        "catalog_macro_create",
        "catalog_macro_drop",
        "catalog_index_create",
        "catalog_index_drop",
    }
)


def _refuse(name: str) -> Any:
    """Build a method that refuses *name*, with the protocol's signature attached."""
    declared = getattr(VgiProtocol, name)
    signature = inspect.signature(declared)

    if name in WRITE_METHODS:
        read_only = f"vgi-host serves a read-only catalog: {name} is not supported"

        def refuse(self: object, *args: object, **kwargs: object) -> NoReturn:
            raise CatalogReadOnlyError(read_only)

    else:
        missing = f"{name} is not implemented by vgi-host"

        def refuse(self: object, *args: object, **kwargs: object) -> NoReturn:
            raise MethodNotImplementedError(missing)

    refuse.__name__ = name
    refuse.__qualname__ = f"RefusingMethods.{name}"
    refuse.__doc__ = declared.__doc__
    refuse.__annotations__ = dict(declared.__annotations__)
    refuse.__signature__ = signature  # type: ignore[attr-defined]
    return refuse


class RefusingMethods:
    """Implements all 72 methods by refusing them; subclass and override what you serve."""

    # Not read by vgi-rpc (it reads the Protocol's), but they are Protocol
    # members, so declaring them lets mypy check ``impl: VgiProtocol = Host()``.
    protocol_name: ClassVar[str] = PROTOCOL_NAME
    protocol_version: ClassVar[str] = PROTOCOL_VERSION

    # invocation
    bind = _refuse("bind")
    init = _refuse("init")
    table_function_plan = _refuse("table_function_plan")
    table_function_cardinality = _refuse("table_function_cardinality")
    table_function_statistics = _refuse("table_function_statistics")
    table_function_dynamic_to_string = _refuse("table_function_dynamic_to_string")
    # aggregates
    aggregate_bind = _refuse("aggregate_bind")
    aggregate_update = _refuse("aggregate_update")
    aggregate_combine = _refuse("aggregate_combine")
    aggregate_finalize = _refuse("aggregate_finalize")
    aggregate_destructor = _refuse("aggregate_destructor")
    aggregate_window_init = _refuse("aggregate_window_init")
    aggregate_window = _refuse("aggregate_window")
    aggregate_window_batch = _refuse("aggregate_window_batch")
    aggregate_window_destructor = _refuse("aggregate_window_destructor")
    aggregate_streaming_open = _refuse("aggregate_streaming_open")
    aggregate_streaming_chunk = _refuse("aggregate_streaming_chunk")
    aggregate_streaming_close = _refuse("aggregate_streaming_close")
    # table buffering
    table_buffering_process = _refuse("table_buffering_process")
    table_buffering_combine = _refuse("table_buffering_combine")
    table_buffering_destructor = _refuse("table_buffering_destructor")
    # catalog lifecycle and transactions
    catalog_catalogs = _refuse("catalog_catalogs")
    catalog_attach = _refuse("catalog_attach")
    catalog_detach = _refuse("catalog_detach")
    catalog_create = _refuse("catalog_create")
    catalog_drop = _refuse("catalog_drop")
    catalog_version = _refuse("catalog_version")
    catalog_transaction_begin = _refuse("catalog_transaction_begin")
    catalog_transaction_commit = _refuse("catalog_transaction_commit")
    catalog_transaction_rollback = _refuse("catalog_transaction_rollback")
    # schemas and listings
    catalog_schemas = _refuse("catalog_schemas")
    catalog_schema_get = _refuse("catalog_schema_get")
    catalog_schema_create = _refuse("catalog_schema_create")
    catalog_schema_drop = _refuse("catalog_schema_drop")
    catalog_schema_contents_tables = _refuse("catalog_schema_contents_tables")
    catalog_schema_contents_views = _refuse("catalog_schema_contents_views")
    catalog_schema_contents_functions = _refuse("catalog_schema_contents_functions")
    catalog_schema_contents_macros = _refuse("catalog_schema_contents_macros")
    catalog_schema_contents_indexes = _refuse("catalog_schema_contents_indexes")
    catalog_contents = _refuse("catalog_contents")
    catalog_copy_from_formats = _refuse("catalog_copy_from_formats")
    # tables
    catalog_table_get = _refuse("catalog_table_get")
    catalog_table_create = _refuse("catalog_table_create")
    catalog_table_drop = _refuse("catalog_table_drop")
    catalog_table_scan_function_get = _refuse("catalog_table_scan_function_get")
    catalog_table_scan_branches_get = _refuse("catalog_table_scan_branches_get")
    catalog_table_column_statistics_get = _refuse("catalog_table_column_statistics_get")
    catalog_table_insert_function_get = _refuse("catalog_table_insert_function_get")
    catalog_table_update_function_get = _refuse("catalog_table_update_function_get")
    catalog_table_delete_function_get = _refuse("catalog_table_delete_function_get")
    catalog_table_comment_set = _refuse("catalog_table_comment_set")
    catalog_table_column_comment_set = _refuse("catalog_table_column_comment_set")
    catalog_table_rename = _refuse("catalog_table_rename")
    catalog_table_column_add = _refuse("catalog_table_column_add")
    catalog_table_column_drop = _refuse("catalog_table_column_drop")
    catalog_table_column_rename = _refuse("catalog_table_column_rename")
    catalog_table_column_default_set = _refuse("catalog_table_column_default_set")
    catalog_table_column_default_drop = _refuse("catalog_table_column_default_drop")
    catalog_table_column_type_change = _refuse("catalog_table_column_type_change")
    catalog_table_not_null_drop = _refuse("catalog_table_not_null_drop")
    catalog_table_not_null_set = _refuse("catalog_table_not_null_set")
    # views
    catalog_view_get = _refuse("catalog_view_get")
    catalog_view_create = _refuse("catalog_view_create")
    catalog_view_drop = _refuse("catalog_view_drop")
    catalog_view_rename = _refuse("catalog_view_rename")
    catalog_view_comment_set = _refuse("catalog_view_comment_set")
    # macros
    catalog_macro_get = _refuse("catalog_macro_get")
    catalog_macro_create = _refuse("catalog_macro_create")
    catalog_macro_drop = _refuse("catalog_macro_drop")
    # indexes
    catalog_index_get = _refuse("catalog_index_get")
    catalog_index_create = _refuse("catalog_index_create")
    catalog_index_drop = _refuse("catalog_index_drop")
