"""A per-batch loop for stream calls on the byte-stream transports (pipe, unix socket, TCP).

vgi-rpc serves every stream call through one generic loop
(``RpcServer._serve_stream``) that, for *each* batch, builds a ``CallContext``
and an ``OutputCollector``, records call statistics, compares the batch's
schema with the declared input schema, resolves external-storage and
shared-memory pointers, and writes every output message through pyarrow's
writer in about four ``write`` calls.  At 2,048 rows a scalar batch costs the
function a few microseconds and that framework several times more; on a pipe
every extra ``write`` can also wake the client early to read a partial message.

:class:`StreamLoopServer` answers the same stream calls with a loop that does
the same protocol work once per *stream* where it can:

* one context and one collector for the whole stream (the collector is
  emptied between batches instead of rebuilt);
* the input stream's schema compared with the declared input schema once,
  when the stream opens (an IPC stream's batches all carry its schema), so
  coercion runs only for a stream that needs it;
* the input decoded one whole frame at a time when the connection's reader
  is the host's frame reader (:mod:`vgi_host.transports.frame_batches`),
  otherwise by pyarrow's stream reader, with the server's IPC validation
  level applied to each batch as vgi-rpc does;
* no collector or context per batch at all for a state with an
  ``exchange_batch`` (a scalar: one batch in, one batch out), and no
  per-batch schema comparison when the state's ``answer_schema`` promises
  the stream's output schema;
* each output message handed to the connection in one ``write``, flushed
  after every message (lockstep clients wait for each one): the first
  through pyarrow's writer, later plain batches serialised by pyarrow
  (:class:`_Answers`).

The bytes on the wire are the same as vgi-rpc's loop writes
(``tests/unit/test_stream_loop.py`` serves one session through both loops and
compares them), as are mid-stream errors, client cancels, log messages to the
client and producer ``finish``.  The generic loop still serves whenever one of
its extras is in play: a shared-memory segment, external storage, a dispatch
hook, or an enabled access log (whose per-call row and byte counts are the
per-batch statistics this loop skips).  HTTP never reaches this method: its
stream turns go through vgi-rpc's HTTP path.  ``VGI_HOST_STREAM_LOOP=generic``
forces vgi-rpc's loop, to compare the two.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any, Literal

import pyarrow as pa
from pyarrow import ipc
from vgi_rpc import AnnotatedBatch, CallContext, OutputCollector, RpcServer
from vgi_rpc.errors import error_code_of
from vgi_rpc.log import exception_str
from vgi_rpc.metadata import CANCEL_KEY
from vgi_rpc.rpc._common import _access_logger, _current_stream_id
from vgi_rpc.rpc._server import _emit_access_log, _log_method_error
from vgi_rpc.rpc._wire import (
    _coerce_input_batch,
    _drain_stream,
    _validate_stream_result,
    _write_error_batch,
    _write_error_stream,
    _write_stream_header,
)
from vgi_rpc.utils import IpcValidation, ValidatedReader, new_ipc_stream, validate_batch

from vgi_host.transports.frame_batches import InputBatches, has_dictionary, open_input

log = logging.getLogger("vgi_host.transport")

_EMPTY_SCHEMA = pa.schema([])

ENV_LOOP = "VGI_HOST_STREAM_LOOP"
"""``generic`` makes every stream use vgi-rpc's loop (for comparisons); anything else is ignored."""

_BUFFER_BYTES = 1 << 16
"""Messages up to this size leave in one ``write``; a larger body goes straight through after its header."""


def wants_generic_loop() -> bool:
    """``$VGI_HOST_STREAM_LOOP`` asks for vgi-rpc's loop."""
    return os.environ.get(ENV_LOOP, "").strip().lower() == "generic"


class _ReusedCollector(OutputCollector):
    """vgi-rpc's collector, emptied between batches instead of rebuilt for each one."""

    __slots__ = ()

    def next_batch(self) -> None:
        """Forget the previous batch's output; its data bytes count towards ``total_data_bytes``."""
        if self._data_batch_idx is not None:
            self._prior_data_bytes += self._batches[self._data_batch_idx].batch.get_total_buffer_size()
            self._data_batch_idx = None
        self._batches.clear()


