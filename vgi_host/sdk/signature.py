"""Reading a ``compute`` signature into argument specs.

The annotations on ``compute`` are the single source of truth for a function's
arguments: the catalog entry, the bind-time checks and the per-batch call are
all derived from the :class:`ArgumentSpec` records built here, once, when the
function is registered.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable, Sequence
from typing import Any

import pyarrow as pa

from vgi_host.errors import FunctionDefinitionError
from vgi_host.protocol.wire import frozen_record
from vgi_host.sdk.annotations import function_hints
from vgi_host.sdk.context_markers import Auth, Secret, Setting
from vgi_host.sdk.duckdb_types import refuse_declared_type
from vgi_host.sdk.params import ConstParam, OutputLength, Param, Returns, TypeBound
from vgi_host.sdk.types import (
    AnnotationTypeError,
    column_type,
    constant_type,
    return_type,
    wants_scalar_object,
)
from vgi_host.sql_types import sql_type

NO_DEFAULT: Any = inspect.Parameter.empty
"""Marker for "the parameter has no default" (re-exported for readability)."""


@frozen_record
class ArgumentSpec:
    """One declared argument of a function, in declaration order."""

    name: str
    position: int
    """Index among all declared arguments (columns and constants together)."""
    is_constant: bool
    arrow_type: pa.DataType | None
    """Declared type; ``None`` for an any-type column."""
    doc: str
    type_bounds: tuple[TypeBound, ...] = ()
    constraint: ConstParam | None = None
    passes_scalar: bool = False
    """A constant annotated with a ``pa.Scalar`` class receives the scalar itself."""
    default: Any = NO_DEFAULT
    named: str | None = None
    """The SQL key of a named argument (``key := value``); None for positional ones."""
    is_table: bool = False
    """The TABLE input of a table-in-out function (its rows arrive as batches)."""
    declared_on_class: bool = False
    """An ``Arg`` class annotation (table and table-in-out arguments), not a ``compute`` parameter."""
    varargs: bool = False
    """The last positional argument, repeated: it stands for every remaining value or column."""

    @property
    def has_default(self) -> bool:
        """Whether the caller may omit this argument."""
        return self.default is not NO_DEFAULT

    @property
    def sql_type(self) -> str:
        """DuckDB's name for the declared type (``ANY`` for any-type), as a SQL user reads it."""
        return sql_type(self.arrow_type)


@frozen_record
class ComputeSignature:
    """Everything the annotations of a ``compute`` method declare."""

    arguments: tuple[ArgumentSpec, ...]
    result_type: pa.DataType
    result_doc: str
    length_parameter: str | None = None
    """The parameter annotated ``OutputLength()``: it receives the batch's row count."""
    session: tuple[tuple[str, Setting | Secret | Auth], ...] = ()
    """Parameters filled from the call's session: ``(name, Setting()/Secret()/Auth())``."""

    @property
    def columns(self) -> tuple[ArgumentSpec, ...]:
        """Column arguments, in the order their columns arrive in a batch."""
        return tuple(a for a in self.arguments if not a.is_constant)

    @property
    def constants(self) -> tuple[ArgumentSpec, ...]:
        """Constant arguments, in the order they arrive in ``Arguments.positional``."""
        return tuple(a for a in self.arguments if a.is_constant)


def _element(base: Any) -> Any:
    """``list[pa.Int64Array]`` -> ``pa.Int64Array``: a variadic parameter receives a list of columns."""
    if typing.get_origin(base) in (list, tuple, Sequence):
        members = typing.get_args(base)
        if members:
            return members[0]
    return base


def _bounds(bound: TypeBound | Sequence[TypeBound] | None) -> tuple[TypeBound, ...]:
    if bound is None:
        return ()
    if callable(bound):
        return (bound,)
    return tuple(bound)


def _marker(hint: Any) -> tuple[Any, Param | ConstParam | Returns | OutputLength | None]:
    """Split ``Annotated[T, marker]`` into ``(T, marker)``; ``(hint, None)`` otherwise."""
    if typing.get_origin(hint) is not typing.Annotated:
        return hint, None
    base, *extras = typing.get_args(hint)
    for extra in extras:
        if isinstance(extra, Param | ConstParam | Returns | OutputLength):
            return base, extra
    return base, None


def _session_marker(hint: Any) -> Setting | Secret | Auth | None:
    """The ``Setting()``/``Secret()``/``Auth()`` marker of a parameter, if it has one."""
    if typing.get_origin(hint) is not typing.Annotated:
        return None
    return next((e for e in typing.get_args(hint)[1:] if isinstance(e, Setting | Secret | Auth)), None)


def _hints(owner: type, method: Callable[..., Any]) -> dict[str, Any]:
    try:
        return function_hints(method, owner)
    except Exception as exc:  # NameError from a forward reference, mostly
        raise FunctionDefinitionError(
            f"{owner.__name__}.{method.__name__}: cannot resolve annotations: {exc}"
        ) from exc


