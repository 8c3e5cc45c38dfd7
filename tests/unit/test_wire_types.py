"""``@wire_type`` classes behave exactly as ``@dataclass(frozen=True, slots=True)`` ones.

The wire classes get their methods from the generated ``wire_methods.py``
instead of compiling them at import (issue 15).  These tests hold that to two
promises: the generated file is current (regenerate with ``python -m
vgi_host.protocol.wire_codegen``), and every wire class is indistinguishable
from a plain standard-library dataclass built from the same source - fields,
parameters, signature, ``repr``, equality, hashing, freezing, pickling and
``replace`` - which is what vgi-rpc and the host rely on.
"""

from __future__ import annotations

import copy
import dataclasses
import importlib.util
import inspect
import pickle
import sys
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest

from vgi_host.protocol import wire, wire_methods
from vgi_host.protocol.wire import shape_of, wire_type
from vgi_host.protocol.wire_codegen import GENERATED_PATH, generated_module, wire_classes

CLASSES = wire_classes()
MODULES = sorted({cls.__module__ for cls in CLASSES})


def test_generated_module_is_current() -> None:
    assert GENERATED_PATH.read_text(encoding="utf-8") == generated_module(), (
        "vgi_host/protocol/wire_methods.py is stale: run `python -m vgi_host.protocol.wire_codegen`"
    )


def test_every_wire_class_uses_its_pregenerated_methods() -> None:
    assert len(CLASSES) >= 90
    for cls in CLASSES:
        entry = wire_methods.METHODS.get(f"{cls.__module__}.{cls.__qualname__}")
        assert entry is not None, cls
        assert entry[0] == shape_of(dataclasses.fields(cls)), cls
        assert cls.__init__.__code__.co_filename == wire_methods.__file__, cls


def _reference_module(name: str) -> ModuleType:
    """Module *name* executed again with ``wire_type`` meaning the plain ``dataclass``."""
    source = sys.modules[name].__file__
    assert source is not None
    spec = importlib.util.spec_from_file_location(f"_reference_{name.replace('.', '_')}", source)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolves string annotations through sys.modules
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def reference_classes() -> Iterator[dict[type, type]]:
    saved = wire._PRECOMPILED, list(wire.DECLARED)
    wire._PRECOMPILED = False
    try:
        pairs: dict[type, type] = {}
        for name in MODULES:
            module = _reference_module(name)
            for cls in CLASSES:
                if cls.__module__ == name:
                    pairs[cls] = getattr(module, cls.__qualname__)
        yield pairs
    finally:
        wire._PRECOMPILED, wire.DECLARED[:] = saved[0], saved[1]
        for name in MODULES:
            sys.modules.pop(f"_reference_{name.replace('.', '_')}", None)


def _arguments(cls: type, changed: str | None = None) -> dict[str, Any]:
    """A value for every required field (and *changed*, to differ from the default).

    Fields whose factory is not a plain container (a fresh execution id, say)
    get a value too, so that two instances are comparable.
    """
    values: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        varying = f.default_factory not in (dataclasses.MISSING, list, dict, tuple, set)
        if required or varying or f.name == changed:
            values[f.name] = f"<{f.name}{'!' if f.name == changed else ''}>"
    return values


def _instance(cls: type, values: dict[str, Any]) -> Any:
    positional = [values[f.name] for f in dataclasses.fields(cls) if not f.kw_only and f.name in values]
    keywords = {f.name: values[f.name] for f in dataclasses.fields(cls) if f.kw_only and f.name in values}
    return cls(*positional, **keywords)


def _described(cls: type) -> list[tuple[object, ...]]:
    """Every attribute of every field (a module's own default factory by name: the reference re-ran it)."""
    return [
        (
            f.name,
            f.type,
            repr(f.default),
            getattr(f.default_factory, "__qualname__", f.default_factory),
            f.init,
            f.repr,
            f.hash,
            f.compare,
            dict(f.metadata),
            f.kw_only,
            repr(f._field_type),  # type: ignore[attr-defined]
        )
        for f in dataclasses.fields(cls)
    ]


