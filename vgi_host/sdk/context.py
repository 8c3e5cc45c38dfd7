"""What the host hands to a pack's table, table-in-out and aggregate callbacks.

``params.args.count``, ``params.output_schema`` and ``out.emit(batch)`` are the
reference SDK's shapes.  None of these classes imports the RPC layer: the
collector wraps whatever the runtime gives it, so pack code depends only on
this small surface.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import pyarrow as pa

from vgi_host.sdk.context_markers import AuthContext
from vgi_host.sdk.session import ResolvedSecrets, SecretsAccessor, current_secrets, current_settings

if TYPE_CHECKING:
    from vgi_host.protocol.invocation import InitRequest

_logger = logging.getLogger("vgi_host.pack")


class Args:
    """Bound argument values by declared name: ``params.args.count``."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        self.__dict__.update(values)

    def __getattr__(self, name: str) -> Any:
        raise AttributeError(f"no argument named {name!r}; arguments: {sorted(self.__dict__)}")

    def __iter__(self) -> Iterator[str]:
        return iter(self.__dict__)

    def as_dict(self) -> dict[str, Any]:
        """The values as a plain dict."""
        return dict(self.__dict__)

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={v!r}" for k, v in self.__dict__.items())
        return f"Args({inner})"


@dataclass(frozen=True, slots=True)
class BindParams[ArgsT = Any]:
    """What ``on_bind`` sees: the call's arguments and (table-in-out) its input schema.

    Generic only so that reference-era annotations such as ``BindParams[MyArgs]`` evaluate.
    """

    args: Args
    input_schema: pa.Schema | None = None
    settings: dict[str, pa.Scalar[Any]] = field(default_factory=current_settings)
    """The call's DuckDB settings by name (the bind request's)."""
    secrets: SecretsAccessor = field(default_factory=current_secrets)
    """Secrets by type, name or scope; one not sent yet is looked up by the client, then bind runs again."""

    @property
    def bind_call(self) -> BindCall:
        """The reference's spelling of the input schema: ``params.bind_call.input_schema``."""
        return BindCall(input_schema=self.input_schema)


@dataclass(frozen=True, slots=True)
class BindCall:
    """The part of the bind request a reference-era ``on_bind`` reads."""

    input_schema: pa.Schema | None = None


@dataclass(slots=True)
class ProcessParams[ArgsT = Any]:
    """What ``initial_state``/``process`` (and aggregate callbacks) see for one execution.

    Generic only so that reference-era annotations such as ``ProcessParams[None]`` evaluate.
    """

    args: Args
    output_schema: pa.Schema
    """The schema to produce: already projected when the function opts into projection pushdown."""
    input_schema: pa.Schema | None = None
    execution_id: bytes = b""
    if_none_match: str | None = None
    """The validator of a result the client holds (sent with a table-in-out input batch), else None."""
    if_modified_since: str | None = None
    """The companion date validator of a conditional request, else None."""
    init_call: InitRequest | None = None
    """The raw init request of this execution (projection ids, filters, ORDER BY / sample hints)."""
    settings: dict[str, pa.Scalar[Any]] = field(default_factory=dict)
    """The call's DuckDB settings by name."""
    secrets: ResolvedSecrets = field(default_factory=ResolvedSecrets)
    """The secrets resolved for the call, by secret name."""
    auth_context: AuthContext = field(default_factory=AuthContext.anonymous)
    """Who is calling (anonymous: vgi-host passes no identity to packs yet)."""
    extras: dict[str, Any] = field(default_factory=dict)
    """Free space for the function's own per-execution values."""


class _Sink(Protocol):
    @property
    def output_schema(self) -> pa.Schema: ...

    def emit(self, batch: pa.RecordBatch) -> None: ...

    def finish(self) -> None: ...


class OutputCollector:
    """Where a table function puts its output: one ``emit`` or a ``finish`` per ``process`` call."""

    __slots__ = ("_sink",)

    def __init__(self, sink: _Sink) -> None:
        self._sink = sink

    @property
    def output_schema(self) -> pa.Schema:
        """The schema emitted batches must have (columns beyond it are dropped)."""
        return self._sink.output_schema

    def emit(self, batch: pa.RecordBatch, **hints: Any) -> None:
        """Send one batch; extra columns are projected away, compatible types cast.

        Keyword ``hints`` are the reference's per-batch annotations
        (``cache_control=...``); vgi-host does not forward them yet.
        """
        self._sink.emit(batch)

    def emit_pydict(self, data: Mapping[str, Any]) -> None:
        """Build a batch from plain Python lists, typed by ``output_schema``, and send it."""
        schema = self._sink.output_schema
        self._sink.emit(pa.RecordBatch.from_pydict({n: data[n] for n in schema.names}, schema=schema))

    def finish(self) -> None:
        """Declare the output complete (may follow an ``emit`` in the same call)."""
        self._sink.finish()

    def client_log(self, level: Any, message: str, **extra: str) -> None:
        """Send a log message to the client (the reference's ``out.client_log``).

        Forwarded to the RPC stream when the runtime's sink can carry it;
        otherwise written to the host's log, so the call never fails for it.
        """
        forward = getattr(self._sink, "client_log", None)
        if callable(forward):
            forward(level, message, **extra)
        else:
            _logger.info("%s %s", getattr(level, "name", level), message)


VgiOutputCollector = OutputCollector
"""The reference SDK's name for the collector a table function emits into."""
