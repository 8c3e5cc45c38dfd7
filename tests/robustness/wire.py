"""Byte-level helpers: split captured protocol traffic, run `vgi-host serve` on bytes, read its replies."""

from __future__ import annotations

import io
import os
import struct
import subprocess
from dataclasses import dataclass

import pyarrow as pa

CONTINUATION = b"\xff\xff\xff\xff"
END_OF_STREAM = CONTINUATION + b"\x00\x00\x00\x00"
RUN_TIMEOUT = 60
"""Seconds a single serve run may take before the test calls it a hang."""


@dataclass(frozen=True)
class Frame:
    """One encapsulated IPC message (or end-of-stream marker) in a byte string."""

    start: int
    end: int
    metadata_length: int
    body_length: int

    @property
    def is_end_of_stream(self) -> bool:
        return self.metadata_length == 0


def body_length_offset(metadata: bytes) -> int | None:
    """Where ``Message.bodyLength`` (flatbuffer field 3) sits in the metadata, if present."""
    (root,) = struct.unpack_from("<I", metadata, 0)
    (back,) = struct.unpack_from("<i", metadata, root)
    vtable = root - back
    (vtable_size,) = struct.unpack_from("<H", metadata, vtable)
    if vtable_size < 4 + 2 * 3 + 2:
        return None
    (offset,) = struct.unpack_from("<H", metadata, vtable + 4 + 2 * 3)
    return root + offset if offset else None


def frames(data: bytes) -> list[Frame]:
    """Every frame of well-formed traffic, in order."""
    found: list[Frame] = []
    position = 0
    while position < len(data):
        assert data[position : position + 4] == CONTINUATION, f"not framed at {position}"
        (length,) = struct.unpack_from("<i", data, position + 4)
        if length == 0:
            found.append(Frame(position, position + 8, 0, 0))
            position += 8
            continue
        metadata = data[position + 8 : position + 8 + length]
        at = body_length_offset(metadata)
        body = struct.unpack_from("<q", metadata, at)[0] if at is not None else 0
        end = position + 8 + length + body
        found.append(Frame(position, end, length, body))
        position = end
    return found


def streams(data: bytes) -> list[bytes]:
    """The traffic cut into complete IPC streams (each ends with its end-of-stream marker)."""
    cut: list[bytes] = []
    start = 0
    for frame in frames(data):
        if frame.is_end_of_stream:
            cut.append(data[start : frame.end])
            start = frame.end
    return cut


@dataclass(frozen=True)
class Reply:
    """One IPC stream the host wrote."""

    schema: pa.Schema
    batches: list[pa.RecordBatch]
    metadata: list[dict[bytes, bytes]]

    @property
    def error(self) -> str | None:
        for md in self.metadata:
            if md.get(b"vgi_rpc.log_level") == b"EXCEPTION":
                return md.get(b"vgi_rpc.log_message", b"").decode()
        return None


def replies(output: bytes) -> list[Reply]:
    """Parse everything the host wrote; fails the test if any of it is not complete IPC streams."""
    source = io.BytesIO(output)
    parsed: list[Reply] = []
    while source.tell() < len(output):
        reader = pa.ipc.open_stream(source)
        batches, metadata = [], []
        while True:
            try:
                batch, md = reader.read_next_batch_with_custom_metadata()
            except StopIteration:
                break
            batches.append(batch)
            metadata.append(dict(md) if md is not None else {})
        parsed.append(Reply(reader.schema, batches, metadata))
    return parsed


@dataclass(frozen=True)
class Run:
    """How one `vgi-host serve` process ended."""

    returncode: int
    stdout: bytes
    stderr: str

    @property
    def stderr_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.strip()]


def serve(exe: str, data: bytes, *args: str, env: dict[str, str] | None = None) -> Run:
    """Feed ``data`` to a fresh `vgi-host serve` and wait (bounded) for it to end."""
    completed = subprocess.run(
        [exe, "serve", *args],
        input=data,
        capture_output=True,
        timeout=RUN_TIMEOUT,
        check=False,
        env={**os.environ, **(env or {})},
    )
    return Run(completed.returncode, completed.stdout, completed.stderr.decode("utf-8", "replace"))


def assert_policy(run: Run) -> None:
    """The host's promise for any input: no traceback, complete replies, and 0 or one clear line + 1."""
    assert "Traceback" not in run.stderr, run.stderr
    replies(run.stdout)  # every byte written is part of a complete, readable IPC stream
    assert run.returncode in (0, 1), (run.returncode, run.stderr)
    if run.returncode == 1:
        last = run.stderr_lines[-1]
        assert " ERROR stopped serving: " in last, run.stderr
        errors = [line for line in run.stderr_lines if " ERROR " in line]
        assert errors == [last], run.stderr  # one clear line, not the read failure twice
