"""Which reference fixture classes the conformance suite ports, and which it cannot yet.

Classes are enumerated from the installed wheel's ``vgi/_test_fixtures``
modules listed in ``MODULES`` and classified by their reference base class
(never by an attribute).  ``EXCLUDED`` names every class left out, with the
reference feature it needs that vgi-host does not serve yet; the suite checks
that each excluded class really is refused, so an exclusion cannot outlive
the missing feature.
"""

from __future__ import annotations

import importlib
import inspect

from serving import FixtureRef

MODULES: tuple[str, ...] = (
    "scalar.arithmetic",
    "scalar.bench_ladder",
    "scalar.binary",
    "scalar.formatting",
    "scalar.geo",
    "scalar.null_handling",
    "scalar.random_demo",
    "scalar.same_name",
    "scalar.settings_secrets",
    "scalar.type_info",
    "aggregate.basic",
    "aggregate.dynamic",
    "aggregate.generic",
    "aggregate.listagg",
    "aggregate.percentile",
    "aggregate.same_name",
    "aggregate.secret_typed",
    "aggregate.streaming",
    "aggregate.varargs",
    "aggregate.window",
    "table.sequence",
    "table.make_series",
    "table.pairs",
    "table.misc",
    "table.wide",
    "table.typed_probe",
    "table.catalog_scans",
    "table.order_modes",
    "table_in_out",
    "nest_tensor",
    "global_functions",
    "table.settings",
    "table.batch_index",
    "table.cache",
    "table.filters",
    "table.late_materialization",
    "table.partition_columns",
    "table.versioned",
)
"""Fixture modules (relative to ``vgi._test_fixtures``) whose function classes are ported."""

_DYNAMIC_FILTERS = "dynamic filter pushdown (params.current_pushdown_filters)"
_REFERENCE_ENV = "aiohttp, which the reference itself needs for this class and the test env lacks"
SCOPED_SECRETS = (
    "the two-round bind of secrets on_bind looks up (a bind answered with the secrets to look up, "
    "then bound again with them), which the reference client does not perform: no comparison through it"
)

RUNTIME_ATTRIBUTES = {
    _DYNAMIC_FILTERS: "current_pushdown_filters",
}
"""Exclusions for a ``params`` attribute the host does not provide: the class must use it."""

EXCLUDED: dict[str, str] = {
    "CacheExternalFailFunction": _REFERENCE_ENV,
    "DynamicFilterEchoFunction": _DYNAMIC_FILTERS,
    "LateMaterializationFunction": _DYNAMIC_FILTERS,
    "ScopedSecretDemoFunction": SCOPED_SECRETS,
    "MultiSecretDemoFunction": SCOPED_SECRETS,
    "SecretInOutFunction": SCOPED_SECRETS,
}
"""Class name -> the reference feature it needs that vgi-host does not serve yet."""


def exclusions(fixtures: list[tuple[FixtureRef, str]]) -> dict[str, str]:
    """``EXCLUDED``: every class left out, with the feature it needs."""
    return dict(EXCLUDED)


def kind_of(cls: type) -> str | None:
    """The reference kind of a fixture class, by base class."""
    from vgi.aggregate_function import AggregateFunction
    from vgi.scalar_function import ScalarFunction
    from vgi.table_buffering_function import TableBufferingFunction
    from vgi.table_function import TableFunctionGenerator
    from vgi.table_in_out_function import TableInOutGenerator

    for base, kind in (
        (ScalarFunction, "scalar"),
        (AggregateFunction, "aggregate"),
        (TableBufferingFunction, "table_buffering"),
        (TableInOutGenerator, "table_in_out"),
        (TableFunctionGenerator, "table"),
    ):
        if issubclass(cls, base):
            return kind
    return None


def enumerate_fixtures() -> list[tuple[FixtureRef, str]]:
    """Every public function class defined in ``MODULES``, with its kind."""
    found: list[tuple[FixtureRef, str]] = []
    for module_name in MODULES:
        module = importlib.import_module(f"vgi._test_fixtures.{module_name}")
        for name, value in vars(module).items():
            if not inspect.isclass(value) or value.__module__ != module.__name__ or name.startswith("_"):
                continue
            if inspect.isabstract(value):
                continue
            kind = kind_of(value)
            if kind is not None:
                found.append((FixtureRef(module_name, name), kind))
    return found
