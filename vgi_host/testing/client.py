"""A small client that calls packs' functions through a real ``vgi-host serve``.

:class:`HostClient` starts ``vgi-host serve`` as a subprocess, restricted to
the packs a test names (``VGI_HOST_PACKS``), and speaks ``vgi.v2`` to it with
``vgi_rpc.connect`` and the host's own wire types, in the order DuckDB's
extension makes its calls:

* scalar: ``bind``, then ``init`` opens an exchange stream; one output batch
  per input batch;
* table: ``bind``, then ``init`` opens a producer stream; one tick per batch
  until the stream ends;
* table-in-out: ``bind``, ``init`` with phase ``INPUT`` (an exchange stream;
  ``vgi.status: HAVE_MORE_OUTPUT`` is answered with zero-row ``CONTINUE``
  ticks), then, for a function with a finalize stage, ``init`` with phase
  ``FINALIZE`` and the same ``execution_id``;
* aggregate: ``aggregate_bind``, ``aggregate_update`` (``__vgi_group_id`` int64
  first), ``aggregate_combine`` when the rows were split into partitions,
  ``aggregate_finalize``, and always ``aggregate_destructor``.

Arguments and results are plain Python values; Arrow values are accepted
wherever a test needs an exact type.  The reference client (vgi-python) is not
used, so a pack's tests need nothing but vgi-host.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import logging
import os
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, cast

import pyarrow as pa
import vgi_rpc
from vgi_rpc import AnnotatedBatch, StderrMode, StreamSession

from vgi_host.protocol.aggregate import (
    AggregateBindRequest,
    AggregateCombineRequest,
    AggregateDestructorRequest,
    AggregateFinalizeRequest,
    AggregateUpdateRequest,
)
from vgi_host.protocol.arguments import Arguments
from vgi_host.protocol.attach import CatalogAttachRequest
from vgi_host.protocol.catalog import SchemaInfo
from vgi_host.protocol.enums import FunctionType, SchemaObjectType, TableInOutFunctionInitPhase
from vgi_host.protocol.functions import FunctionInfo
from vgi_host.protocol.invocation import BindRequest, BindResponse, GlobalInitResponse, InitRequest
from vgi_host.protocol.service import VgiProtocol
from vgi_host.testing.assertions import documentation_problems, example_problems

__all__ = ["GROUP_ID_COLUMN", "HostClient", "HostStartError", "VgiCallError"]

GROUP_ID_COLUMN = "__vgi_group_id"
"""The int64 column that leads every ``aggregate_update`` batch."""

STATUS_KEY = b"vgi.status"
HAVE_MORE_OUTPUT = b"HAVE_MORE_OUTPUT"
CONTINUE = b"CONTINUE"

# The host's environment variables (see docs/configuration.md).
ENV_PACKS = "VGI_HOST_PACKS"
ENV_DISABLE = "VGI_HOST_DISABLE"
ENV_CONFIG = "VGI_HOST_CONFIG"
ENV_STRICT = "VGI_HOST_STRICT"
ENV_STATE_DB = "VGI_HOST_STATE_DB"
ENV_CACHE_DIR = "VGI_HOST_CACHE_DIR"

_FUNCTION_LISTINGS = (
    SchemaObjectType.SCALAR_FUNCTION,
    SchemaObjectType.TABLE_FUNCTION,
    SchemaObjectType.AGGREGATE_FUNCTION,
)

_ENVIRON_LOCK = threading.Lock()
_LOG_TAIL = 40


class VgiCallError(Exception):
    """The host answered a call with an error.

    ``str(error)`` is the host's message, which names the pack and function
    (``geo.haversine_km: lat1 must be within [-90, 90]; row 2 is 91.0``), so
    ``pytest.raises(VgiCallError, match=...)`` reads like the SQL error a
    DuckDB user would see.
    """

    def __init__(self, message: str, *, error_type: str = "", remote_traceback: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.error_type = error_type
        """The exception class the host raised (``BindError``, ``FunctionError``, ...)."""
        self.remote_traceback = remote_traceback

    @classmethod
    def from_rpc(cls, error: vgi_rpc.RpcError) -> VgiCallError:
        """Wrap a vgi-rpc error, keeping the host's message as the message."""
        return cls(
            error.error_message or str(error),
            error_type=error.error_type,
            remote_traceback=error.remote_traceback,
        )


