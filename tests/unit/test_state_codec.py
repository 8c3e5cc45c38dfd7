"""Encoding one call's aggregate states as one payload: JSON, own methods, pickle, clear refusals."""

from __future__ import annotations

import struct
import threading
from dataclasses import dataclass, field
from typing import Annotated, ClassVar, Self

import pyarrow as pa
import pytest
from vgi_rpc import ArrowSerializableDataclass, ArrowType

from vgi_host.state.codec import StateCodec, StateCodecError


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


def round_trip[S](codec: StateCodec[S], states: dict[int, S], fmt: bytes | None = None) -> dict[int, S]:
    payload = codec.encode(states)
    assert isinstance(payload, bytes)
    if fmt is not None:
        assert payload[:1] == fmt, payload[:40]
    return codec.decode(payload)


def test_json_safe_dataclass_states_are_json() -> None:
    codec = StateCodec.for_class(FrozenState)
    assert codec.kind == "json"
    states = {1: FrozenState(2.5), -7: FrozenState(float("inf")), 2**62: FrozenState(0.1)}
    decoded = round_trip(codec, states, b"J")
    assert decoded == states
    assert all(type(s) is FrozenState for s in decoded.values())


def test_json_keeps_int_float_bool_none_and_big_ints_apart() -> None:
    @dataclass
    class Mixed:
        a: object = None
        b: object = None

    codec = StateCodec.for_class(Mixed)
    states = {1: Mixed(1, 1.0), 2: Mixed(True, None), 3: Mixed(10**30, "x\u00e9")}
    decoded = round_trip(codec, states, b"J")
    assert decoded == states
    assert [type(decoded[g].a) for g in (1, 2, 3)] == [int, bool, int]
    assert type(decoded[1].b) is float


def test_scalar_states_are_json() -> None:
    codec = StateCodec.for_class(object)
    assert round_trip(codec, {1: 5, 2: 2.5, 3: None, 4: "s"}, b"J") == {1: 5, 2: 2.5, 3: None, 4: "s"}


def test_a_state_json_cannot_keep_exactly_is_pickled() -> None:
    """A list field (tuples would come back as lists) sends the whole batch to pickle."""
    codec = StateCodec.for_class(SumState)
    states = {1: SumState(3, 1, ["a"]), 2: SumState(), -7: SumState(10**30, 2, ["b", "c"])}
    decoded = round_trip(codec, states, b"P")
    assert decoded == states
    assert all(type(s) is SumState for s in decoded.values())
    assert decoded[1] is not states[1]


def test_extra_attributes_beyond_the_fields_are_kept() -> None:
    codec = StateCodec.for_class(FrozenState)
    state = FrozenState(1.0)
    object.__setattr__(state, "extra", 2)
    decoded = round_trip(codec, {1: state}, b"P")
    assert decoded[1].extra == 2  # type: ignore[attr-defined]


def test_codec_is_cached_per_class() -> None:
    assert StateCodec.for_class(SumState) is StateCodec.for_class(SumState)
    assert StateCodec.for_class(SumState) is not StateCodec.for_class(FrozenState)


def test_subclass_and_foreign_values_survive() -> None:
    codec = StateCodec.for_class(SumState)
    states: dict[int, object] = {1: SubSumState(1, 2, [], 3.5), 2: {"a": 1}, 3: (1, 2), 4: None}
    decoded = round_trip(codec, states, b"P")  # type: ignore[arg-type]
    assert decoded == states
    assert type(decoded[1]) is SubSumState
    assert type(decoded[3]) is tuple


def test_frozen_and_slots_dataclasses() -> None:
    assert round_trip(StateCodec.for_class(FrozenState), {1: FrozenState(2.5)}, b"J") == {1: FrozenState(2.5)}
    assert round_trip(StateCodec.for_class(SlotsState), {1: SlotsState(4)}, b"J") == {1: SlotsState(4)}

    @dataclass(frozen=True, slots=True)
    class FrozenSlots:
        n: int = 0

    assert round_trip(StateCodec.for_class(FrozenSlots), {1: FrozenSlots(3)}, b"J") == {1: FrozenSlots(3)}


def test_plain_class_with_a_dict() -> None:
    class Plain:
        def __init__(self) -> None:
            self.n = 0

        def __eq__(self, other: object) -> bool:
            return isinstance(other, Plain) and vars(self) == vars(other)

    state = Plain()
    state.n = 7
    assert round_trip(StateCodec.for_class(Plain), {3: state}, b"J") == {3: state}


def test_class_defined_in_a_function() -> None:
    @dataclass
    class Local:
        n: int = 0

    codec = StateCodec.for_class(Local)
    assert round_trip(codec, {1: Local(5)}, b"J") == {1: Local(5)}


def test_own_methods_are_used() -> None:
    codec = StateCodec.for_class(PackedState)
    assert codec.kind == "methods"
    payload = codec.encode({1: PackedState(5), 2: PackedState(-1)})
    assert payload[:1] == b"M"
    assert struct.pack("<q", 5) in payload
    assert {gid: s.total for gid, s in codec.decode(payload).items()} == {1: 5, 2: -1}


def test_own_methods_decode_errors_name_the_class() -> None:
    codec = StateCodec.for_class(PackedState)
    payload = codec.encode({1: PackedState(5)})
    with pytest.raises(StateCodecError, match="PackedState"):
        codec.decode(payload[:-3])


def test_arrow_serializable_dataclass_state() -> None:
    """Generic Arrow IPC per state is ~50x slower; such states go to JSON or pickle instead."""
    codec = StateCodec.for_class(ArrowState)
    assert codec.kind != "methods"
    states = {1: ArrowState(total=3, label="x", values=[1.5]), 2: ArrowState()}
    assert round_trip(codec, states) == states


def test_arrow_serializable_dataclass_with_its_own_codec() -> None:
    codec = StateCodec.for_class(ArrowStateWithOwnCodec)
    assert codec.kind == "methods"
    payload = codec.encode({4: ArrowStateWithOwnCodec(total=9)})
    assert b"custom" in payload
    assert codec.decode(payload) == {4: ArrowStateWithOwnCodec(total=9)}


def test_non_picklable_state_is_refused_clearly() -> None:
    codec = StateCodec.for_class(LockedState)
    with pytest.raises(StateCodecError, match=r"LockedState cannot be stored.*serialize_to_bytes"):
        codec.encode({1: LockedState()})


def test_half_a_codec_is_refused() -> None:
    with pytest.raises(StateCodecError, match="defines serialize_to_bytes but not deserialize_from_bytes"):
        StateCodec.for_class(HalfCodec)


@pytest.mark.parametrize("payload", [b"", b"Pnot a pickle", b"J[1,2", b"Xwhat", b'J{"g":[1],"c":[[1],[2]]}'])
def test_garbage_is_refused_clearly(payload: bytes) -> None:
    with pytest.raises(StateCodecError, match="SlotsState"):
        StateCodec.for_class(SlotsState).decode(payload)