class _Connection:
    """What pyarrow's ``PythonFile`` writes to: the connection's ``write``, never its ``close``.

    The native buffer in front of it would close its sink when it is dropped;
    the connection outlives the stream, so closing it is refused here.
    """

    closed = False

    def __init__(self, writer: Any) -> None:
        self.write = writer.write

    def flush(self) -> None:
        """Nothing is held here: every write went to the connection."""

    def close(self) -> None:
        """The connection outlives the stream."""


def _buffered(writer: Any) -> pa.BufferedOutputStream:
    """A native buffer in front of the connection: one ``write`` per ``flush``."""
    raw = pa.PythonFile(_Connection(writer), mode="w")  # type: ignore[arg-type]  # any object with write()
    return pa.BufferedOutputStream(raw, _BUFFER_BYTES)


class _Answers:
    """Writes a stream's answers: one message, one ``write`` to the connection.

    Until the stream's schema is out, answers go through pyarrow's writer
    (which sends the schema with the first one) and the native buffer.  After
    that, a plain data batch - no custom metadata, no dictionary columns in
    the stream - is serialised by pyarrow and handed to the connection as it
    is: the same bytes the writer would produce, without its buffer and file
    layers.  Anything else keeps going through the writer.
    """

    __slots__ = ("_buffered", "_connection_write", "_schema_out", "_serialisable", "_writer")

    def __init__(
        self,
        writer: ipc.RecordBatchStreamWriter,
        buffered: pa.BufferedOutputStream,
        connection: Any,
        schema: pa.Schema,
    ) -> None:
        self._writer = writer
        self._buffered = buffered
        self._connection_write = connection.write
        self._serialisable = not has_dictionary(schema)
        """Dictionary batches ride in front of record batches: only the writer keeps track of them."""
        self._schema_out = False

    def send(self, batch: pa.RecordBatch) -> None:
        """Write one data batch to the connection, flushed."""
        if self._schema_out:
            self._connection_write(batch.serialize())
            return
        self._writer.write_batch(batch)
        self._buffered.flush()
        self._schema_out = self._serialisable

    def send_all(self, items: list[AnnotatedBatch]) -> None:
        """Write what one ``process`` call produced (log messages, then its data batch), flushed."""
        if len(items) == 1 and items[0].custom_metadata is None:
            self.send(items[0].batch)
            return
        write = self._writer.write_batch
        for item in items:
            write(item.batch, custom_metadata=item.custom_metadata)
        self._buffered.flush()
        if items:
            self._schema_out = self._serialisable


class _Inputs:
    """A stream's input batches as both loops take them: validated, coerced, until the end or a cancel.

    Each batch is validated at the server's IPC level; the stream's schema
    was compared with the declared one once, so coercion runs only for a
    stream that needs it.  Iteration stops at the end of the stream, or at a
    client cancel, which sets :attr:`cancelled`.
    """

    __slots__ = ("_input_schema", "_reader", "_validation", "cancelled")

    def __init__(self, reader: InputBatches, input_schema: pa.Schema, validation: IpcValidation) -> None:
        self._reader = reader
        self._input_schema = input_schema
        self._validation = validation
        self.cancelled = False

    def __iter__(self) -> Iterator[tuple[pa.RecordBatch, pa.KeyValueMetadata | None]]:
        validation = self._validation
        check = validation is not IpcValidation.NONE
        full = validation is IpcValidation.FULL
        input_schema = self._input_schema
        coerce = self._reader.schema != input_schema
        read = self._reader.read_next_batch_with_custom_metadata
        while True:
            try:
                batch, metadata = read()
            except StopIteration:
                return
            if check:
                try:
                    batch.validate(full=full)  # vgi-rpc's validate_batch, without a call per batch
                except pa.ArrowInvalid:
                    validate_batch(batch, validation)  # raises vgi-rpc's own error for it
                    raise
            if metadata is not None and metadata.get(CANCEL_KEY) is not None:
                self.cancelled = True
                return
            if coerce:
                batch = _coerce_input_batch(batch, input_schema)
            yield batch, metadata


