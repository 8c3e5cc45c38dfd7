"""Table-buffering functions: read the whole input, then produce output (sink, combine, source).

``SELECT * FROM pack.fn((SELECT ...))`` where no output row can be written
before every input row was seen: a sort, a distance matrix, a global
statistic.  DuckDB drives three phases, possibly from several threads and
pooled processes:

1. **sink** - ``process(batch, params) -> state_id`` once per input batch,
   in parallel; the function stores what it needs in ``params.storage`` (the
   call's storage, shared by every process serving the call) and names it
   with an opaque ``state_id``;
2. **combine** - ``combine(state_ids, params) -> finalize_state_ids`` once,
   with every state id the sinks returned;
3. **source** - per finalize id, ``initial_finalize_state(fid, params)`` then
   ``finalize(params, fid, state, out)`` once per output batch until it calls
   ``out.finish()``.

The callbacks are classmethods in vgi-python 0.47.0's shape; plain instance
methods are accepted too (the host makes one throwaway instance to call them).
``on_bind(params) -> BindResponse`` decides the output schema (by default the
input's).  ``Meta`` takes the reference's ordering flags:
``sink_order_dependent``, ``source_order_dependent`` and
``requires_input_batch_index`` (then ``params.batch_index`` is set in
``process``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from vgi_host.errors import BindError, FunctionDefinitionError
from vgi_host.sdk.binding import bind_declared
from vgi_host.sdk.caching import cached_definition
from vgi_host.sdk.context import Args, BindParams, OutputCollector, ProcessParams
from vgi_host.sdk.declarations import read_table_kind_arguments
from vgi_host.sdk.duckdb_types import refuse_output_schema
from vgi_host.sdk.metadata import FunctionMetadata, meta_attributes, resolve_metadata
from vgi_host.sdk.signature import ArgumentSpec
from vgi_host.sdk.table_answers import schema_of_bind_answer

__all__ = ["BoundBuffering", "TableBufferingDefinition", "TableBufferingFunction", "TableBufferingParams"]


def _no_log(*_args: Any, **_kwargs: Any) -> None:
    """Where ``params.client_log`` goes when nothing carries it (a unit test building params)."""


@dataclass(slots=True, kw_only=True)
class TableBufferingParams[ArgsT = Any](ProcessParams[ArgsT]):
    """What a buffering function's callbacks see for one execution.

    Besides :class:`ProcessParams`' ``args``/``output_schema``/``execution_id``:
    ``storage`` (the call's storage, shared by every process serving the
    call: key/value, logs, a queue, counters - see
    :mod:`vgi_host.state.call_storage`), the identity fields the reference
    names (``function_name``, ``attach_id``, ``transaction_id``), the raw
    ``init_call`` request, ``batch_index`` in ``process`` when
    ``Meta.requires_input_batch_index`` is set, and ``client_log`` (a log
    line for the client, from ``process``/``combine`` which have no ``out``).
    """

    storage: Any = None
    init_call: Any = None
    function_name: str = ""
    attach_id: bytes = b""
    attach_opaque_data: bytes | None = None
    transaction_id: bytes | None = None
    worker_path: str | None = None
    batch_index: int | None = None
    settings: dict[str, Any] = field(default_factory=dict)
    auth_context: Any = None
    client_log: Callable[..., None] = field(default=_no_log, repr=False, compare=False)


class TableBufferingFunction[ArgsT = Any, FinalizeStateT = None]:
    """Base class of table-buffering functions (see the module docstring)."""

    @classmethod
    def on_bind(cls, params: BindParams[ArgsT]) -> Any:
        """The output schema: by default the input's.  A ``pa.Schema`` or a ``BindResponse``."""
        return params.input_schema

    @classmethod
    def process(cls, batch: pa.RecordBatch, params: TableBufferingParams[ArgsT]) -> bytes:
        """Store one input batch (in ``params.storage``) and return an opaque ``state_id``."""
        raise NotImplementedError(f"{cls.__name__} must define process(batch, params)")

    @classmethod
    def combine(cls, state_ids: list[bytes], params: TableBufferingParams[ArgsT]) -> list[bytes]:
        """Every sink's state id in, one finalize id per output stream out."""
        raise NotImplementedError(f"{cls.__name__} must define combine(state_ids, params)")

    @classmethod
    def initial_finalize_state(
        cls, finalize_state_id: bytes, params: TableBufferingParams[ArgsT]
    ) -> FinalizeStateT | None:
        """The state of one output stream before its first ``finalize`` (None by default)."""
        return None

    @classmethod
    def finalize(
        cls,
        params: TableBufferingParams[ArgsT],
        finalize_state_id: bytes,
        state: FinalizeStateT,
        out: OutputCollector,
    ) -> None:
        """Emit one output batch (mutating ``state`` to remember where it is), or ``out.finish()``."""
        raise NotImplementedError(
            f"{cls.__name__} must define finalize(params, finalize_state_id, state, out)"
        )

    @classmethod
    def on_cancel(cls, params: TableBufferingParams[ArgsT], finalize_state_id: bytes, state: Any) -> None:
        """Release what an abandoned output stream held (nothing by default)."""

    @classmethod
    def definition(cls) -> TableBufferingDefinition:
        """The validated definition of this class, computed once and cached on it."""
        return cached_definition(cls, TableBufferingDefinition, lambda: TableBufferingDefinition.of(cls))


