"""Turning one call's aggregate states into one blob for the state store, and back.

An aggregate touches up to a few thousand groups per batch.  Every commit
writes the states it touched as **one payload** (see
:mod:`vgi_host.state.store`), so the codec works on whole batches: one
``json.dumps`` or one ``pickle.dumps`` per call instead of one per group.

The payload's first byte says how it was written, chosen per batch:

* ``J`` — **JSON**, whenever every state is JSON-safe: an ``int``/``float``/
  ``str``/``bool``/``None`` state, or an instance of the state class whose
  fields all hold such values (dataclasses with or without ``__slots__``,
  frozen or not, and plain classes).  Stored column-wise (one list per
  field), which is both compact and fast.  Decoding JSON never runs code.
* ``M`` — the class's **own codec** when it defines ``serialize_to_bytes()``
  and a ``deserialize_from_bytes(data)`` classmethod (the reference SDK's
  ``SumState`` packs one int64 in 8 bytes): length-prefixed state bytes.
* ``P`` — **pickle** (protocol 5) for everything else.

Only payloads whose HMAC signature verified reach :meth:`StateCodec.decode`
(see :mod:`vgi_host.state.signing`): pickle and the class's own decoder then
only ever see bytes a host with the key wrote, which is what makes them
acceptable even in a store other machines can write.

``vgi_rpc.ArrowSerializableDataclass`` states that only *inherit* its generic
Arrow IPC methods are not given the ``M`` treatment: those methods write a
whole one-row IPC stream per state, ~50x slower than pickle.
"""

from __future__ import annotations

import copyreg
import dataclasses
import itertools
import json
import operator
import pickle
import struct
import weakref
from collections.abc import Callable, Mapping
from typing import Any, Final, cast

__all__ = ["StateCodec", "StateCodecError"]

_PROTOCOL: Final = 5
_JSON: Final = b"J"[0]
_METHODS: Final = b"M"[0]
_PICKLE: Final = b"P"[0]
_SCALARS: Final = frozenset({int, float, str, bool, type(None)})
_LENGTH: Final = struct.Struct("<qI")  # group id, state length (the M format)

# Pickling hooks whose presence means pickle does more than save the fields.
_CUSTOM_HOOKS: Final = ("__setstate__", "__getnewargs_ex__", "__getnewargs__")
_OBJECT_HOOKS: Final = ("__reduce_ex__", "__reduce__", "__getstate__")
_dumps_json = json.JSONEncoder(ensure_ascii=False, check_circular=False, separators=(",", ":")).encode


class StateCodecError(TypeError):
    """A state cannot be encoded or decoded; the message names the state class."""


