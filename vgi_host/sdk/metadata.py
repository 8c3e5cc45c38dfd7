"""Resolving a function class's catalog metadata from its ``Meta`` and docstring.

Pack authors describe a function with an optional inner ``class Meta`` (the
reference SDK's convention) and the class docstring.  Unknown ``Meta``
attributes are rejected rather than ignored: a typo such as ``descripton``
would otherwise silently leave a function undocumented.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Mapping, Sequence
from dataclasses import field
from typing import Any

from vgi_host.errors import FunctionDefinitionError
from vgi_host.protocol.enums import (
    ArgumentMonotonicity,
    DistinctDependence,
    FunctionStability,
    NullHandling,
    OrderDependence,
)
from vgi_host.protocol.wire import frozen_record
from vgi_host.sdk.context_markers import Secret, Setting
from vgi_host.sdk.params import FunctionExample
from vgi_host.sdk.session import SecretLookup, session_parameters

SQL_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\Z")
"""Names DuckDB accepts unquoted; anything else would need quoting in every query."""

KNOWN_META_ATTRIBUTES = frozenset(
    {
        "name",
        "description",
        "comment",
        "examples",
        "categories",
        "tags",
        "stability",
        "null_handling",
        # table and table-in-out functions
        "projection_pushdown",
        "max_workers",
        # row-transform (blended) table-in-out functions
        "input_rows_per_call",
        # aggregates
        "order_dependent",
        "distinct_dependent",
        # scalar
        "argument_monotonicity",
        # settings and secrets the function reads (also taken from Setting()/Secret() parameters)
        "required_settings",
        "required_secrets",
        # table-buffering functions
        "source_order_dependent",
        "sink_order_dependent",
        "requires_input_batch_index",
    }
)

REFERENCE_ONLY_META_ATTRIBUTES = frozenset(
    {
        # Accepted so that code written for vgi-python 0.47.0 loads unchanged; the host does not
        # act on them yet (the function is served without the optimisation each one enables).
        "filter_pushdown",
        "auto_apply_filters",
        "sampling_pushdown",
        "late_materialization",
        "filter_semantic_profiles",
        "additional_filter_functions",
        "runtime_filter_algorithms",
        "filter_evaluation_contexts",
        "preserves_order",
        "supports_batch_index",
        "supports_splits",
        "filters_exactly_applied",
        "supports_positions",
        "split_token_ttl_seconds",
        "partition_kind",
        "supports_window",
        "streaming_partitioned",
        "has_finalize",
        "input_from_args",
        "cache_control",
    }
)
"""``Meta`` attributes of the reference SDK that vgi-host accepts but does not serve yet."""


@frozen_record
class FunctionMetadata:
    """What the catalog says about a function besides its arguments."""

    name: str
    description: str
    """What the catalog sends: ``Meta.description``, else the docstring's first line (as the reference)."""
    comment: str | None = None
    examples: tuple[FunctionExample, ...] = ()
    categories: tuple[str, ...] = ()
    tags: Mapping[str, str] = field(default_factory=dict)
    stability: FunctionStability | None = None
    null_handling: NullHandling | None = None
    projection_pushdown: bool = False
    """The function reads ``params.output_schema`` and may produce only the requested columns."""
    max_workers: int | None = None
    """How many processes may share one table call; None lets the kind decide (see each kind)."""
    input_rows_per_call: int | None = None
    """Row transforms: the most input rows one call may carry (the client splits larger chunks)."""
    order_dependent: OrderDependence | None = None
    distinct_dependent: DistinctDependence | None = None
    argument_monotonicity: tuple[ArgumentMonotonicity, ...] | None = None
    """Per declared argument: how the result moves when that argument grows (scalars)."""
    required_settings: tuple[str, ...] = ()
    """DuckDB settings the function reads: ``Meta.required_settings``, then ``Setting()`` parameters."""
    required_secrets: tuple[SecretLookup, ...] = ()
    """Secrets the function reads: ``Meta.required_secrets``, then ``Secret()`` parameters."""
    documentation: str = ""
    """For people (`vgi-host info`, `list --json`): ``Meta.description``, else the whole docstring."""


def snake_case(class_name: str) -> str:
    """``HaversineKm`` -> ``haversine_km``; ``HTTPGet`` -> ``http_get``."""
    words = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", class_name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", words).lower()


def meta_attributes(cls: type) -> dict[str, Any]:
    """Merge ``Meta`` classes along the MRO, nearest class winning."""
    merged: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        meta = klass.__dict__.get("Meta")
        if meta is None:
            continue
        merged.update({k: v for k, v in vars(meta).items() if not k.startswith("_")})
    return merged