_CALLBACKS = ("process", "combine", "finalize")


def _defines(cls: type, name: str) -> bool:
    """Whether ``name`` is defined below :class:`TableBufferingFunction` in ``cls``'s MRO."""
    for klass in cls.__mro__:
        if klass is TableBufferingFunction:
            return False
        if name in vars(klass):
            return True
    return False


def callback(cls: type, name: str) -> Callable[..., Any]:
    """The callable for ``cls.name``: the classmethod itself, or an instance's bound method.

    Classmethods and staticmethods are the reference's spelling; a plain
    function in the class body is an instance method, called on a fresh
    instance (the class must construct without arguments, and keeps no state
    in it: every call may run in another process).
    """
    for klass in cls.__mro__:
        if name in vars(klass):
            raw = vars(klass)[name]
            if isinstance(raw, classmethod | staticmethod) or not callable(raw):
                return getattr(cls, name)  # type: ignore[no-any-return]
            try:
                instance = cls()
            except TypeError as exc:
                raise FunctionDefinitionError(
                    f"{cls.__name__}.{name} is an instance method, so {cls.__name__} must be "
                    f"constructible without arguments: {exc}"
                ) from exc
            return getattr(instance, name)  # type: ignore[no-any-return]
    raise FunctionDefinitionError(f"{cls.__name__} has no {name}")


@dataclass(frozen=True, slots=True)
class BoundBuffering:
    """One bound call: arguments checked, input and output schemas known."""

    definition: TableBufferingDefinition
    args: Args
    input_schema: pa.Schema
    output_schema: pa.Schema


@dataclass(frozen=True, slots=True)
class TableBufferingDefinition:
    """A table-buffering function as the host sees it."""

    function_class: type[TableBufferingFunction[Any, Any]]
    metadata: FunctionMetadata
    arguments: tuple[ArgumentSpec, ...]
    sink_order_dependent: bool = False
    """Sinks must see the input in order, from one thread (DuckDB disables its parallel sink)."""
    source_order_dependent: bool = False
    """Output streams are read one after the other, in ``combine``'s order."""
    requires_input_batch_index: bool = False
    """``process`` receives DuckDB's batch index in ``params.batch_index``."""

    @classmethod
    def of(cls, function_class: type[TableBufferingFunction[Any, Any]]) -> TableBufferingDefinition:
        """Validate ``function_class`` and read its definition."""
        missing = [name for name in _CALLBACKS if not _defines(function_class, name)]
        if missing:
            raise FunctionDefinitionError(f"{function_class.__name__} must define {', '.join(missing)}")
        meta = meta_attributes(function_class)
        sink_ordered = bool(meta.get("sink_order_dependent", False))
        batch_index = bool(meta.get("requires_input_batch_index", False))
        if sink_ordered and batch_index:
            raise FunctionDefinitionError(
                f"{function_class.__name__}.Meta: sink_order_dependent and requires_input_batch_index "
                f"exclude each other (an ordered single-thread sink has no use for batch indexes)"
            )
        return cls(
            function_class,
            resolve_metadata(function_class),
            read_table_kind_arguments(function_class),
            sink_order_dependent=sink_ordered,
            source_order_dependent=bool(meta.get("source_order_dependent", False)),
            requires_input_batch_index=batch_index,
        )

    @property
    def name(self) -> str:
        """The SQL name."""
        return self.metadata.name

    def bind(
        self,
        input_schema: pa.Schema | None,
        positional: Sequence[pa.Scalar[Any] | None],
        named: Mapping[str, pa.Scalar[Any]],
    ) -> BoundBuffering:
        """Check one call's arguments and ask ``on_bind`` for the output schema."""
        if input_schema is None:
            raise BindError("a table-buffering function needs an input table")
        args = Args(bind_declared(self.arguments, positional, named))
        on_bind = callback(self.function_class, "on_bind")
        answer = schema_of_bind_answer(on_bind(BindParams(args=args, input_schema=input_schema)))
        if answer is None:
            answer = input_schema
        if not isinstance(answer, pa.Schema) or len(answer) == 0:
            raise BindError(f"on_bind must answer a non-empty output schema; got {answer!r}")
        refuse_output_schema(answer)
        return BoundBuffering(self, args, input_schema, answer)