class StateCodec[S]:
    """Encodes and decodes the states of one state class, a batch at a time."""

    __slots__ = (
        "_deserialize",
        "_fields",
        "_getter",
        "_has_dict",
        "_methods",
        "_plain",
        "_positional_init",
        "state_class",
    )

    def __init__(self, state_class: type[S]) -> None:
        self.state_class = state_class
        self._methods = _has_own_codec(state_class)
        self._deserialize: Callable[[bytes], S] | None = (
            getattr(state_class, "deserialize_from_bytes") if self._methods else None  # noqa: B009
        )
        self._plain = _rebuildable(state_class)
        # Field names for column-wise JSON; None when instances cannot be rebuilt from fields.
        self._fields: tuple[str, ...] | None = None
        self._getter: Callable[[Any], Any] | None = None
        self._positional_init = False
        self._has_dict = state_class.__dictoffset__ != 0
        if self._plain and dataclasses.is_dataclass(state_class):
            fields = dataclasses.fields(state_class)
            self._fields = tuple(f.name for f in fields)
            if self._fields:
                self._getter = operator.attrgetter(*self._fields)
            self._positional_init = bool(fields) and _generated_init(state_class, self._fields)

    @staticmethod
    def for_class[T](state_class: type[T]) -> StateCodec[T]:
        """The codec for *state_class* (chosen once per class and cached)."""
        if not isinstance(state_class, type):
            raise StateCodecError(f"an aggregate state class must be a class, got {state_class!r}")
        cached = _CODECS.get(state_class)
        if cached is None:
            _check_half_codec(state_class)
            cached = StateCodec(state_class)
            _CODECS[state_class] = cached
        return cast("StateCodec[T]", cached)

    @property
    def kind(self) -> str:
        """How a batch of this class is usually written: ``json``, ``methods`` or ``pickle``."""
        if self._methods:
            return "methods"
        return "json" if self._fields is not None or self._plain else "pickle"

    # -- encoding -------------------------------------------------------------------------

    def encode(self, states: Mapping[int, S]) -> bytes:
        """One payload holding every state of *states* (group id -> state)."""
        if self._methods:
            return self._encode_methods(states)
        encoded = self._encode_json(states)
        return encoded if encoded is not None else self._encode_pickle(states)

    def _encode_json(self, states: Mapping[int, S]) -> bytes | None:
        """Column-wise JSON, or None when some state holds something JSON cannot keep exactly.

        One list per field (read with ``map(attrgetter)``, no Python-level
        loop) encodes and parses ~2x faster than one small array per state.
        """
        values = list(states.values())
        document: dict[str, Any] = {"g": list(states)}
        cls = self.state_class
        value_types = set(map(type, values))
        if value_types <= _SCALARS:
            document["v"] = values
        elif value_types == {cls} and self._getter is not None:
            names = self._fields or ()
            if self._has_dict and any(len(vars(v)) != len(names) for v in values):
                return None  # attributes beyond the declared fields
            columns = [list(map(operator.attrgetter(name), values)) for name in names]
            if not all(set(map(type, column)) <= _SCALARS for column in columns):
                return None
            document["c"] = columns
        elif value_types == {cls} and self._plain:
            dicts = [vars(v) for v in values]
            if not set(map(type, itertools.chain.from_iterable(d.values() for d in dicts))) <= _SCALARS:
                return None
            document["d"] = dicts
        else:
            return None
        try:
            return b"J" + _dumps_json(document).encode()
        except ValueError:  # e.g. a str with a lone surrogate
            return None

    def _encode_pickle(self, states: Mapping[int, S]) -> bytes:
        try:
            return b"P" + pickle.dumps((list(states), list(states.values())), _PROTOCOL)
        except (pickle.PicklingError, TypeError, AttributeError) as exc:
            raise StateCodecError(
                f"aggregate state {self._name()} cannot be stored ({exc}); keep its fields picklable "
                "or give the class serialize_to_bytes() and a deserialize_from_bytes() classmethod"
            ) from exc

    def _encode_methods(self, states: Mapping[int, S]) -> bytes:
        parts = [b"M"]
        pack = _LENGTH.pack
        for group_id, state in states.items():
            data = cast("Any", state).serialize_to_bytes()
            if not isinstance(data, bytes | bytearray | memoryview):
                raise StateCodecError(
                    f"{self._name()}.serialize_to_bytes() returned {type(data).__name__}, not bytes"
                )
            parts.append(pack(group_id, len(data)))
            parts.append(bytes(data))
        return b"".join(parts)

    # -- decoding -------------------------------------------------------------------------

    def decode(self, payload: bytes) -> dict[int, S]:
        """The states a payload from :meth:`encode` holds (group id -> state)."""
        if not payload:
            raise StateCodecError(f"an empty stored {self._name()} payload")
        tag = payload[0]
        try:
            if tag == _JSON:
                return self._decode_json(payload)
            if tag == _PICKLE:
                group_ids, values = pickle.loads(memoryview(payload)[1:])
                return dict(zip(group_ids, values, strict=True))
            if tag == _METHODS:
                return self._decode_methods(payload)
        except StateCodecError:
            raise
        except Exception as exc:
            raise StateCodecError(
                f"cannot decode stored {self._name()} states ({type(exc).__name__}: {exc}); "
                "was the pack changed while the query ran?"
            ) from exc
        raise StateCodecError(f"stored {self._name()} states have an unknown format {payload[:1]!r}")

    def _decode_json(self, payload: bytes) -> dict[int, S]:
        document = json.loads(memoryview(payload)[1:].tobytes())
        group_ids: list[int] = document["g"]
        if "v" in document:
            return dict(zip(group_ids, document["v"], strict=True))
        cls = self.state_class
        new = cast("Any", cls).__new__
        out: dict[int, S] = {}
        if "c" in document:
            names = self._fields
            columns = document["c"]
            if names is None or len(columns) != len(names):
                raise StateCodecError(f"stored {self._name()} states do not match the class's fields")
            rows = zip(*columns, strict=True)
            if self._positional_init:
                # The dataclass's own __init__ sets exactly the fields, in order (no
                # __post_init__, no init=False fields): ~2x faster than setattr loops.
                return dict(zip(group_ids, itertools.starmap(cls, rows), strict=True))
            setter = object.__setattr__
            for group_id, row in zip(group_ids, rows, strict=True):
                state = new(cls)
                for name, value in zip(names, row, strict=True):
                    setter(state, name, value)
                out[group_id] = state
            return out
        for group_id, fields in zip(group_ids, document["d"], strict=True):
            state = new(cls)
            state.__dict__.update(fields)
            out[group_id] = state
        return out

    def _decode_methods(self, payload: bytes) -> dict[int, S]:
        assert self._deserialize is not None, "M payloads are written only for classes with a codec"
        deserialize = self._deserialize
        view = memoryview(payload)
        offset, end = 1, len(payload)
        out: dict[int, S] = {}
        unpack = _LENGTH.unpack_from
        while offset < end:
            group_id, size = unpack(view, offset)
            offset += _LENGTH.size
            if offset + size > end:
                raise StateCodecError(f"stored {self._name()} states are truncated")
            out[group_id] = deserialize(view[offset : offset + size].tobytes())
            offset += size
        return out

    def _name(self) -> str:
        return f"{self.state_class.__module__}.{self.state_class.__qualname__}"


