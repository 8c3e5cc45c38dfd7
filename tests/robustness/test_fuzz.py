"""Mutation fuzzing of captured client traffic against a real `vgi-host serve` (issue 14 item 4).

Fixed seed (``derandomize``) and a bounded budget so CI is repeatable and
quick; run more by hand with ``VGI_FUZZ_EXAMPLES=2000 uv run tox -e robustness``.
Every case starts a fresh host, feeds it mutated bytes followed by one valid
request, and checks the policy: the run ends within the time limit, stderr
never holds a traceback, everything written to stdout is complete IPC
streams, and the process either exits 0 - having answered the trailing valid
request - or prints one clear "stopped serving" line and exits 1.
"""

from __future__ import annotations

import os
import struct

import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.robustness import wire

EXAMPLES = int(os.environ.get("VGI_FUZZ_EXAMPLES", "60"))

FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

OPERATIONS = ("flip", "truncate", "insert", "delete", "duplicate_frame", "drop_frame", "length")

mutations = st.lists(
    st.tuples(st.sampled_from(OPERATIONS), st.integers(0, 1 << 31), st.binary(min_size=1, max_size=16)),
    min_size=1,
    max_size=3,
)


def mutate(original: bytes, operations: list[tuple[str, int, bytes]]) -> bytes:
    """Apply byte- and frame-level damage to a copy of ``original``."""
    data = bytearray(original)
    frames = wire.frames(original)
    for operation, number, blob in operations:
        if not data:
            break
        at = number % len(data)
        frame = frames[number % len(frames)]
        if operation == "flip":
            data[at] ^= blob[0] or 0x80
        elif operation == "truncate":
            del data[at:]
        elif operation == "insert":
            data[at:at] = blob
        elif operation == "delete":
            del data[at : at + len(blob)]
        elif operation == "duplicate_frame":
            data[frame.start : frame.start] = original[frame.start : frame.end]
        elif operation == "drop_frame":
            del data[frame.start : frame.end]
        elif operation == "length" and frame.start + 8 <= len(data):
            struct.pack_into(
                "<i", data, frame.start + 4, int.from_bytes(blob[:4].ljust(4, b"\0"), "little", signed=True)
            )
    return bytes(data)


def check(run: wire.Run) -> None:
    wire.assert_policy(run)
    if run.returncode == 0:
        last = wire.replies(run.stdout)[-1]
        assert last.error is None, last.error
        assert last.batches[-1].num_rows == 1  # the trailing catalog_attach was answered


@FUZZ
@given(operations=mutations)
def test_mutated_client_traffic_never_breaks_the_policy(exe, session_bytes, operations):
    attach = wire.streams(session_bytes)[0]
    check(wire.serve(exe, mutate(session_bytes, operations) + attach))


scalars = st.one_of(
    st.integers(-(1 << 63), (1 << 63) - 1),
    st.text(max_size=20),
    st.binary(max_size=20),
    st.floats(allow_nan=True),
    st.none(),
)


@FUZZ
@given(
    columns=st.dictionaries(
        st.text(min_size=1, max_size=8), st.lists(scalars, min_size=1, max_size=3), max_size=3
    ),
    method=st.one_of(st.none(), st.sampled_from(["bind", "init", "catalog_attach", "nope", ""])),
)
def test_arbitrary_arrow_requests_are_answered_and_serving_continues(exe, session_bytes, columns, method):
    arrays = {}
    for name, values in columns.items():
        kinds = {type(v) for v in values if v is not None}
        arrays[name] = pa.array([v if type(v) is next(iter(kinds), type(None)) else None for v in values])
    length = min((len(a) for a in arrays.values()), default=0)
    batch = pa.record_batch({n: a.slice(0, length) for n, a in arrays.items()}) if arrays else None
    metadata = {"vgi_rpc.request_version": "1", "vgi_rpc.protocol": "vgi.v2"}
    if method is not None:
        metadata["vgi_rpc.method"] = method
    sink = pa.BufferOutputStream()
    schema = batch.schema if batch is not None else pa.schema([])
    with pa.ipc.new_stream(sink, schema) as writer:
        writer.write_batch(
            batch if batch is not None else pa.record_batch([], schema=schema), custom_metadata=metadata
        )
    attach = wire.streams(session_bytes)[0]
    check(wire.serve(exe, sink.getvalue().to_pybytes() + attach))
