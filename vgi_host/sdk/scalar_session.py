"""Filling a scalar's ``Setting()``, ``Secret()`` and ``Auth()`` parameters from the bind request.

Kept apart from :mod:`vgi_host.sdk.scalar` (the per-batch path): this runs
once per bind.  The values join the call's constants, so ``compute`` receives
them like any other keyword argument.

* ``Setting()``: the setting's Arrow scalar; a call without every setting the
  function reads fails at bind with the reference's sentence.
* ``Secret(type)``: the secret's fields (name -> Arrow scalar).  A first bind
  without secrets answers with the secrets to look up; when the secret is
  still absent the parameter is left out, so ``compute`` fails with Python's
  own "missing argument" error, as under the reference.
* ``Auth()``: the caller's identity (anonymous: vgi-host passes no identity yet).
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from vgi_host.errors import BindError
from vgi_host.sdk.context_markers import AuthContext, Secret, Setting
from vgi_host.sdk.session import SecretLookup, secrets_of, settings_of

if TYPE_CHECKING:
    from vgi_host.protocol.invocation import BindRequest
    from vgi_host.sdk.scalar import BoundScalar


def bind_session(bound: BoundScalar, request: BindRequest) -> BoundScalar:
    """``bound`` with its session parameters filled, or carrying the secrets still to look up."""
    settings = settings_of(request.settings)
    wanted = {name: marker.name or name for name, marker in bound.session if isinstance(marker, Setting)}
    missing = [key for key in wanted.values() if key not in settings]
    if missing:
        raise BindError(f"Function '{bound.name}' requires settings: {missing}")
    secrets_needed = [marker for _, marker in bound.session if isinstance(marker, Secret)]
    if secrets_needed and request.secrets is None and not request.resolved_secrets_provided:
        lookups = tuple(SecretLookup(m.secret_type, m.scope, m.name) for m in secrets_needed)
        return dataclasses.replace(bound, secret_lookups=lookups)
    secrets = secrets_of(request.secrets)
    values: dict[str, Any] = {}
    for name, marker in bound.session:
        if isinstance(marker, Setting):
            values[name] = settings[wanted[name]]
        elif isinstance(marker, Secret):
            found = secrets.lookup(marker.secret_type, name=marker.name, scope=marker.scope)
            if found is not None:
                values[name] = found
        else:
            values[name] = AuthContext.anonymous()
    return dataclasses.replace(bound, constants={**bound.constants, **values})
