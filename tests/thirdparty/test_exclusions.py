"""Every excluded class is excluded for a reason that still holds.

A class of a kind in ``EXCLUDED_KINDS`` must still be refused by vgi-host with
that kind named; once the kind is served this fails, and the kind leaves the
list (its functions are then compared like the others).
"""

from __future__ import annotations

import pytest
from conftest import EXCLUDED

_MESSAGES = {"table_buffering": r"table-buffering kind"}


@pytest.mark.parametrize("function", EXCLUDED, ids=lambda f: f.id)
def test_exclusion_still_needed(function):
    from vgi_host.errors import FunctionDefinitionError
    from vgi_host.kinds.registry import definition_of

    with pytest.raises(FunctionDefinitionError, match=_MESSAGES[function.kind]):
        definition_of(function.cls)
