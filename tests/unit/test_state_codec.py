"""Encoding aggregate states for the shared store: own methods, pickle, and clear refusals."""

from __future__ import annotations

import struct
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, ClassVar, Self

import pyarrow as pa
import pytest
from vgi_rpc import ArrowSerializableDataclass, ArrowType

from vgi_host.state.codec import StateCodec, StateCodecError
from vgi_host.state.store import SqliteStateStore


@dataclass
class SumState:
    total: int = 0
    count: int = 0
    seen: list[str] = field(default_factory=list)


@dataclass
class SubSumState(SumState):
    extra: float = 0.5


@dataclass(frozen=True)
class FrozenState:
    value: float = 0.0


@dataclass(slots=True)
class SlotsState:
    total: int = 0


class PackedState:
    """The reference SDK's shape: packs itself into 8 bytes."""

    _STRUCT: ClassVar[struct.Struct] = struct.Struct("<q")

    def __init__(self, total: int = 0) -> None:
        self.total = total

    def serialize_to_bytes(self) -> bytes:
        return self._STRUCT.pack(self.total)

    @classmethod
    def deserialize_from_bytes(cls, data: bytes) -> Self:
        if len(data) != cls._STRUCT.size:
            raise ValueError(f"expected 8 bytes, got {len(data)}")
        return cls(cls._STRUCT.unpack(data)[0])


@dataclass(kw_only=True)
class ArrowState(ArrowSerializableDataclass):
    total: Annotated[int, ArrowType(pa.int64())] = 0
    label: str = ""
    values: list[float] = field(default_factory=list)


@dataclass(kw_only=True)
class ArrowStateWithOwnCodec(ArrowSerializableDataclass):
    total: int = 0

    def serialize_to_bytes(self) -> bytes:
        return b"custom" + struct.pack("<q", self.total)

    @classmethod
    def deserialize_from_bytes(cls, data: bytes) -> Self:  # type: ignore[override]
        return cls(total=struct.unpack("<q", data[6:])[0])


@dataclass
class LockedState:
    lock: threading.Lock = field(default_factory=threading.Lock)


class HalfCodec:
    def serialize_to_bytes(self) -> bytes:
        return b""


def round_trip[S](codec: StateCodec[S], states: dict[int, S]) -> dict[int, S]:
    blobs = codec.encode_many(states)
    assert set(blobs) == set(states)
    assert all(isinstance(blob, bytes) for blob in blobs.values())
    return codec.decode_many(blobs)


def test_dataclass_state_is_pickled() -> None:
    codec = StateCodec.for_class(SumState)
    assert codec.kind == "pickle"
    states = {1: SumState(3, 1, ["a"]), 2: SumState(), -7: SumState(10**30, 2, ["b", "c"])}
    decoded = round_trip(codec, states)
    assert decoded == states
    assert all(type(s) is SumState for s in decoded.values())
    assert decoded[1] is not states[1]
    assert codec.decode(codec.encode(states[1])) == states[1]


def test_codec_is_cached_per_class() -> None:
    assert StateCodec.for_class(SumState) is StateCodec.for_class(SumState)
    assert StateCodec.for_class(SumState) is not StateCodec.for_class(FrozenState)


def test_subclass_and_foreign_values_survive() -> None:
    """An exact instance is stored as its __dict__; anything else must still come back as itself."""
    codec = StateCodec.for_class(SumState)
    states: dict[int, object] = {1: SubSumState(1, 2, [], 3.5), 2: {"a": 1}, 3: (1, 2), 4: None}
    decoded = round_trip(codec, states)  # type: ignore[arg-type]
    assert decoded == states
    assert type(decoded[1]) is SubSumState


def test_frozen_and_slots_dataclasses() -> None:
    assert round_trip(StateCodec.for_class(FrozenState), {1: FrozenState(2.5)}) == {1: FrozenState(2.5)}
    assert round_trip(StateCodec.for_class(SlotsState), {1: SlotsState(4)}) == {1: SlotsState(4)}


def test_class_defined_in_a_function() -> None:
    @dataclass
    class Local:
        n: int = 0

    codec = StateCodec.for_class(Local)
    decoded = round_trip(codec, {1: Local(5)})
    assert decoded == {1: Local(5)}


def test_own_methods_are_used() -> None:
    codec = StateCodec.for_class(PackedState)
    assert codec.kind == "methods"
    blobs = codec.encode_many({1: PackedState(5), 2: PackedState(-1)})
    assert blobs == {1: struct.pack("<q", 5), 2: struct.pack("<q", -1)}
    assert {gid: s.total for gid, s in codec.decode_many(blobs).items()} == {1: 5, 2: -1}


def test_own_methods_decode_errors_name_the_class() -> None:
    codec = StateCodec.for_class(PackedState)
    with pytest.raises(StateCodecError, match="PackedState"):
        codec.decode(b"short")


def test_arrow_serializable_dataclass_state() -> None:
    """Generic Arrow IPC per state is ~50x slower than pickle; the codec pickles such states."""
    codec = StateCodec.for_class(ArrowState)
    assert codec.kind == "pickle"
    states = {1: ArrowState(total=3, label="x", values=[1.5]), 2: ArrowState()}
    assert round_trip(codec, states) == states


def test_arrow_serializable_dataclass_with_its_own_codec() -> None:
    codec = StateCodec.for_class(ArrowStateWithOwnCodec)
    assert codec.kind == "methods"
    blob = codec.encode(ArrowStateWithOwnCodec(total=9))
    assert blob.startswith(b"custom")
    assert codec.decode(blob) == ArrowStateWithOwnCodec(total=9)


def test_non_picklable_state_is_refused_clearly() -> None:
    codec = StateCodec.for_class(LockedState)
    with pytest.raises(StateCodecError, match=r"LockedState cannot be pickled.*serialize_to_bytes"):
        codec.encode_many({1: LockedState()})
    with pytest.raises(StateCodecError, match="LockedState"):
        codec.encode(LockedState())


def test_half_a_codec_is_refused() -> None:
    with pytest.raises(StateCodecError, match="defines serialize_to_bytes but not deserialize_from_bytes"):
        StateCodec.for_class(HalfCodec)


def test_garbage_is_refused_clearly() -> None:
    with pytest.raises(StateCodecError, match="SumState"):
        StateCodec.for_class(SumState).decode(b"not a pickle")


def test_state_store_round_trip(tmp_path: Path) -> None:
    """Codec and store together, the way an aggregate update uses them."""
    store = SqliteStateStore(tmp_path / "s.sqlite3")
    codec = StateCodec.for_class(SumState)
    try:
        with store.session(b"e" * 16) as session:
            states = codec.decode_many(session.load(range(3)))
            for gid in range(3):
                states.setdefault(gid, SumState()).total += gid
            session.save(codec.encode_many(states))
        with store.session(b"e" * 16) as session:
            assert codec.decode_many(session.load(range(3))) == {g: SumState(g) for g in range(3)}
    finally:
        store.close()