class HostStartError(RuntimeError):
    """``vgi-host serve`` did not start, or does not serve a pack the test asked for."""


def default_serve_argv() -> list[str]:
    """``vgi-host serve`` from this interpreter's environment (``python -m vgi_host serve`` without it)."""
    script = Path(sys.executable).parent / ("vgi-host.exe" if os.name == "nt" else "vgi-host")
    if script.exists():
        return [str(script), "serve"]
    return [sys.executable, "-m", "vgi_host", "serve"]


@contextlib.contextmanager
def _environment(overrides: Mapping[str, str | None]) -> Iterator[None]:
    """Apply ``overrides`` to ``os.environ`` while a child process is spawned (None unsets)."""
    with _ENVIRON_LOCK:
        saved = {key: os.environ.get(key) for key in overrides}
        try:
            for key, value in overrides.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
            yield
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value


class _LogTail(logging.Handler):
    """Keeps the host's last stderr lines, for error messages."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: deque[str] = deque(maxlen=_LOG_TAIL)

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def _is_column(value: Any) -> bool:
    """A list, tuple, Arrow array or numpy array is a column; anything else is a constant."""
    if isinstance(value, list | tuple | pa.Array | pa.ChunkedArray):
        return True
    return not isinstance(value, pa.Scalar) and getattr(value, "ndim", 0) >= 1


def _array(value: Any) -> pa.Array[Any] | pa.ChunkedArray[Any]:
    if isinstance(value, pa.Array | pa.ChunkedArray):
        return value
    return cast("pa.Array[Any]", pa.array(value))


def _scalar(value: Any) -> pa.Scalar[Any]:
    return value if isinstance(value, pa.Scalar) else pa.scalar(value)


def _arguments(positional: Iterable[Any], named: Mapping[str, Any] | None) -> Arguments:
    return Arguments(
        positional=tuple(_scalar(v) for v in positional),
        named={name: _scalar(v) for name, v in (named or {}).items()},
    )


def _batch(columns: Sequence[Any], names: Sequence[str]) -> pa.RecordBatch:
    arrays = [_array(column) for column in columns]
    lengths = {len(a) for a in arrays}
    if len(lengths) > 1:
        detail = ", ".join(f"{name}={len(a)}" for name, a in zip(names, arrays, strict=True))
        raise ValueError(f"all columns must have the same number of rows; got {detail}")
    combined = [a.combine_chunks() if isinstance(a, pa.ChunkedArray) else a for a in arrays]
    return pa.RecordBatch.from_arrays(combined, names=list(names))


def _slices(batch: pa.RecordBatch, batch_size: int | None) -> list[pa.RecordBatch]:
    """``batch`` cut into batches of at most ``batch_size`` rows (always at least one batch)."""
    if batch_size is None or batch.num_rows <= batch_size:
        return [batch]
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1; got {batch_size}")
    return [batch.slice(start, batch_size) for start in range(0, batch.num_rows, batch_size)]


def _rows(batches: Iterable[pa.RecordBatch]) -> list[dict[str, Any]]:
    return [row for batch in batches for row in batch.to_pylist()]


class HostClient:
    """One ``vgi-host serve`` process and the calls a test makes through it.

    Args:
        packs: Serve only these packs (passed as ``VGI_HOST_PACKS``); empty
            serves every installed pack.
        argv: The command to run (default: ``vgi-host serve`` next to this
            Python).
        env: Extra environment for the host; a ``None`` value unsets a variable.
        isolate: Give the host a throwaway state database, manifest cache and
            empty config file, and ignore the user's ``VGI_HOST_DISABLE`` and
            ``VGI_HOST_STRICT``, so tests do not depend on the machine.

    Use it as a context manager, or call :meth:`start` and :meth:`close`.  The
    pytest plugin's ``vgi`` fixture is one of these, started once per session.

    """

    def __init__(
        self,
        packs: Iterable[str] = (),
        *,
        argv: Sequence[str] | None = None,
        env: Mapping[str, str | None] | None = None,
        isolate: bool = True,
    ) -> None:
        self.packs = tuple(p.strip() for p in packs if p.strip())
        self.argv = list(argv) if argv is not None else default_serve_argv()
        self._extra_env = dict(env or {})
        self._isolate = isolate
        self._stack: contextlib.ExitStack | None = None
        self._proxy: VgiProtocol | None = None
        self._attach = b""
        self._functions: dict[str, list[FunctionInfo]] = {}
        self._tail = _LogTail()
        # An unregistered logger per client: the host's stderr lines reach this
        # client's tail and, through the parent, pytest's log capture.
        self._log = logging.Logger("vgi_host.testing.serve")
        self._log.parent = logging.getLogger("vgi_host.testing")
        self._log.setLevel(logging.INFO)  # vgi-rpc logs each stderr line at INFO
        self._log.addHandler(self._tail)

    # ------------------------------------------------------------ lifecycle ----

    def __enter__(self) -> HostClient:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _environment(self, scratch: Path | None) -> dict[str, str | None]:
        overrides: dict[str, str | None] = {ENV_PACKS: ",".join(self.packs) if self.packs else None}
        if scratch is not None:
            config = scratch / "config.toml"
            config.write_text(
                "# vgi_host.testing: no pack selection beyond VGI_HOST_PACKS\n", encoding="utf-8"
            )
            overrides |= {
                ENV_DISABLE: None,
                ENV_STRICT: None,
                ENV_CONFIG: str(config),
                ENV_STATE_DB: str(scratch / "state" / "aggregate-state.sqlite3"),
                ENV_CACHE_DIR: str(scratch / "cache"),
            }
        return overrides | self._extra_env

    def start(self) -> HostClient:
        """Start the host and attach; fail if a requested pack is not served."""
        if self._proxy is not None:
            return self
        stack = contextlib.ExitStack()
        try:
            scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="vgi-host-test-")))
            with _environment(self._environment(scratch if self._isolate else None)):
                connection = vgi_rpc.connect(
                    VgiProtocol,  # type: ignore[type-abstract]  # vgi-rpc reads the Protocol class itself
                    self.argv,
                    stderr=StderrMode.PIPE,
                    stderr_logger=self._log,
                )
                proxy = stack.enter_context(connection)
            self._proxy = proxy
            self._stack = stack
            attached = self._call(lambda: proxy.catalog_attach(request=CatalogAttachRequest(name="packs")))
            self._attach = attached.attach_opaque_data
        except BaseException as exc:
            self._proxy = None
            self._stack = None
            stack.close()
            if isinstance(exc, Exception) and not isinstance(exc, HostStartError):
                raise HostStartError(
                    f"vgi-host serve ({' '.join(self.argv)}) failed to start: {exc}"
                ) from exc
            raise
        missing = [p for p in self.packs if p.lower() not in self.served_packs()]
        if missing:
            served = ", ".join(self.served_packs()) or "none"
            time.sleep(0.2)  # let the stderr reader catch up with the host's load report
            self.close()
            raise HostStartError(
                f"vgi-host does not serve the pack(s) {', '.join(missing)} (served: {served}). "
                f"Is the pack installed, and does it load? `vgi-host list` shows every pack with its "
                f"error.{self.log_excerpt()}"
            )
        return self

    def close(self) -> None:
        """Stop the host (closing its stdin ends it)."""
        stack, self._stack, self._proxy = self._stack, None, None
        self._functions.clear()
        if stack is not None:
            stack.close()

    @property
    def proxy(self) -> VgiProtocol:
        """The raw ``vgi_rpc`` proxy, for calls this client does not wrap."""
        if self._proxy is None:
            self.start()
        assert self._proxy is not None
        return self._proxy

    @property
    def host_log(self) -> list[str]:
        """The host's most recent stderr lines."""
        return list(self._tail.lines)

    def log_excerpt(self) -> str:
        """The host's recent stderr, formatted for an error message ('' when silent)."""
        lines = self.host_log
        if not lines:
            return ""
        return "\nvgi-host stderr (most recent lines):\n" + "\n".join(f"  {line}" for line in lines)

    def _call[T](self, call: Callable[[], T]) -> T:
        try:
            return call()
        except vgi_rpc.RpcError as exc:
            raise VgiCallError.from_rpc(exc) from exc

    # -------------------------------------------------------------- catalog ----

    def served_packs(self) -> list[str]:
        """The names of the packs the host serves (its schemas other than ``main``)."""
        response = self._call(lambda: self.proxy.catalog_schemas(attach_opaque_data=self._attach))
        names = {info.path[-1] for info in response.decode_items(SchemaInfo) if info.path}
        return sorted(n for n in names if n != "main")

    def functions(self, pack: str) -> list[FunctionInfo]:
        """Every function of ``pack`` as the catalog describes it to DuckDB, sorted by name."""
        key = pack.lower()
        if key not in self._functions:
            if key not in self.served_packs():
                served = ", ".join(self.served_packs()) or "none"
                raise LookupError(f"vgi-host does not serve a pack named {pack!r}; it serves: {served}")
            found: list[FunctionInfo] = []
            for kind in _FUNCTION_LISTINGS:
                response = self._call(
                    functools.partial(
                        self.proxy.catalog_schema_contents_functions,
                        attach_opaque_data=self._attach,
                        path=[pack],
                        type=kind,
                    )
                )
                found.extend(response.decode_items(FunctionInfo))
            self._functions[key] = sorted(found, key=lambda info: info.name)
        return list(self._functions[key])

    def function(self, pack: str, name: str) -> FunctionInfo:
        """One function's catalog entry (``LookupError`` naming the pack's functions if absent)."""
        infos = self.functions(pack)
        for info in infos:
            if info.name.lower() == name.lower():
                return info
        names = ", ".join(info.name for info in infos) or "none"
        raise LookupError(f"pack {pack!r} has no function {name!r}; its functions: {names}")

    def assert_documented(self, pack: str) -> None:
        """Fail unless every function has a description, every argument a doc, and an example."""
        problems = documentation_problems(self.functions(pack))
        if problems:
            raise AssertionError(f"pack {pack!r} is not fully documented:\n" + "\n".join(problems))

    def assert_examples_present(self, pack: str) -> None:
        """Fail unless every function has at least one SQL example that calls it."""
        problems = example_problems(self.functions(pack))
        if problems:
            raise AssertionError(f"pack {pack!r} lacks examples:\n" + "\n".join(problems))

    # ---------------------------------------------------------------- calls ----

    def _bind(
        self, pack: str, function: str, kind: FunctionType, arguments: Arguments, schema: pa.Schema | None
    ) -> tuple[BindRequest, BindResponse]:
        request = BindRequest(
            function_name=function,
            arguments=arguments,
            function_type=kind,
            input_schema=schema,
            schema_path=[pack],
            attach_opaque_data=self._attach,
        )
        return request, self._call(lambda: self.proxy.bind(request=request))

    def _init(self, request: InitRequest) -> StreamSession:
        # The protocol declares a server-side Stream; the client side is a StreamSession.
        return cast(StreamSession, self._call(lambda: self.proxy.init(request=request)))

    def _drain(self, stream: StreamSession) -> list[pa.RecordBatch]:
        """Tick a producer stream until it ends."""
        batches: list[pa.RecordBatch] = []
        with contextlib.closing(stream):
            while True:
                try:
                    output = self._call(stream.tick)
                except StopIteration:
                    break
                if output.batch.num_rows:
                    batches.append(output.batch)
        return batches

    def _exchange(self, stream: StreamSession, batch: pa.RecordBatch) -> list[pa.RecordBatch]:
        """One input batch; keep asking while the host says it has more output for it."""
        outputs: list[pa.RecordBatch] = []
        message = AnnotatedBatch(batch)
        while True:
            output = self._call(functools.partial(stream.exchange, message))
            outputs.append(output.batch)
            metadata = output.custom_metadata
            if metadata is None or metadata.get(STATUS_KEY) != HAVE_MORE_OUTPUT:
                return outputs
            message = AnnotatedBatch(batch.slice(0, 0), pa.KeyValueMetadata({STATUS_KEY: CONTINUE}))

    def scalar(
        self,
        pack: str,
        function: str,
        *arguments: Any,
        named: Mapping[str, Any] | None = None,
        batch_size: int | None = None,
    ) -> list[Any]:
        """Call a scalar function; return one value per row.

        Each list, tuple or array argument is a column (all of one length);
        anything else is a constant (wrap a list constant in ``pa.scalar``).
        Columns and constants keep their relative order, which is how the host
        matches them to the function's column and constant parameters.  ``batch_size``
        splits the rows into several batches of one stream.

        >>> vgi.scalar("geo", "geohash_encode", [48.8566], [2.3522], 5)  # doctest: +SKIP
        ['u09tv']
        """
        columns = [a for a in arguments if _is_column(a)]
        constants = [a for a in arguments if not _is_column(a)]
        if not columns:
            raise ValueError("a scalar call needs at least one column argument (a list or an array)")
        batch = _batch(columns, [f"col_{i}" for i in range(len(columns))])
        bind_request, bound = self._bind(
            pack, function, FunctionType.SCALAR, _arguments(constants, named), batch.schema
        )
        stream = self._init(
            InitRequest(
                bind_call=bind_request, output_schema=bound.output_schema, bind_opaque_data=bound.opaque_data
            )
        )
        values: list[Any] = []
        with contextlib.closing(stream):
            for piece in _slices(batch, batch_size):
                for output in self._exchange(stream, piece):
                    values.extend(output.column(0).to_pylist())
        return values

    def table(
        self,
        pack: str,
        function: str,
        *arguments: Any,
        named: Mapping[str, Any] | None = None,
        columns: Sequence[str] | None = None,
    ) -> list[dict[str, Any]]:
        """Call a table function; return its rows as dicts.

        ``arguments`` are the positional constants, ``named`` the ``name := value``
        ones.  ``columns`` asks for only those output columns (projection
        pushdown, as for ``SELECT a, b FROM pack.fn(...)``).
        """
        bind_request, bound = self._bind(
            pack, function, FunctionType.TABLE, _arguments(arguments, named), None
        )
        projection: list[int] | None = None
        if columns is not None:
            names = bound.output_schema.names
            unknown = [c for c in columns if c not in names]
            if unknown:
                raise ValueError(f"{pack}.{function} has no column(s) {unknown}; its columns are {names}")
            projection = [names.index(c) for c in columns]
        stream = self._init(
            InitRequest(
                bind_call=bind_request,
                output_schema=bound.output_schema,
                bind_opaque_data=bound.opaque_data,
                projection_ids=projection,
            )
        )
        rows = _rows(self._drain(stream))
        if columns is not None:  # a function without projection pushdown sends every column
            rows = [{c: row[c] for c in columns} for row in rows]
        return rows

    def table_in_out(
        self,
        pack: str,
        function: str,
        rows: Sequence[Mapping[str, Any]] | pa.Table | pa.RecordBatch,
        *,
        args: Sequence[Any] = (),
        named: Mapping[str, Any] | None = None,
        batch_size: int | None = None,
    ) -> list[dict[str, Any]]:
        """Call a table-in-out function on ``rows``; return its output rows (finalize's last).

        ``rows`` is a list of dicts (types inferred) or an Arrow table or batch
        (types exact).  ``args``/``named`` are the constant arguments; the
        input table is not one of them.  ``batch_size`` splits the input into
        several batches.
        """
        if isinstance(rows, pa.Table | pa.RecordBatch):
            table = pa.Table.from_batches([rows]) if isinstance(rows, pa.RecordBatch) else rows
        else:
            if not rows:
                raise ValueError("rows is empty: pass a pa.Table with a schema to call with no rows")
            table = pa.Table.from_pylist(list(rows))
        batches = table.combine_chunks().to_batches(max_chunksize=batch_size) or [
            pa.RecordBatch.from_pylist([], schema=table.schema)
        ]
        bind_request, bound = self._bind(
            pack, function, FunctionType.TABLE, _arguments(args, named), table.schema
        )
        substream = os.urandom(16)
        stream = self._init(
            InitRequest(
                bind_call=bind_request,
                output_schema=bound.output_schema,
                bind_opaque_data=bound.opaque_data,
                phase=TableInOutFunctionInitPhase.INPUT,
                substream_id=substream,
            )
        )
        header = stream.typed_header(GlobalInitResponse)
        outputs: list[pa.RecordBatch] = []
        with contextlib.closing(stream):
            for batch in batches:
                outputs.extend(self._exchange(stream, batch))
        # DuckDB sends FINALIZE only to functions that declare a finalize stage.
        if self.function(pack, function).has_finalize:
            finalize = self._init(
                InitRequest(
                    bind_call=bind_request,
                    output_schema=bound.output_schema,
                    bind_opaque_data=bound.opaque_data,
                    phase=TableInOutFunctionInitPhase.FINALIZE,
                    execution_id=header.execution_id,
                    init_opaque_data=header.opaque_data,
                    substream_id=substream,
                )
            )
            outputs.extend(self._drain(finalize))
        return _rows(outputs)

    def aggregate(
        self,
        pack: str,
        function: str,
        columns: Sequence[Any] | Mapping[str, Any],
        *,
        groups: Sequence[Hashable] | None = None,
        args: Sequence[Any] = (),
        named: Mapping[str, Any] | None = None,
        partitions: int = 1,
        batch_size: int | None = None,
    ) -> Any:
        """Call an aggregate function; return its result, or a dict of results per group.

        Args:
            pack: The pack.
            function: The aggregate's SQL name.
            columns: The value columns, as a list of columns (``[[1, 2, 3]]``
                for one column) or a dict of named columns.
            groups: One group key per row (``GROUP BY``); the result is then
                ``{key: result}`` in order of first appearance.  Without it all
                rows form one group and the result is that group's value (also
                for zero rows, like ``SELECT agg(x) FROM empty``).
            args: Constant arguments, in order.
            named: Named constant arguments.
            partitions: Deal the rows round-robin to this many partitions, each
                updated with its own group ids and then combined into the first,
                the way DuckDB aggregates in parallel: proves ``combine``.
            batch_size: Rows per ``aggregate_update`` call.

        """
        if isinstance(columns, Mapping):
            names, values = list(columns), list(columns.values())
        else:
            values = list(columns)
            names = [f"col_{i}" for i in range(len(values))]
        if not values or not all(_is_column(v) for v in values):
            raise TypeError("columns is a list of columns (e.g. columns=[[1, 2, 3]]) or a dict of them")
        batch = _batch(values, names)
        if partitions < 1:
            raise ValueError(f"partitions must be at least 1; got {partitions}")
        keys: list[Hashable] = list(groups) if groups is not None else [None] * batch.num_rows
        if len(keys) != batch.num_rows:
            raise ValueError(f"groups has {len(keys)} keys for {batch.num_rows} rows")
        order: dict[Hashable, int] = {}
        for key in keys:
            order.setdefault(key, len(order))
        if groups is None:
            order = {None: 0}
        width = len(order)
        rows = [(row % partitions, (row % partitions) * width + order[key]) for row, key in enumerate(keys)]

        request = AggregateBindRequest(
            function_name=function,
            arguments=_arguments(args, named),
            input_schema=batch.schema,
            schema_path=[pack],
            attach_opaque_data=self._attach,
        )
        bound = self._call(lambda: self.proxy.aggregate_bind(request=request))
        common: dict[str, Any] = {
            "function_name": function,
            "execution_id": bound.execution_id,
            "schema_path": [pack],
            "attach_opaque_data": self._attach,
        }
        used = sorted({gid for _, gid in rows} | set(range(width)))
        try:
            for partition in range(partitions):
                indices = [i for i, (p, _) in enumerate(rows) if p == partition]
                if not indices:
                    continue
                part = batch.take(pa.array(indices, pa.int64()))
                gids = pa.array([rows[i][1] for i in indices], pa.int64())
                update = pa.RecordBatch.from_arrays(
                    [gids, *part.columns], names=[GROUP_ID_COLUMN, *part.schema.names]
                )
                for piece in _slices(update, batch_size):
                    update_request = AggregateUpdateRequest(input_batch=piece, **common)
                    self._call(functools.partial(self.proxy.aggregate_update, request=update_request))
            pairs = [
                (partition * width + index, index)
                for partition, index in itertools.product(range(1, partitions), range(width))
                if partition * width + index in used
            ]
            if pairs:
                merge = pa.RecordBatch.from_arrays(
                    [
                        pa.array([s for s, _ in pairs], pa.int64()),
                        pa.array([t for _, t in pairs], pa.int64()),
                    ],
                    names=["source_group_id", "target_group_id"],
                )
                combine = AggregateCombineRequest(merge_batch=merge, **common)
                self._call(lambda: self.proxy.aggregate_combine(request=combine))
            targets = pa.RecordBatch.from_arrays([pa.array(range(width), pa.int64())], names=["group_id"])
            finalize = AggregateFinalizeRequest(
                group_ids_batch=targets, output_schema=bound.output_schema, **common
            )
            result = self._call(lambda: self.proxy.aggregate_finalize(request=finalize)).result_batch
        finally:
            everything = pa.RecordBatch.from_arrays([pa.array(used, pa.int64())], names=["group_id"])
            destroy = AggregateDestructorRequest(group_ids_batch=everything, **common)
            with contextlib.suppress(VgiCallError):
                self._call(lambda: self.proxy.aggregate_destructor(request=destroy))
        results = result.column(0).to_pylist()
        if groups is None:
            return results[0]
        return dict(zip(order, results, strict=True))
