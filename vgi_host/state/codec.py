"""Turning aggregate states into bytes for the shared state store, and back.

An aggregate touches up to a few thousand groups per batch, and every batch
decodes and re-encodes each of them (pack code may mutate a state in place, so
every loaded state is written back).  The codec is therefore chosen once per
state class and applied to whole batches with :meth:`StateCodec.encode_many`
and :meth:`StateCodec.decode_many`.

Two encodings:

* **The class's own codec.**  A class that defines ``serialize_to_bytes()``
  (instance method) and ``deserialize_from_bytes(data)`` (classmethod) knows
  best how to pack itself (the reference SDK's ``SumState`` packs one int64 in
  8 bytes), so its methods are used.

* **pickle (protocol 5)** for everything else: plain dataclasses, any
  picklable object, and ``vgi_rpc.ArrowSerializableDataclass`` states that
  only *inherit* its generic Arrow IPC methods.  Those methods write a whole
  one-row IPC stream per state, ~50x slower than pickle (measured: ~48 ms vs
  ~1.5 ms to encode and decode 1,000 two-field states), and the portability
  they buy is not needed here: the bytes never leave the machine and are read
  back by the same pack in the same execution.

Why unpickling is acceptable here: the states come from the store's SQLite
file, which :mod:`vgi_host.state.store` keeps in the user's private
state directory (created 0o700, the file 0o600) and refuses to open when it is
owned by someone else or writable by group or others.  Whoever can write it can
therefore already run code as this user, and the payload never crosses the
network.  A networked store must not reuse this codec without signing its
payloads.

For instances of a plain class (a ``__dict__``, no ``__slots__``, no custom
pickling hooks) only the instance ``__dict__`` is pickled and the class is
taken from the codec: that is what pickle itself would restore, at ~2.5x the
speed, and it also works for classes defined inside functions.
"""

from __future__ import annotations

import copyreg
import pickle
import weakref
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from typing import Any, Final, cast

__all__ = ["StateCodec", "StateCodecError"]

_PROTOCOL: Final = 5

# Pickling hooks whose presence means pickle does more than save ``__dict__``.
_CUSTOM_HOOKS: Final = ("__setstate__", "__getnewargs_ex__", "__getnewargs__")
_OBJECT_HOOKS: Final = ("__reduce_ex__", "__reduce__", "__getstate__")


class StateCodecError(TypeError):
    """A state cannot be encoded or decoded; the message names the state class."""


class StateCodec[S](ABC):
    """Encodes and decodes the states of one state class."""

    __slots__ = ("state_class",)

    def __init__(self, state_class: type[S]) -> None:
        self.state_class = state_class

    @staticmethod
    def for_class[T](state_class: type[T]) -> StateCodec[T]:
        """The codec for *state_class* (chosen once per class and cached)."""
        cached = _CODECS.get(state_class)
        if cached is None:
            cached = _choose(state_class)
            _CODECS[state_class] = cached
        return cast("StateCodec[T]", cached)

    @property
    @abstractmethod
    def kind(self) -> str:
        """A short name of the encoding, for diagnostics ("methods" or "pickle")."""

    @abstractmethod
    def encode(self, state: S) -> bytes:
        """The bytes of one state."""

    @abstractmethod
    def decode(self, data: bytes) -> S:
        """The state *data* was encoded from."""

    def encode_many(self, states: Mapping[int, S]) -> dict[int, bytes]:
        """Encode a batch of states keyed by group id."""
        encode = self.encode
        return {group_id: encode(state) for group_id, state in states.items()}

    def decode_many(self, blobs: Mapping[int, bytes]) -> dict[int, S]:
        """Decode a batch of stored states keyed by group id."""
        decode = self.decode
        return {group_id: decode(data) for group_id, data in blobs.items()}

    def _name(self) -> str:
        return f"{self.state_class.__module__}.{self.state_class.__qualname__}"


class _MethodCodec[S](StateCodec[S]):
    """Uses the class's own ``serialize_to_bytes`` / ``deserialize_from_bytes``."""

    __slots__ = ("_deserialize",)

    def __init__(self, state_class: type[S]) -> None:
        super().__init__(state_class)
        self._deserialize: Callable[[bytes], S] = getattr(state_class, "deserialize_from_bytes")  # noqa: B009

    @property
    def kind(self) -> str:
        return "methods"

    def encode(self, state: S) -> bytes:
        data = cast("Any", state).serialize_to_bytes()
        if not isinstance(data, bytes | bytearray | memoryview):
            raise StateCodecError(
                f"{self._name()}.serialize_to_bytes() returned {type(data).__name__}, not bytes"
            )
        return bytes(data)

    def decode(self, data: bytes) -> S:
        try:
            return self._deserialize(data)
        except Exception as exc:
            raise StateCodecError(f"cannot decode a stored {self._name()} state: {exc}") from exc


