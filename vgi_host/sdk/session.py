"""Session values a call carries besides its arguments: DuckDB settings, secrets, the caller.

The client sends settings and secrets in the bind request as one-row batches
(one column per setting; one struct column per resolved secret, named by the
secret).  A function reads them as ``params.settings`` (name -> Arrow scalar),
``params.secrets`` (a :class:`ResolvedSecrets`) or through ``Setting()`` /
``Secret()`` / ``Auth()`` parameters of a scalar's ``compute``.

Secrets are resolved in two rounds, as DuckDB does it: a bind that needs a
secret the request does not carry answers with the secrets to look up (a
*secret-scope request*) instead of a schema; the client resolves them and
binds again with ``resolved_secrets_provided`` set.  :class:`SecretsAccessor`
is what ``on_bind`` asks; it records what is missing on the first round.
"""

from __future__ import annotations

import typing
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from vgi_host.errors import BindError
from vgi_host.protocol.wire import frozen_record
from vgi_host.sdk.annotations import function_hints
from vgi_host.sdk.context_markers import Auth, AuthContext, Secret, Setting

if TYPE_CHECKING:
    from vgi_host.protocol.invocation import BindRequest


def settings_of(batch: pa.RecordBatch | None) -> dict[str, pa.Scalar[Any]]:
    """The settings batch as name -> scalar (empty when the client sent none)."""
    if batch is None or batch.num_rows == 0:
        return {}
    return {name: batch.column(i)[0] for i, name in enumerate(batch.schema.names)}


def _text(value: Any) -> str:
    """A secret's ``type``/``scope`` field as text ('' when absent or NULL)."""
    if value is None:
        return ""
    if isinstance(value, pa.Scalar):
        value = value.as_py()
    return "" if value is None else str(value)


def _fields(scalar: pa.Scalar[Any]) -> dict[str, Any]:
    """One secret's fields: a struct's members as scalars, any other value under ``value``."""
    if isinstance(scalar, pa.StructScalar):
        return {field.name: scalar[field.name] for field in scalar.type}
    return {"value": scalar}


class ResolvedSecrets(dict[str, dict[str, Any]]):
    """Resolved secrets by secret name; each is a dict of its fields (Arrow scalars).

    DuckDB sends a ``type`` and a ``scope`` field (scope prefixes joined by
    newlines) with each secret; a client may also send bare key/value structs
    keyed by the secret type, which :meth:`lookup` accepts.
    """

    def of_type(self, secret_type: str) -> list[dict[str, Any]]:
        """Every secret whose ``type`` field is ``secret_type``."""
        return [fields for fields in self.values() if _text(fields.get("type")) == secret_type]

    def for_scope(self, path: str) -> dict[str, Any] | None:
        """The secret whose scope is the longest prefix of ``path`` (one without a scope otherwise)."""
        return self._best_for(path, None)

    def for_scope_of_type(self, path: str, secret_type: str) -> dict[str, Any] | None:
        """:meth:`for_scope` among the secrets of ``secret_type``."""
        return self._best_for(path, secret_type)

    def field_for(self, path: str, field: str) -> Any | None:
        """One field of the secret :meth:`for_scope` picks."""
        found = self.for_scope(path)
        return None if found is None else found.get(field)

    def lookup(
        self, secret_type: str, *, name: str | None = None, scope: str | None = None
    ) -> dict[str, Any] | None:
        """The secret a ``(type, name, scope)`` request means, the way the client chose it.

        By ``name`` when given (if its type fits); else the longest matching
        scope among that type; else one of that type without a scope, else any
        of that type; finally a secret *named* like the type (bare structs).
        """
        if name:
            found = self.get(name)
            return found if found is not None and _text(found.get("type")) in ("", secret_type) else None
        found = self._best_for(scope or "", secret_type)
        if found is None and not scope:
            found = next(iter(self.of_type(secret_type)), None)
        return found if found is not None else self.get(secret_type)

    def _best_for(self, path: str, secret_type: str | None) -> dict[str, Any] | None:
        best: tuple[int, dict[str, Any]] | None = None
        unscoped: dict[str, Any] | None = None
        for fields in self.values():
            if secret_type is not None and _text(fields.get("type")) != secret_type:
                continue
            prefixes = [p for p in _text(fields.get("scope")).split("\n") if p]
            if not prefixes:
                unscoped = unscoped if unscoped is not None else fields
                continue
            for prefix in prefixes:
                if path.startswith(prefix) and (best is None or len(prefix) > best[0]):
                    best = (len(prefix), fields)
        return best[1] if best is not None else unscoped


def secrets_of(batch: pa.RecordBatch | None) -> ResolvedSecrets:
    """The secrets batch as a :class:`ResolvedSecrets` (NULL columns left out)."""
    resolved = ResolvedSecrets()
    if batch is not None and batch.num_rows > 0:
        for i, name in enumerate(batch.schema.names):
            scalar = batch.column(i)[0]
            if scalar.is_valid:
                resolved[name] = _fields(scalar)
    return resolved


@frozen_record
class SecretLookup:
    """A secret the client must resolve: its type, and optionally a scope or a name."""

    secret_type: str
    scope: str | None = None
    secret_name: str | None = None


