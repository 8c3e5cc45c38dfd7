"""Every excluded class is excluded for a reason that still holds.

A class leaves ``EXCLUDED`` as soon as vgi-host serves what it needs: these
tests fail when an exclusion has become stale, so the list cannot hide a
class that would now pass (or a failure of another kind).
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import sys

import pytest
from cases import _REFERENCE_ENV, RUNTIME_ATTRIBUTES, SCOPED_SECRETS
from conftest import ALL_FIXTURES, EXCLUDED

EXCLUDED_REFS = [ref for ref, _ in ALL_FIXTURES if ref.name in EXCLUDED]


@pytest.mark.parametrize("ref", EXCLUDED_REFS, ids=lambda r: r.name)
def test_exclusion_still_needed(ref, workspace):
    from vgi_host.errors import FunctionDefinitionError
    from vgi_host.kinds.registry import definition_of

    if str(workspace) not in sys.path:
        sys.path.insert(0, str(workspace))
    ported = getattr(importlib.import_module(f"ported_fixtures.{ref.module}"), ref.name)
    reason = EXCLUDED[ref.name]
    if reason == SCOPED_SECRETS:
        # vgi-host serves the class (tests/unit/test_session.py runs both rounds); the reference client
        # ignores a bind's secret lookups, so a comparison through it stays meaningless until it does not.
        import vgi.client.client as reference_client

        definition_of(ported)
        assert "lookup_secret_types" not in inspect.getsource(reference_client), (
            "the reference client resolves secret lookups now: include the class"
        )
    elif reason == _REFERENCE_ENV:
        # Nothing to compare: the reference cannot run the class here.  Holds while aiohttp is absent.
        assert importlib.util.find_spec("aiohttp") is None, "aiohttp is installed now: include the class"
    elif reason in RUNTIME_ATTRIBUTES:
        # Loads, but reads a ``params`` attribute vgi-host does not provide.
        from vgi_host import ProcessParams

        attribute = RUNTIME_ATTRIBUTES[reason]
        definition_of(ported)
        sources = [
            inspect.getsource(klass)
            for klass in ported.__mro__
            if klass.__module__.startswith("ported_fixtures")
        ]
        assert any(f"params.{attribute}" in text for text in sources), f"{ref.name} does not use {attribute}"
        assert attribute not in ProcessParams.__dataclass_fields__, f"ProcessParams has {attribute} now"
    else:
        # row-transform classes are refused at registration, naming the missing feature
        with pytest.raises(FunctionDefinitionError, match=r"not served by vgi-host yet|expects a subclass"):
            definition_of(ported)