class _PickleCodec[S](StateCodec[S]):
    """pickle protocol 5, saving only ``__dict__`` for instances of plain classes."""

    __slots__ = ("_plain",)

    def __init__(self, state_class: type[S]) -> None:
        super().__init__(state_class)
        self._plain = _has_plain_instance_state(state_class)

    @property
    def kind(self) -> str:
        return "pickle"

    def encode(self, state: S) -> bytes:
        return self.encode_many({0: state})[0]

    def decode(self, data: bytes) -> S:
        return self.decode_many({0: data})[0]

    def encode_many(self, states: Mapping[int, S]) -> dict[int, bytes]:
        dumps = pickle.dumps
        cls = self.state_class
        try:
            if self._plain:
                # Anything but an exact instance (a subclass, or whatever the pack
                # assigned) is pickled whole inside a 1-tuple, so decoding can tell
                # it from an instance __dict__ without a tag byte on every state.
                return {
                    group_id: dumps(state.__dict__ if type(state) is cls else (state,), _PROTOCOL)
                    for group_id, state in states.items()
                }
            return {group_id: dumps(state, _PROTOCOL) for group_id, state in states.items()}
        except (pickle.PicklingError, TypeError, AttributeError) as exc:
            raise StateCodecError(
                f"aggregate state {self._name()} cannot be pickled for the shared state store ({exc}); "
                "keep its fields picklable or give the class serialize_to_bytes() and a "
                "deserialize_from_bytes() classmethod"
            ) from exc

    def decode_many(self, blobs: Mapping[int, bytes]) -> dict[int, S]:
        loads = pickle.loads
        try:
            if not self._plain:
                return {group_id: loads(data) for group_id, data in blobs.items()}
            cls = self.state_class
            new = cast("Any", cls).__new__
            out: dict[int, S] = {}
            for group_id, data in blobs.items():
                value = loads(data)
                if type(value) is dict:
                    state = new(cls)
                    state.__dict__.update(value)
                    out[group_id] = state
                else:
                    out[group_id] = value[0]
        except Exception as exc:
            raise StateCodecError(
                f"cannot unpickle a stored {self._name()} state ({exc}); "
                "was the pack changed while the query ran?"
            ) from exc
        return out


_CODECS: weakref.WeakKeyDictionary[type[Any], StateCodec[Any]] = weakref.WeakKeyDictionary()


def _choose(state_class: type[Any]) -> StateCodec[Any]:
    """The class's own methods when it defines both, else pickle."""
    if not isinstance(state_class, type):
        raise StateCodecError(f"an aggregate state class must be a class, got {state_class!r}")
    serialize = _own_method(state_class, "serialize_to_bytes")
    deserialize = _own_method(state_class, "deserialize_from_bytes")
    if serialize and deserialize:
        return _MethodCodec(state_class)
    if serialize or deserialize:
        present, absent = (
            ("serialize_to_bytes", "deserialize_from_bytes")
            if serialize
            else ("deserialize_from_bytes", "serialize_to_bytes")
        )
        raise StateCodecError(
            f"aggregate state {state_class.__module__}.{state_class.__qualname__} defines {present} "
            f"but not {absent}; define both, or neither to have it pickled"
        )
    return _PickleCodec(state_class)


def _own_method(state_class: type[Any], name: str) -> bool:
    """Whether *name* is defined by the state class itself, not inherited from vgi_rpc.

    ``ArrowSerializableDataclass``'s generic methods do not count: they are the
    slow path this module avoids (see the module docstring).
    """
    for klass in state_class.__mro__:
        if name in vars(klass):
            return callable(getattr(state_class, name)) and not (
                klass.__name__ == "ArrowSerializableDataclass" and klass.__module__.startswith("vgi_rpc")
            )
    return False


def _has_plain_instance_state(cls: type[Any]) -> bool:
    """Whether pickling an instance of *cls* saves exactly its ``__dict__``.

    True for ordinary classes and dataclasses (frozen ones included); false
    for ``__slots__``, builtin subclasses, a custom ``__new__`` and any
    pickling hook, where the codec pickles the whole object instead.
    """
    if vars(object)["__new__"] is not cls.__new__ or cls.__dictoffset__ == 0:
        return False
    if cls in copyreg.dispatch_table:
        return False
    if any(vars(klass).get("__slots__") for klass in cls.__mro__):
        return False
    if any(getattr(cls, hook) is not getattr(object, hook) for hook in _OBJECT_HOOKS):
        return False
    return not any(hasattr(cls, hook) for hook in _CUSTOM_HOOKS)