class SecretsAccessor:
    """What ``on_bind`` reads secrets through (``params.secrets.get("s3", scope=path)``).

    On the first round a secret not in the request is recorded as a lookup and
    ``None`` is returned; the host then answers the bind with the lookups.  A
    scoped lookup always goes to the client first: only it knows every
    secret's scope.  On the second round (``is_retry``) a missing secret is
    really missing.
    """

    __slots__ = ("_is_retry", "_pending", "_resolved")

    def __init__(self, resolved: ResolvedSecrets, *, is_retry: bool) -> None:
        self._resolved = resolved
        self._is_retry = is_retry
        self._pending: list[SecretLookup] = []

    def get(
        self, secret_type: str, *, name: str | None = None, scope: str | None = None, required: bool = False
    ) -> dict[str, Any] | None:
        """The secret's fields, or ``None`` (first round: looked up by the client; retry: absent)."""
        if self._is_retry or name or not scope:
            found = self._resolved.lookup(secret_type, name=name, scope=scope)
            if found is not None:
                return found
        if self._is_retry:
            if required:
                where = f" (scope={scope!r}, name={name!r})" if scope or name else ""
                raise ValueError(f"Required secret '{secret_type}' not found{where}")
            return None
        self._pending.append(SecretLookup(secret_type, scope or None, name or None))
        return None

    @property
    def pending_lookups(self) -> list[SecretLookup]:
        """The secrets to ask the client for."""
        return list(self._pending)

    @property
    def needs_resolution(self) -> bool:
        """Whether the bind must go back to the client for secrets."""
        return bool(self._pending)

    @property
    def all_resolved(self) -> bool:
        """Whether nothing is waiting for the client."""
        return not self._pending

    def to_dict(self) -> ResolvedSecrets:
        """Every resolved secret, by name."""
        return ResolvedSecrets(self._resolved)


@frozen_record
class BindSession:
    """One bind's session values, as ``on_bind`` reads them through ``BindParams``."""

    settings: dict[str, pa.Scalar[Any]]
    secrets: SecretsAccessor


_BINDING: ContextVar[BindSession | None] = ContextVar("vgi_host_bind_session", default=None)


@contextmanager
def binding_with(
    settings: pa.RecordBatch | None, secrets: pa.RecordBatch | None, *, retry: bool
) -> Iterator[BindSession]:
    """Make a bind request's settings and secrets what ``BindParams`` built inside this block carry.

    A context variable rather than a parameter: ``on_bind`` receives
    ``BindParams`` from several SDK paths (overload sets, bind answers), and
    only the kind that handles the request knows the session.
    """
    session = BindSession(settings_of(settings), SecretsAccessor(secrets_of(secrets), is_retry=retry))
    token = _BINDING.set(session)
    try:
        yield session
    finally:
        _BINDING.reset(token)


def current_settings() -> dict[str, pa.Scalar[Any]]:
    """The settings of the bind in progress (none outside one)."""
    session = _BINDING.get()
    return dict(session.settings) if session is not None else {}


def current_secrets() -> SecretsAccessor:
    """The secrets accessor of the bind in progress (an empty, final one outside one)."""
    session = _BINDING.get()
    return session.secrets if session is not None else SecretsAccessor(ResolvedSecrets(), is_retry=True)


def process_session(settings: pa.RecordBatch | None, secrets: pa.RecordBatch | None) -> dict[str, Any]:
    """``ProcessParams`` keyword arguments for a call's session (settings by name, resolved secrets)."""
    return {"settings": settings_of(settings), "secrets": secrets_of(secrets)}


def binding_for(request: BindRequest) -> AbstractContextManager[BindSession]:
    """:func:`binding_with` for a bind request (its settings, secrets and retry flag)."""
    return binding_with(request.settings, request.secrets, retry=request.resolved_secrets_provided)


SessionParameter = tuple[str, "Setting | Secret | Auth"]
"""A parameter filled from the session: its name and its marker."""


def session_parameters(owner: type, method_name: str) -> tuple[SessionParameter, ...]:
    """The ``Setting()``/``Secret()``/``Auth()`` parameters of ``owner.<method_name>``, in order."""
    method = getattr(owner, method_name, None)
    if method is None or not callable(method):
        return ()
    try:
        hints = function_hints(method, owner)
    except Exception:  # unresolvable annotations are reported where the method's arguments are read
        return ()
    found: list[SessionParameter] = []
    for name, hint in hints.items():
        if name == "return" or typing.get_origin(hint) is not typing.Annotated:
            continue
        marker = next((e for e in typing.get_args(hint)[1:] if isinstance(e, Setting | Secret | Auth)), None)
        if marker is not None:
            found.append((name, marker))
    return tuple(found)


def session_arguments(parameters: Sequence[SessionParameter]) -> dict[str, Any]:
    """Keyword arguments for ``on_bind``'s session parameters, from the bind in progress.

    A setting the request lacks is ``None``; a secret it lacks is ``None`` and,
    on the first round, looked up by the client.
    """
    values: dict[str, Any] = {}
    settings = current_settings()
    for name, marker in parameters:
        if isinstance(marker, Setting):
            values[name] = settings.get(marker.name or name)
        elif isinstance(marker, Secret):
            values[name] = current_secrets().get(marker.secret_type, name=marker.name, scope=marker.scope)
        else:
            values[name] = AuthContext.anonymous()
    return values


def require_settings(function_name: str, required: Sequence[str], settings: pa.RecordBatch | None) -> None:
    """Refuse a bind that lacks a setting the function declares it reads (the reference's sentence)."""
    present = set(settings.schema.names) if settings is not None else set()
    missing = [key for key in required if key not in present]
    if missing:
        raise BindError(f"Function '{function_name}' requires settings: {missing}")