def _examples(raw: Sequence[FunctionExample | str]) -> tuple[FunctionExample, ...]:
    return tuple(FunctionExample(sql=item) if isinstance(item, str) else item for item in raw)


def resolve_metadata(cls: type) -> FunctionMetadata:
    """Read ``cls.Meta`` and the docstring into a :class:`FunctionMetadata`."""
    attributes = meta_attributes(cls)
    unknown = sorted(set(attributes) - KNOWN_META_ATTRIBUTES - REFERENCE_ONLY_META_ATTRIBUTES)
    if unknown:
        raise FunctionDefinitionError(
            f"{cls.__name__}.Meta has unknown attributes {unknown}; known: {sorted(KNOWN_META_ATTRIBUTES)}"
        )
    name = attributes.get("name") or snake_case(cls.__name__)
    if not isinstance(name, str) or not SQL_IDENTIFIER.match(name):
        raise FunctionDefinitionError(f"{cls.__name__}: SQL name {name!r} is not a valid identifier")
    docstring = inspect.cleandoc(cls.__doc__) if cls.__doc__ else ""
    # The wire carries the reference's description (a ported worker's catalog reads the same);
    # people reading `vgi-host info` get the whole docstring as its documentation.
    description = attributes.get("description") or docstring.split("\n", 1)[0]
    documentation = attributes.get("description") or docstring
    stability = attributes.get("stability")
    null_handling = attributes.get("null_handling")
    if stability is not None and not isinstance(stability, FunctionStability):
        raise FunctionDefinitionError(f"{cls.__name__}.Meta.stability must be a FunctionStability")
    if null_handling is not None and not isinstance(null_handling, NullHandling):
        raise FunctionDefinitionError(f"{cls.__name__}.Meta.null_handling must be a NullHandling")
    max_workers = attributes.get("max_workers")
    if max_workers is not None and (not isinstance(max_workers, int) or max_workers < 1):
        raise FunctionDefinitionError(f"{cls.__name__}.Meta.max_workers must be a positive int or None")
    return FunctionMetadata(
        name=name,
        description=description,
        documentation=documentation,
        comment=attributes.get("comment"),
        examples=_examples(attributes.get("examples", ())),
        categories=tuple(attributes.get("categories", ())),
        tags=dict(attributes.get("tags", {})),
        stability=stability,
        null_handling=null_handling,
        projection_pushdown=bool(attributes.get("projection_pushdown", False)),
        max_workers=max_workers,
        input_rows_per_call=_input_rows_per_call(cls, attributes.get("input_rows_per_call")),
        order_dependent=attributes.get("order_dependent"),
        distinct_dependent=attributes.get("distinct_dependent"),
        argument_monotonicity=_monotonicity(cls, attributes.get("argument_monotonicity")),
        **_requirements(cls, attributes),
    )


def _requirements(cls: type, attributes: Mapping[str, Any]) -> dict[str, Any]:
    """Settings and secrets from ``Meta``, then from the session parameters of ``compute``/``on_bind``."""
    settings = [str(s) for s in attributes.get("required_settings", ())]
    secrets: list[SecretLookup] = []
    for entry in attributes.get("required_secrets", ()):
        if isinstance(entry, Mapping):
            secrets.append(SecretLookup(entry["secret_type"], entry.get("scope"), entry.get("secret_name")))
        else:
            secrets.append(SecretLookup(entry.secret_type, entry.scope, entry.secret_name))
    parameters = (*session_parameters(cls, "compute"), *session_parameters(cls, "on_bind"))
    keys = sorted({marker.name or name for name, marker in parameters if isinstance(marker, Setting)})
    settings += [key for key in keys if key not in settings]
    types = {s.secret_type for s in secrets}
    for _, marker in parameters:
        if isinstance(marker, Secret) and marker.secret_type not in types:
            secrets.append(SecretLookup(marker.secret_type, marker.scope, marker.name))
            types.add(marker.secret_type)
    return {"required_settings": tuple(settings), "required_secrets": tuple(secrets)}


def _input_rows_per_call(cls: type, raw: Any) -> int | None:
    if raw is None:
        return None
    if not isinstance(raw, int) or isinstance(raw, bool) or raw < 1:
        raise FunctionDefinitionError(f"{cls.__name__}.Meta.input_rows_per_call must be a positive int")
    return raw


def _monotonicity(cls: type, raw: Any) -> tuple[ArgumentMonotonicity, ...] | None:
    if raw is None:
        return None
    values = tuple(raw)
    if not all(isinstance(v, ArgumentMonotonicity) for v in values):
        raise FunctionDefinitionError(
            f"{cls.__name__}.Meta.argument_monotonicity must list ArgumentMonotonicity"
        )
    return values