class StreamLoopServer(RpcServer):
    """vgi-rpc's server with the dedicated per-batch loop for stream calls (module docs)."""

    def _serve_stream(
        self,
        transport: Any,
        info: Any,
        kwargs: dict[str, object],
        *,
        stats: Any = None,
        shm: Any = None,
    ) -> None:
        if (
            shm is not None
            or self._external_config is not None
            or self._dispatch_hook is not None
            or _access_logger.isEnabledFor(logging.INFO)
            or wants_generic_loop()
        ):
            super()._serve_stream(transport, info, kwargs, stats=stats, shm=shm)
            return
        self._serve_stream_directly(transport, info, kwargs, stats)

    def _serve_stream_directly(
        self, transport: Any, info: Any, kwargs: dict[str, object], stats: Any
    ) -> None:
        """Open the stream, run its batches, close it: one access-log call and one drain, as vgi-rpc does."""
        _current_stream_id.set(uuid.uuid4().hex)
        sink, auth, transport_md = self._prepare_method_call(info, kwargs)
        protocol_name = info.protocol_name or self.protocol_name
        start = time.monotonic()
        buffered = _buffered(transport.writer)
        status: Literal["ok", "error"] = "ok"
        error_type = error_code = error_message = ""
        cancelled = False
        try:
            try:
                result = getattr(self.implementation_for(info), info.name)(**kwargs)
                _validate_stream_result(info.name, result)
                if info.header_type is not None:
                    _write_stream_header(
                        buffered,  # type: ignore[arg-type]  # any sink pyarrow writes to
                        result.header,
                        self._external_config,
                        sink=sink,
                        method_name=info.name,
                    )
                    buffered.flush()
            except Exception as exc:
                status = "error"
                error_type = _log_method_error(protocol_name, info.name, self._server_id, exc)
                error_code = error_code_of(exc).value
                error_message = exception_str(exc)
                self._refuse_stream(transport, exc)
                return

            output_schema: pa.Schema = result.output_schema
            input_schema: pa.Schema = result.input_schema
            state = result.state
            reader = open_input(transport.reader, self._ipc_validation)
            out = _ReusedCollector(
                output_schema, server_id=self._server_id, producer_mode=input_schema == _EMPTY_SCHEMA
            )
            ctx = CallContext(
                auth=auth,
                emit_client_log=out.emit_client_log_message,
                transport_metadata=transport_md,
                server_id=self._server_id,
                method_name=info.name,
                protocol_name=protocol_name,
                kind=self._transport_kind,
                implementation=self.implementation_for(info),
            )
            try:
                with new_ipc_stream(buffered, output_schema) as writer:
                    sink.flush_contents(writer, output_schema)
                    try:
                        answers = _Answers(writer, buffered, transport.writer, output_schema)
                        cancelled = self._run(reader, answers, state, out, ctx, input_schema)
                    except Exception as exc:
                        status = "error"
                        error_type = _log_method_error(protocol_name, info.name, self._server_id, exc)
                        error_code = error_code_of(exc).value
                        error_message = exception_str(exc)
                        with contextlib.suppress(BrokenPipeError, OSError):
                            _write_error_batch(
                                writer,
                                output_schema,
                                exc,
                                server_id=self._server_id,
                                include_traceback=self._tracebacks,
                            )
                    if cancelled:
                        self._cancel(state, sink, auth, transport_md, info, protocol_name)
            finally:
                buffered.flush()
            reader.drain()
        finally:
            with contextlib.suppress(Exception):
                buffered.detach()
            _emit_access_log(
                protocol_name,
                info.name,
                info.method_type.value,
                self._server_id,
                auth,
                transport_md,
                (time.monotonic() - start) * 1000,
                status,
                error_type,
                error_message=error_message,
                stats=stats,
                server_version=self._server_version,
                protocol_hash=self.protocol_hash_for(info),
                error_code=error_code,
                cancelled=cancelled,
            )

    def _run(
        self,
        reader: InputBatches,
        answers: _Answers,
        state: Any,
        out: _ReusedCollector,
        ctx: CallContext,
        input_schema: pa.Schema,
    ) -> bool:
        """The stream's batches, directly when the state maps one batch to one batch; True when cancelled."""
        exchange_batch = getattr(state, "exchange_batch", None)
        if exchange_batch is not None:
            promised = getattr(state, "answer_schema", None)
            fitted = promised is not None and promised.equals(out.output_schema, check_metadata=True)
            return self._run_direct_exchange(reader, answers, exchange_batch, out, input_schema, fitted)
        return self._run_batches(reader, answers, state, out, ctx, input_schema)

    def _run_batches(
        self,
        reader: InputBatches,
        answers: _Answers,
        state: Any,
        out: _ReusedCollector,
        ctx: CallContext,
        input_schema: pa.Schema,
    ) -> bool:
        """One ``process`` per input batch, each answer written at once; True when the client cancelled."""
        inputs = _Inputs(reader, input_schema, self._ipc_validation)
        process = state.process
        send_all = answers.send_all
        for batch, metadata in inputs:
            out.next_batch()
            process(AnnotatedBatch(batch, metadata), out, ctx)
            if not out.finished:
                out.validate()
            send_all(out.batches)
            if out.finished:
                return False
        return inputs.cancelled

    def _run_direct_exchange(
        self,
        reader: InputBatches,
        answers: _Answers,
        exchange_batch: Callable[[pa.RecordBatch], pa.RecordBatch],
        out: _ReusedCollector,
        input_schema: pa.Schema,
        fitted: bool = False,
    ) -> bool:
        """:meth:`_run_batches` for a state that maps one batch to one batch (``exchange_batch``).

        No collector, context or annotated batch per batch: the answer is one
        data batch, made to fit the output schema the way the collector would
        only when its schema differs.  ``fitted``: the state promised answers
        on exactly the output schema (its ``answer_schema``, compared once per
        stream), so no batch's schema is compared - a comparison that costs a
        field-by-field walk whenever the two schemas are distinct objects.
        True when the client cancelled.
        """
        inputs = _Inputs(reader, input_schema, self._ipc_validation)
        send = answers.send
        output_schema = out.output_schema
        for batch, _ in inputs:
            result = exchange_batch(batch)
            if not fitted and result.schema != output_schema:
                out.next_batch()
                out.emit(result)  # the collector's select-and-cast
                result = out.batches[-1].batch
            send(result)
        return inputs.cancelled

    def _cancel(
        self, state: Any, sink: Any, auth: Any, transport_md: Any, info: Any, protocol_name: str
    ) -> None:
        """The client cancelled: let the state know, with a context whose client log still reaches it."""
        cancel_ctx = CallContext(
            auth=auth,
            emit_client_log=sink,
            transport_metadata=transport_md,
            server_id=self._server_id,
            method_name=info.name,
            protocol_name=protocol_name,
            kind=self._transport_kind,
            implementation=self.implementation_for(info),
        )
        try:
            state.on_cancel(cancel_ctx)
        except Exception:
            log.debug("on_cancel hook failed", exc_info=True)

    def _refuse_stream(self, transport: Any, exc: Exception) -> None:
        """The stream could not open: answer with an error stream, then consume the input stream."""
        with contextlib.suppress(BrokenPipeError, OSError):
            _write_error_stream(
                transport.writer,
                _EMPTY_SCHEMA,
                exc,
                server_id=self._server_id,
                include_traceback=self._tracebacks,
            )
        with contextlib.suppress(pa.ArrowInvalid, OSError, EOFError, StopIteration):
            _drain_stream(ValidatedReader(ipc.open_stream(transport.reader), self._ipc_validation))