def _signature(cls: type) -> str:
    """The class's signature, or why ``inspect`` cannot tell (a default of ``Parameter.empty``, say)."""
    try:
        return str(inspect.signature(cls))
    except ValueError as exc:
        return f"ValueError: {exc}"


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__qualname__)
def test_declaration_matches_the_plain_dataclass(cls: type, reference_classes: dict[type, type]) -> None:
    reference = reference_classes[cls]
    assert reference is not cls
    assert _described(cls) == _described(reference)
    assert repr(cls.__dataclass_params__) == repr(reference.__dataclass_params__)  # type: ignore[attr-defined]
    assert _signature(cls) == _signature(reference)
    assert cls.__init__.__annotations__ == reference.__init__.__annotations__
    for name in ("__match_args__", "__slots__", "__doc__"):
        assert getattr(cls, name) == getattr(reference, name), name
    for name in ("__init__", "__repr__", "__eq__", "__hash__", "__setattr__", "__delattr__", "__replace__"):
        assert name in vars(cls), name
        assert getattr(cls, name).__qualname__ == getattr(reference, name).__qualname__, name
    assert dataclasses.is_dataclass(cls)


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__qualname__)
def test_instances_behave_as_the_plain_dataclass(cls: type, reference_classes: dict[type, type]) -> None:
    reference = reference_classes[cls]
    values = _arguments(cls)
    ours, theirs = _instance(cls, values), _instance(reference, values)
    assert repr(ours) == repr(theirs)
    assert ours == _instance(cls, values)
    assert (ours != _instance(cls, values)) is False  # __ne__ is derived from the generated __eq__
    assert ours != theirs  # different classes never compare equal, as with dataclasses
    try:
        expected_hash: int | None = hash(theirs)
    except TypeError:  # a list-valued field: unhashable in both
        expected_hash = None
        with pytest.raises(TypeError):
            hash(ours)
    else:
        assert hash(ours) == expected_hash
    for f in dataclasses.fields(cls):
        if f.name not in values and f.default_factory is not dataclasses.MISSING:  # a fresh container
            assert type(getattr(ours, f.name)) is type(getattr(theirs, f.name))
            assert getattr(ours, f.name) is not getattr(_instance(cls, values), f.name)
        different = _instance(cls, _arguments(cls, changed=f.name))
        assert (different == ours) is (_instance(reference, _arguments(cls, changed=f.name)) == theirs)
        with pytest.raises(dataclasses.FrozenInstanceError) as ours_error:
            setattr(ours, f.name, "x")
        with pytest.raises(dataclasses.FrozenInstanceError) as their_error:
            setattr(theirs, f.name, "x")
        assert str(ours_error.value) == str(their_error.value)
        with pytest.raises(dataclasses.FrozenInstanceError):
            delattr(ours, f.name)
    with pytest.raises((AttributeError, TypeError)):
        ours.not_a_field = 1
    assert pickle.loads(pickle.dumps(ours)) == ours
    assert ours.__getstate__() == theirs.__getstate__()
    assert dataclasses.replace(ours) == ours
    assert copy.replace(ours) == ours
    assert dataclasses.astuple(ours) == dataclasses.astuple(theirs)


def test_a_class_the_file_was_not_generated_for_is_compiled_on_the_spot() -> None:
    @wire_type
    class Local:
        """Declared here, so ``wire_methods.py`` has nothing for it."""

        name: str
        tags: list[str] = dataclasses.field(default_factory=list)
        size: int = 3

    @dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
    class Plain:
        """Declared here, so ``wire_methods.py`` has nothing for it."""

        name: str
        tags: list[str] = dataclasses.field(default_factory=list)
        size: int = 3

    wire.DECLARED.remove(Local)
    assert f"{Local.__module__}.{Local.__qualname__}" not in wire_methods.METHODS
    local = Local(name="a")
    assert repr(local) == repr(Plain(name="a")).replace("Plain", "Local")
    assert str(inspect.signature(Local)) == str(inspect.signature(Plain))
    assert local == Local(name="a")
    assert local != Local(name="a", size=4)
    assert local.tags == []
    assert local.tags is not Local(name="a").tags
    with pytest.raises(dataclasses.FrozenInstanceError):
        local.size = 5  # type: ignore[misc]
    with pytest.raises(TypeError):
        Local("a")  # type: ignore[misc]  # keyword-only, as declared


def test_attach_option_spec_serializes_into_a_destination():
    """The reference spelling ``spec.serialize(dest)`` writes the same bytes ``serialize()`` returns."""
    import io

    import pyarrow as pa

    from vgi_host.protocol.attach import AttachOptionSpec

    spec = AttachOptionSpec(name="region", description="where", type=pa.schema([("region", pa.string())]))
    sink = io.BytesIO()
    assert spec.serialize(sink) is None
    assert sink.getvalue() == spec.serialize()
