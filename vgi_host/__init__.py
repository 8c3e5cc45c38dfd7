"""vgi-host: serve every installed VGI function pack through one DuckDB ATTACH.

This module is the pack author's public API and nothing else: the function
base classes of the four kinds, the annotation markers, the objects callbacks
receive, and the pluggy ``hookimpl`` marker.

Names are resolved on first use (PEP 562): a host process that only answers
catalog calls never imports the SDK or pluggy, and DuckDB starts one such
process per worker slot.  ``from vgi_host import ScalarFunction`` works as
usual, and type checkers see the real imports below.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    "AggregateBindParams": "vgi_host.sdk.aggregate_records",
    "AggregateFunction": "vgi_host.sdk.aggregate",
    "AndFilter": "vgi_host.sdk.pushdown",
    "AnyArrow": "vgi_host.sdk.values",
    "Arg": "vgi_host.sdk.params",
    "Args": "vgi_host.sdk.context",
    "ArgumentMonotonicity": "vgi_host.protocol.enums",
    "ArgumentTypeError": "vgi_host.sdk.scalar_bind",
    "ArgumentValidationError": "vgi_host.sdk.reference_errors",
    "Arguments": "vgi_host.protocol.arguments",
    "AttachCatalogInfo": "vgi_host.protocol.attach",
    "AttachOptionSpec": "vgi_host.protocol.attach",
    "Auth": "vgi_host.sdk.context_markers",
    "AuthContext": "vgi_host.sdk.context_markers",
    "BindError": "vgi_host.errors",
    "BindParameters": "vgi_host.sdk.scalar_bind",
    "BindParams": "vgi_host.sdk.context",
    "BindRequest": "vgi_host.protocol.invocation",
    "BindResponse": "vgi_host.protocol.invocation",
    "BindResult": "vgi_host.sdk.scalar_bind",
    "CACHE_SCOPE_CATALOG": "vgi_host.sdk.cache_control",
    "CACHE_SCOPE_TRANSACTION": "vgi_host.sdk.cache_control",
    "CacheControl": "vgi_host.sdk.cache_control",
    "Catalog": "vgi_host.sdk.worker",
    "CatalogAttachResult": "vgi_host.protocol.attach",
    "CatalogDataVersionRelease": "vgi_host.protocol.attach",
    "CatalogFunctionType": "vgi_host.protocol.enums",
    "CatalogInfo": "vgi_host.protocol.attach",
    "ColumnStatistics": "vgi_host.sdk.statistics",
    "ConstParam": "vgi_host.sdk.params",
    "ConstantFilter": "vgi_host.sdk.pushdown",
    "DistinctDependence": "vgi_host.protocol.enums",
    "FilterFunctionCapability": "vgi_host.protocol.functions",
    "FunctionExample": "vgi_host.sdk.params",
    "FunctionType": "vgi_host.protocol.enums",
    "FunctionInfo": "vgi_host.protocol.functions",
    "FunctionStability": "vgi_host.protocol.enums",
    "GlobalInitResponse": "vgi_host.protocol.invocation",
    "InFilter": "vgi_host.sdk.pushdown",
    "IndexConstraintType": "vgi_host.protocol.enums",
    "IndexInfo": "vgi_host.protocol.catalog",
    "InitParams": "vgi_host.sdk.table_decorators",
    "InitRequest": "vgi_host.protocol.invocation",
    "Level": "vgi_host.sdk.client_log",
    "MacroInfo": "vgi_host.protocol.catalog",
    "MacroType": "vgi_host.protocol.enums",
    "Message": "vgi_host.sdk.client_log",
    "NullHandling": "vgi_host.protocol.enums",
    "OnConflict": "vgi_host.protocol.enums",
    "OrFilter": "vgi_host.sdk.pushdown",
    "OrderDependence": "vgi_host.protocol.enums",
    "OrderPreservation": "vgi_host.protocol.enums",
    "OutputCollector": "vgi_host.sdk.context",
    "OutputLength": "vgi_host.sdk.params",
    "PackTable": "vgi_host.sdk.objects",
    "PackView": "vgi_host.sdk.objects",
    "Param": "vgi_host.sdk.params",
    "PartitionKind": "vgi_host.protocol.enums",
    "PlanResponse": "vgi_host.protocol.planning",
    "ProcessParams": "vgi_host.sdk.context",
    "PushdownFilters": "vgi_host.sdk.pushdown",
    "RegisterFunction": "vgi_host.packs.hookspecs",
    "Returns": "vgi_host.sdk.params",
    "RowCountMismatchError": "vgi_host.sdk.reference_errors",
    "RowTransformFunction": "vgi_host.sdk.table_in_out_reference",
    "ScalarFunction": "vgi_host.sdk.scalar",
    "ScanBranch": "vgi_host.protocol.scan",
    "ScanBranchesResult": "vgi_host.protocol.scan",
    "ScanFunctionResult": "vgi_host.protocol.scan",
    "ScanSplit": "vgi_host.protocol.planning",
    "ReadOnlyCatalogInterface": "vgi_host.sdk.catalog_interface",
    "RegisterSchema": "vgi_host.packs.hookspecs",
    "Schema": "vgi_host.sdk.worker",
    "SchemaInfo": "vgi_host.protocol.catalog",
    "SchemaObjectType": "vgi_host.protocol.enums",
    "SchemaPath": "vgi_host.sdk.wire_keys",
    "Secret": "vgi_host.sdk.context_markers",
    "SecretLookupEntry": "vgi_host.protocol.functions",
    "SecretTypeSpec": "vgi_host.protocol.attach",
    "Setting": "vgi_host.sdk.context_markers",
    "TableBufferingFunction": "vgi_host.sdk.table_buffering",
    "TableBufferingParams": "vgi_host.sdk.table_buffering",
    "TableCardinality": "vgi_host.protocol.invocation",
    "TableFunctionGenerator": "vgi_host.sdk.table",
    "TableInOutFunction": "vgi_host.sdk.table_in_out",
    "TableInOutGenerator": "vgi_host.sdk.table_in_out_reference",
    "TableInfo": "vgi_host.protocol.catalog",
    "TableInput": "vgi_host.sdk.params",
    "TableInputValidationError": "vgi_host.sdk.reference_errors",
    "TaggedUnion": "vgi_host.sdk.values",
    "TypeMismatchError": "vgi_host.sdk.reference_errors",
    "V2ExpressionFilter": "vgi_host.sdk.pushdown",
    "VGI_ARG_KEY": "vgi_host.sdk.wire_keys",
    "VGI_ARG_NAMED": "vgi_host.sdk.wire_keys",
    "VGI_CONST_KEY": "vgi_host.sdk.wire_keys",
    "VGI_CONST_TRUE": "vgi_host.sdk.wire_keys",
    "VGI_TYPE_ANY": "vgi_host.sdk.wire_keys",
    "VGI_TYPE_KEY": "vgi_host.sdk.wire_keys",
    "VGI_TYPE_TABLE": "vgi_host.sdk.wire_keys",
    "VGI_VARARGS_KEY": "vgi_host.sdk.wire_keys",
    "VGI_VARARGS_TRUE": "vgi_host.sdk.wire_keys",
    "VgiOutputCollector": "vgi_host.sdk.context",
    "VgiProtocol": "vgi_host.protocol.service",
    "ViewInfo": "vgi_host.protocol.catalog",
    "WindowPartition": "vgi_host.sdk.aggregate_records",
    "Worker": "vgi_host.sdk.worker",
    "bind_fixed_schema": "vgi_host.sdk.table_decorators",
    "hookimpl": "vgi_host.packs.hookspecs",
    "hookspec": "vgi_host.packs.hookspecs",
    "sql_type": "vgi_host.sql_types",
    "init_single_worker": "vgi_host.sdk.table_decorators",
    "partition_field": "vgi_host.sdk.schema_builder",
    "replaying_accepted_state": "vgi_host.sdk.pushdown",
    "schema": "vgi_host.sdk.schema_builder",
}

__all__ = [
    "CACHE_SCOPE_CATALOG",
    "CACHE_SCOPE_TRANSACTION",
    "VGI_ARG_KEY",
    "VGI_ARG_NAMED",
    "VGI_CONST_KEY",
    "VGI_CONST_TRUE",
    "VGI_TYPE_ANY",
    "VGI_TYPE_KEY",
    "VGI_TYPE_TABLE",
    "VGI_VARARGS_KEY",
    "VGI_VARARGS_TRUE",
    "AggregateBindParams",
    "AggregateFunction",
    "AndFilter",
    "AnyArrow",
    "Arg",
    "Args",
    "ArgumentMonotonicity",
    "ArgumentTypeError",
    "ArgumentValidationError",
    "Arguments",
    "AttachCatalogInfo",
    "AttachOptionSpec",
    "Auth",
    "AuthContext",
    "BindError",
    "BindParameters",
    "BindParams",
    "BindRequest",
    "BindResponse",
    "BindResult",
    "CacheControl",
    "Catalog",
    "CatalogAttachResult",
    "CatalogDataVersionRelease",
    "CatalogFunctionType",
    "CatalogInfo",
    "ColumnStatistics",
    "ConstParam",
    "ConstantFilter",
    "DistinctDependence",
    "FilterFunctionCapability",
    "FunctionExample",
    "FunctionInfo",
    "FunctionStability",
    "FunctionType",
    "GlobalInitResponse",
    "InFilter",
    "IndexConstraintType",
    "IndexInfo",
    "InitParams",
    "InitRequest",
    "Level",
    "MacroInfo",
    "MacroType",
    "Message",
    "NullHandling",
    "OnConflict",
    "OrFilter",
    "OrderDependence",
    "OrderPreservation",
    "OutputCollector",
    "OutputLength",
    "PackTable",
    "PackView",
    "Param",
    "PartitionKind",
    "PlanResponse",
    "ProcessParams",
    "PushdownFilters",
    "ReadOnlyCatalogInterface",
    "RegisterFunction",
    "RegisterSchema",
    "Returns",
    "RowCountMismatchError",
    "RowTransformFunction",
    "ScalarFunction",
    "ScanBranch",
    "ScanBranchesResult",
    "ScanFunctionResult",
    "ScanSplit",
    "Schema",
    "SchemaInfo",
    "SchemaObjectType",
    "SchemaPath",
    "Secret",
    "SecretLookupEntry",
    "SecretTypeSpec",
    "Setting",
    "TableBufferingFunction",
    "TableBufferingParams",
    "TableCardinality",
    "TableFunctionGenerator",
    "TableInOutFunction",
    "TableInOutGenerator",
    "TableInfo",
    "TableInput",
    "TableInputValidationError",
    "TaggedUnion",
    "TypeMismatchError",
    "V2ExpressionFilter",
    "VgiOutputCollector",
    "VgiProtocol",
    "ViewInfo",
    "WindowPartition",
    "Worker",
    "__version__",
    "bind_fixed_schema",
    "hookimpl",
    "hookspec",
    "init_single_worker",
    "partition_field",
    "replaying_accepted_state",
    "schema",
    "sql_type",
]

if TYPE_CHECKING:
    from vgi_host.errors import BindError
    from vgi_host.packs.hookspecs import RegisterFunction, RegisterSchema, hookimpl, hookspec
    from vgi_host.protocol.arguments import Arguments
    from vgi_host.protocol.attach import (
        AttachCatalogInfo,
        AttachOptionSpec,
        CatalogAttachResult,
        CatalogDataVersionRelease,
        CatalogInfo,
        SecretTypeSpec,
    )
    from vgi_host.protocol.catalog import IndexInfo, MacroInfo, SchemaInfo, TableInfo, ViewInfo
    from vgi_host.protocol.enums import (
        ArgumentMonotonicity,
        CatalogFunctionType,
        DistinctDependence,
        FunctionStability,
        FunctionType,
        IndexConstraintType,
        MacroType,
        NullHandling,
        OnConflict,
        OrderDependence,
        OrderPreservation,
        PartitionKind,
        SchemaObjectType,
    )
    from vgi_host.protocol.functions import FilterFunctionCapability, FunctionInfo, SecretLookupEntry
    from vgi_host.protocol.invocation import (
        BindRequest,
        BindResponse,
        GlobalInitResponse,
        InitRequest,
        TableCardinality,
    )
    from vgi_host.protocol.planning import PlanResponse, ScanSplit
    from vgi_host.protocol.scan import ScanBranch, ScanBranchesResult, ScanFunctionResult
    from vgi_host.protocol.service import VgiProtocol
    from vgi_host.sdk.aggregate import AggregateFunction
    from vgi_host.sdk.aggregate_records import AggregateBindParams, WindowPartition
    from vgi_host.sdk.cache_control import CACHE_SCOPE_CATALOG, CACHE_SCOPE_TRANSACTION, CacheControl
    from vgi_host.sdk.catalog_interface import ReadOnlyCatalogInterface
    from vgi_host.sdk.client_log import Level, Message
    from vgi_host.sdk.context import Args, BindParams, OutputCollector, ProcessParams, VgiOutputCollector
    from vgi_host.sdk.context_markers import Auth, AuthContext, Secret, Setting
    from vgi_host.sdk.objects import PackTable, PackView
    from vgi_host.sdk.params import Arg, ConstParam, FunctionExample, OutputLength, Param, Returns, TableInput
    from vgi_host.sdk.pushdown import (
        AndFilter,
        ConstantFilter,
        InFilter,
        OrFilter,
        PushdownFilters,
        V2ExpressionFilter,
        replaying_accepted_state,
    )
    from vgi_host.sdk.reference_errors import (
        ArgumentValidationError,
        RowCountMismatchError,
        TableInputValidationError,
        TypeMismatchError,
    )
    from vgi_host.sdk.scalar import ScalarFunction
    from vgi_host.sdk.scalar_bind import ArgumentTypeError, BindParameters, BindResult
    from vgi_host.sdk.schema_builder import partition_field, schema
    from vgi_host.sdk.statistics import ColumnStatistics
    from vgi_host.sdk.table import TableFunctionGenerator
    from vgi_host.sdk.table_buffering import TableBufferingFunction, TableBufferingParams
    from vgi_host.sdk.table_decorators import InitParams, bind_fixed_schema, init_single_worker
    from vgi_host.sdk.table_in_out import TableInOutFunction
    from vgi_host.sdk.table_in_out_reference import RowTransformFunction, TableInOutGenerator
    from vgi_host.sdk.values import AnyArrow, TaggedUnion
    from vgi_host.sdk.wire_keys import (
        VGI_ARG_KEY,
        VGI_ARG_NAMED,
        VGI_CONST_KEY,
        VGI_CONST_TRUE,
        VGI_TYPE_ANY,
        VGI_TYPE_KEY,
        VGI_TYPE_TABLE,
        VGI_VARARGS_KEY,
        VGI_VARARGS_TRUE,
        SchemaPath,
    )
    from vgi_host.sdk.worker import Catalog, Schema, Worker
    from vgi_host.sql_types import sql_type


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'vgi_host' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