_CODECS: weakref.WeakKeyDictionary[type[Any], StateCodec[Any]] = weakref.WeakKeyDictionary()


def _check_half_codec(state_class: type[Any]) -> None:
    """Refuse a class that defines only one of the two codec methods."""
    serialize = _own_method(state_class, "serialize_to_bytes")
    deserialize = _own_method(state_class, "deserialize_from_bytes")
    if serialize != deserialize:
        present, absent = (
            ("serialize_to_bytes", "deserialize_from_bytes")
            if serialize
            else ("deserialize_from_bytes", "serialize_to_bytes")
        )
        raise StateCodecError(
            f"aggregate state {state_class.__module__}.{state_class.__qualname__} defines {present} "
            f"but not {absent}; define both, or neither to have it stored as JSON or pickle"
        )


def _has_own_codec(state_class: type[Any]) -> bool:
    return _own_method(state_class, "serialize_to_bytes") and _own_method(
        state_class, "deserialize_from_bytes"
    )


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


def _rebuildable(cls: type[Any]) -> bool:
    """Whether an instance of *cls* is fully described by its fields (``__dict__`` or dataclass slots).

    True for ordinary classes and dataclasses (frozen and slotted ones
    included); false for builtin subclasses, a custom ``__new__`` and any
    pickling hook, where only pickle restores the object faithfully.  A
    non-dataclass with ``__slots__`` is false too (its slots are not listed
    anywhere reliable).
    """
    if vars(object)["__new__"] is not cls.__new__ or cls in copyreg.dispatch_table:
        return False
    if any(getattr(cls, hook) is not getattr(object, hook) for hook in _OBJECT_HOOKS):
        # Slotted dataclasses get a generated __getstate__/__setstate__ pair that only
        # saves the fields: harmless here.
        if not (dataclasses.is_dataclass(cls) and _generated_state_hooks(cls)):
            return False
    elif any(hasattr(cls, hook) for hook in _CUSTOM_HOOKS):
        return False
    if dataclasses.is_dataclass(cls):
        return True
    return cls.__dictoffset__ != 0 and not any(vars(k).get("__slots__") for k in cls.__mro__)


def _generated_init(cls: type[Any], names: tuple[str, ...]) -> bool:
    """Whether ``cls(*row)`` only sets these fields: ``@dataclass`` wrote ``__init__`` for exactly them.

    The generated ``__init__`` is compiled from a string (``co_filename`` is
    ``<string>``) and takes the init fields in order; a hand-written one, a
    ``__post_init__``, ``InitVar`` or ``init=False`` field fails the test and the
    codec sets attributes itself instead.
    """
    init = vars(cls).get("__init__")
    code = getattr(init, "__code__", None)
    if code is None or code.co_filename != "<string>" or hasattr(cls, "__post_init__"):
        return False
    fields = dataclasses.fields(cls)
    if not all(f.init and not f.kw_only for f in fields):
        return False
    return bool(code.co_argcount == len(names) + 1 and code.co_varnames[1 : len(names) + 1] == names)


def _generated_state_hooks(cls: type[Any]) -> bool:
    """Whether the class's pickling hooks are the ones ``@dataclass(slots=True)`` writes."""
    hooks = [getattr(cls, name, None) for name in ("__getstate__", "__setstate__")]
    return all(
        hook is not None and getattr(hook, "__module__", "") == "dataclasses" for hook in hooks
    ) and not any(getattr(cls, hook) is not getattr(object, hook) for hook in ("__reduce_ex__", "__reduce__"))
