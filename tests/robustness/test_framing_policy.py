"""One policy for whatever arrives on stdin (issue 14 item 4, 5; issue 13 items 4, 5).

A clean close exits 0 and writes nothing; a request that cannot be read gets
an error reply when nothing of its reply was written yet, one clear line on
stderr and exit 1; a declared length above the maximum is refused before
allocating; a stream the client abandoned is ended and the next request served.
"""

from __future__ import annotations

import struct

import pyarrow as pa

from tests.robustness import wire


def first_request(session: bytes) -> bytes:
    return wire.streams(session)[0]


def test_clean_close_exits_0_and_writes_nothing(exe):
    run = wire.serve(exe, b"")
    assert run.returncode == 0
    assert run.stdout == b""
    assert run.stderr == ""


def test_a_whole_client_session_replayed_is_answered_and_ends_cleanly(exe, session_bytes):
    run = wire.serve(exe, session_bytes)
    assert run.returncode == 0, run.stderr
    assert "vgi-host[" not in run.stderr  # nothing logged at the default level (a pack may print)
    answered = wire.replies(run.stdout)
    assert answered
    assert all(reply.error is None for reply in answered)


def test_a_normal_session_logs_nothing_that_looks_like_an_error_even_at_debug(exe, session_bytes):
    run = wire.serve(exe, session_bytes, "--log-level", "DEBUG")
    assert run.returncode == 0
    host_lines = [line for line in run.stderr_lines if line.startswith("vgi-host[")]
    assert host_lines  # DEBUG does log
    suspicious = [
        line
        for line in host_lines
        if any(word in line.lower() for word in ("error", "traceback", "exception", "fail", "broken"))
    ]
    assert suspicious == []


def test_text_that_is_not_arrow_gets_an_error_reply_one_line_and_exit_1(exe):
    run = wire.serve(exe, b"hello\n")
    wire.assert_policy(run)
    assert run.returncode == 1
    assert len(run.stderr_lines) == 1
    assert "not an Arrow IPC stream" in run.stderr_lines[0]
    (reply,) = wire.replies(run.stdout)
    assert reply.error is not None
    assert "not an Arrow IPC stream" in reply.error


def test_a_lone_end_of_stream_marker_is_not_a_clean_close(exe):
    run = wire.serve(exe, wire.END_OF_STREAM)
    wire.assert_policy(run)
    assert run.returncode == 1
    assert "end-of-stream marker" in run.stderr_lines[-1]


def test_a_request_with_a_schema_but_no_batch_is_refused(exe):
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, pa.schema([("request", pa.binary())])):
        pass
    run = wire.serve(exe, sink.getvalue().to_pybytes())
    wire.assert_policy(run)
    assert run.returncode == 1
    assert "without its request batch" in run.stderr_lines[-1]


def test_a_truncated_request_is_reported_as_ended_in_the_middle(exe, session_bytes):
    request = first_request(session_bytes)
    run = wire.serve(exe, request[: len(request) - 20])
    wire.assert_policy(run)
    assert run.returncode == 1
    assert "ended in the middle of a request" in run.stderr_lines[-1]
    (reply,) = wire.replies(run.stdout)
    assert reply.error is not None


def test_input_ending_inside_a_call_s_data_stream_is_not_a_clean_close(exe, session_bytes):
    """Found by the fuzzer: vgi-rpc answers a broken data stream and reads on; the end is not clean."""
    for cut in (20, 8):  # inside the last tick message; only the final end-of-stream marker missing
        run = wire.serve(exe, session_bytes[:-cut])
        wire.assert_policy(run)
        assert run.returncode == 1, (cut, run.stderr)
        assert "ended in the middle" in run.stderr_lines[-1]


def test_bytes_after_a_valid_request_that_are_garbage_end_the_stream_after_the_answer(exe, session_bytes):
    run = wire.serve(exe, first_request(session_bytes) + b"\x00garbage")
    wire.assert_policy(run)
    assert run.returncode == 1
    first, refusal = wire.replies(run.stdout)
    assert first.error is None
    assert refusal.error is not None