def read_parameters(
    owner: type,
    method: Callable[..., Any],
    *,
    skip: int = 0,
    allow_session: bool = False,
    allow_phase: bool = False,
) -> tuple[ArgumentSpec, ...]:
    """Column (``Param``) and constant (``ConstParam``) parameters of ``method``.

    ``skip`` leaves out leading parameters the host fills itself (an
    aggregate's ``states`` and ``group_ids``).  ``allow_phase`` accepts
    ``ConstParam(phase=...)``, which only aggregates honour (the constant is
    withheld from the phases it does not name).  Raises
    :class:`FunctionDefinitionError` naming the class and parameter when an
    annotation is missing or has no Arrow type, so a pack author sees the
    problem at registration rather than at query time.
    """
    where = f"{owner.__name__}.{method.__name__}"
    hints = _hints(owner, method)
    parameters = [p for p in inspect.signature(method).parameters.values() if p.name not in ("cls", "self")]
    arguments: list[ArgumentSpec] = []
    for parameter in parameters[skip:]:
        position = len(arguments)
        if parameter.kind in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD):
            raise FunctionDefinitionError(f"{where}: *args/**kwargs are not supported ({parameter.name})")
        session = _session_marker(hints.get(parameter.name))
        if session is not None and not allow_session:
            raise FunctionDefinitionError(
                f"{where}: {type(session).__name__}() parameters are served on a scalar's compute only; "
                f"read params.settings / params.secrets / params.auth_context instead"
            )
        if session is not None:
            continue  # filled from the call's session (settings, secrets, caller), not a SQL argument
        base, marker = _marker(hints.get(parameter.name))
        if isinstance(marker, OutputLength):
            continue  # filled by the host with the row count, not a SQL argument
        try:
            if isinstance(marker, ConstParam) and marker.phase is not None and not allow_phase:
                raise FunctionDefinitionError(
                    f"{where}: constants loaded in a later phase (ConstParam(phase=...)) "
                    f"are not served by vgi-host yet"
                )
            if isinstance(marker, Param):
                arguments.append(
                    ArgumentSpec(
                        name=parameter.name,
                        position=position,
                        is_constant=False,
                        arrow_type=column_type(_element(base) if marker.varargs else base, marker.arrow_type),
                        doc=marker.doc,
                        type_bounds=_bounds(marker.type_bound),
                        default=parameter.default,
                        varargs=marker.varargs,
                    )
                )
            elif isinstance(marker, ConstParam):
                arguments.append(
                    ArgumentSpec(
                        name=parameter.name,
                        position=position,
                        is_constant=True,
                        arrow_type=constant_type(base, marker.arrow_type),
                        doc=marker.doc,
                        constraint=marker,
                        passes_scalar=wants_scalar_object(base),
                        default=parameter.default,
                    )
                )
            else:
                raise FunctionDefinitionError(
                    f"{where}: parameter {parameter.name!r} needs Annotated[..., Param(...)] "
                    f"or Annotated[..., ConstParam(...)]"
                )
        except AnnotationTypeError as exc:
            raise FunctionDefinitionError(f"{where}: parameter {parameter.name!r}: {exc}") from exc
        refuse_declared_type(f"{where}: parameter {parameter.name!r}", arguments[-1].arrow_type)
    columns = [a for a in arguments if not a.is_constant]
    if any(a.varargs for a in columns[:-1]):
        raise FunctionDefinitionError(
            f"{where}: only the last column parameter may be variadic (varargs=True)"
        )
    first_default = next((a for a in arguments if a.has_default), None)
    if first_default is not None:
        late = [a.name for a in arguments[first_default.position :] if not a.has_default]
        if late:
            raise FunctionDefinitionError(
                f"{where}: parameters with defaults must come last; {late} follow {first_default.name!r}"
            )
    return tuple(arguments)


def read_returns(
    owner: type, method: Callable[..., Any], *, column: bool = True, decided_at_bind: bool = False
) -> tuple[pa.DataType, str]:
    """The ``Returns`` annotation of ``method``: result type and doc.

    With ``column=False`` the annotated base is not an array class (an
    aggregate's ``finalize`` returns a ``pa.RecordBatch``), so ``Returns``
    must name the type.  With ``decided_at_bind`` (the class has ``on_bind``)
    an any-type result is allowed and reported as ``null`` until bind.
    """
    where = f"{owner.__name__}.{method.__name__}"
    base, marker = _marker(_hints(owner, method).get("return"))
    if not isinstance(marker, Returns):
        raise FunctionDefinitionError(f"{where}: the return annotation needs Annotated[..., Returns(...)]")
    if not column:
        if marker.arrow_type is None and decided_at_bind:
            return pa.null(), marker.doc
        if marker.arrow_type is None:
            raise FunctionDefinitionError(
                f"{where}: Returns(...) must name the result type, e.g. Returns(pa.float64())"
            )
        result = marker.arrow_type
    elif decided_at_bind and marker.arrow_type is None and column_type_or_none(base) is None:
        return pa.null(), marker.doc
    else:
        try:
            result = return_type(base, marker.arrow_type)
        except AnnotationTypeError as exc:
            raise FunctionDefinitionError(f"{where}: return: {exc}") from exc
    refuse_declared_type(f"{where}: return", result)
    return result, marker.doc


def column_type_or_none(annotated: Any) -> pa.DataType | None:
    """The Arrow type an array annotation implies, or None when it implies none."""
    try:
        return column_type(annotated, None)
    except AnnotationTypeError:
        return None


def output_length_parameter(owner: type, method: Callable[..., Any]) -> str | None:
    """The name of the parameter annotated ``OutputLength()``, if any."""
    hints = _hints(owner, method)
    for name, hint in hints.items():
        if name != "return" and isinstance(_marker(hint)[1], OutputLength):
            return name
    return None


def read_compute_signature(
    owner: type, compute: Callable[..., Any], *, decided_at_bind: bool = False
) -> ComputeSignature:
    """Build the :class:`ComputeSignature` of a scalar's ``compute``."""
    arguments = read_parameters(owner, compute, allow_session=True)
    result, doc = read_returns(owner, compute, decided_at_bind=decided_at_bind)
    hints = _hints(owner, compute)
    session = tuple(
        (name, marker)
        for name in inspect.signature(compute).parameters
        if (marker := _session_marker(hints.get(name))) is not None
    )
    return ComputeSignature(
        arguments=arguments,
        result_type=result,
        result_doc=doc,
        length_parameter=output_length_parameter(owner, compute),
        session=session,
    )