def _with_body_length(request: bytes, body_length: int) -> bytes:
    """The request with its batch message's declared body length replaced."""
    batch = next(f for f in wire.frames(request) if f.body_length > 0)
    metadata_at = batch.start + 8
    metadata = request[metadata_at : metadata_at + batch.metadata_length]
    offset = wire.body_length_offset(metadata)
    assert offset is not None
    patched = bytearray(request)
    struct.pack_into("<q", patched, metadata_at + offset, body_length)
    return bytes(patched)


def test_a_declared_body_above_the_default_maximum_is_refused_before_allocating(exe, session_bytes):
    run = wire.serve(exe, _with_body_length(first_request(session_bytes), 1 << 40))
    wire.assert_policy(run)
    assert run.returncode == 1
    assert "message body of 1,099,511,627,776 bytes" in run.stderr_lines[-1]
    assert "2,147,483,648" in run.stderr_lines[-1]


def test_the_maximum_is_configurable(exe, session_bytes):
    request = first_request(session_bytes)
    assert wire.serve(exe, request, env={"VGI_HOST_MAX_FRAME_BYTES": str(1 << 20)}).returncode == 0
    run = wire.serve(exe, request, env={"VGI_HOST_MAX_FRAME_BYTES": "64"})
    wire.assert_policy(run)
    assert run.returncode == 1
    assert "outside the allowed 0..64" in run.stderr_lines[-1]
    bad = wire.serve(exe, request, env={"VGI_HOST_MAX_FRAME_BYTES": "lots"})
    assert bad.returncode == 2
    assert "VGI_HOST_MAX_FRAME_BYTES='lots' is not a positive number of bytes" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_a_metadata_length_of_two_gib_is_refused_without_reading_it(exe):
    run = wire.serve(
        exe, wire.CONTINUATION + struct.pack("<i", 0x7FFFFFF0), env={"VGI_HOST_MAX_FRAME_BYTES": "4096"}
    )
    wire.assert_policy(run)
    assert run.returncode == 1
    assert "message metadata of 2,147,483,632 bytes" in run.stderr_lines[-1]


def test_an_abandoned_result_stream_is_ended_and_the_next_request_served(exe, session_bytes):
    """A client stops reading a table function's results and sends its next request.

    On the wire: the table function's init request, its input stream's schema
    and first tick, no end-of-stream marker, then a complete new request.
    """
    cut = wire.streams(session_bytes)
    init_index = max(i for i, s in enumerate(cut) if b"count_to" in s and b"init" in s)
    init_request, input_stream = cut[init_index], cut[init_index + 1]
    input_frames = wire.frames(input_stream)
    abandoned = input_stream[: input_frames[1].end]  # schema + one tick, never ended
    attach = cut[0]
    run = wire.serve(exe, init_request + abandoned + attach)
    wire.assert_policy(run)
    assert run.returncode == 0, run.stderr
    answered = wire.replies(run.stdout)
    header, results, attach_reply = answered
    assert header.error is None
    assert results.error is None
    assert attach_reply.error is None
    assert attach_reply.batches[0].num_rows == 1


def test_an_unknown_method_is_answered_and_the_host_keeps_serving(exe, session_bytes):
    attach = wire.streams(session_bytes)[0]
    method = b"catalog_attach"
    assert method in attach
    unknown = attach.replace(method, b"catalog_xxxxxx", 1)
    run = wire.serve(exe, attach + unknown + attach)
    assert run.returncode == 0, run.stderr
    first, refused, third = wire.replies(run.stdout)
    assert first.error is None
    assert refused.error is not None
    assert "catalog_xxxxxx" in refused.error
    assert third.error is None


def test_a_broken_data_stream_mid_call_leaves_one_line_not_two(exe, session_bytes):
    """vgi-rpc logs the failed read as the call's error; the host's one line replaces it."""
    cut = wire.streams(session_bytes)
    index = next(i for i, s in enumerate(cut) if b"haversine_km" in s and b"init" in s) + 1
    frame = next(f for f in wire.frames(cut[index]) if f.body_length > 0)  # the data batch
    damaged = bytearray(cut[index])
    damaged[frame.start + 8 : frame.start + 12] = b"\xf0\xff\xff\x7f"  # flatbuffer root offset
    run = wire.serve(exe, b"".join([*cut[:index], bytes(damaged), *cut[index + 1 :]]))
    wire.assert_policy(run)
    assert run.returncode == 1, run.stderr
    assert len([line for line in run.stderr_lines if line.startswith("vgi-host[")]) == 1, run.stderr
