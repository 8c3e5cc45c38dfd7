"""HMAC signatures on every blob a host writes to the state store.

Whoever can write the store must not be able to make a host run code or
compute with states it never produced.  Every blob is therefore sealed with
HMAC-SHA256 over ``execution id || purpose || payload``: a forged, altered,
or copied-from-another-execution blob fails verification and is refused
before anything decodes it.

Where the key comes from, first match wins:

1. ``$VGI_SIGNING_KEY``: the key itself (any string of >= 16 characters);
2. ``$VGI_HOST_SIGNING_KEY_FILE``: a file holding the key, which must belong to
   the current user and be readable by nobody else;
3. only for a store on this machine (SQLite): ``signing-key`` next to the
   database file, in its private directory, created (32 random bytes as hex,
   mode 0600) on first use.

A networked store (Redis, PostgreSQL) with neither 1 nor 2 is refused at
start-up: every host sharing the store needs the same key, so a key made up
by one machine would only make the others refuse its states.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import stat
from pathlib import Path
from typing import Final

__all__ = [
    "KEY_ENV",
    "KEY_FILE_ENV",
    "BlobRefusedError",
    "Signer",
    "SigningKeyError",
    "load_key",
]

KEY_ENV: Final = "VGI_SIGNING_KEY"
KEY_FILE_ENV: Final = "VGI_HOST_SIGNING_KEY_FILE"
_MIN_KEY_BYTES: Final = 16
_MAGIC: Final = b"VGS1"
_DIGEST: Final = hashlib.sha256
_MAC_BYTES: Final = 32


class SigningKeyError(Exception):
    """No usable signing key; the message says which variable or file to set."""


class BlobRefusedError(Exception):
    """A stored blob failed verification; the message names the execution."""


class Signer:
    """Seals and opens blobs with one HMAC key."""

    __slots__ = ("_key", "source")

    def __init__(self, key: bytes, source: str) -> None:
        if len(key) < _MIN_KEY_BYTES:
            raise SigningKeyError(f"the signing key from {source} is shorter than {_MIN_KEY_BYTES} bytes")
        self._key = key
        self.source = source
        """Where the key came from, for messages (never the key)."""

    def seal(self, execution_id: bytes, purpose: bytes, payload: bytes) -> bytes:
        """``VGS1 || mac || payload``, the MAC binding the blob to this execution and purpose."""
        return _MAGIC + self._mac(execution_id, purpose, payload) + payload

    def open(self, execution_id: bytes, purpose: bytes, blob: bytes) -> bytes:
        """The payload of a blob sealed by :meth:`seal`; refuse anything else."""
        head = len(_MAGIC) + _MAC_BYTES
        view = memoryview(blob)
        if len(blob) < head or not blob.startswith(_MAGIC):
            raise BlobRefusedError(
                f"refusing an unsigned {purpose.decode()} blob of aggregate execution "
                f"{execution_id.hex()}: the state store holds data no vgi-host wrote"
            )
        payload = bytes(view[head:])
        if not hmac.compare_digest(
            bytes(view[len(_MAGIC) : head]), self._mac(execution_id, purpose, payload)
        ):
            raise BlobRefusedError(
                f"refusing a {purpose.decode()} blob of aggregate execution {execution_id.hex()}: "
                f"its signature does not match the key from {self.source} (tampered with, copied "
                "from another execution, or written by a host with a different key)"
            )
        return payload

    def _mac(self, execution_id: bytes, purpose: bytes, payload: bytes) -> bytes:
        mac = hmac.new(self._key, digestmod=_DIGEST)
        mac.update(len(execution_id).to_bytes(2, "big") + execution_id)
        mac.update(len(purpose).to_bytes(2, "big") + purpose)
        mac.update(payload)
        return mac.digest()


def load_key(*, networked: bool, local_key_file: Path | None = None) -> Signer:
    """The signer for a store, following the order in the module docstring.

    ``local_key_file`` is where an on-machine store keeps its generated key
    (default: ``signing-key`` in the user's state directory).
    """
    value = os.environ.get(KEY_ENV)
    if value:
        return Signer(value.encode(), f"${KEY_ENV}")
    path_text = os.environ.get(KEY_FILE_ENV)
    if path_text:
        path = Path(path_text).expanduser()
        return Signer(_read_private(path, create=False), str(path))
    if networked:
        raise SigningKeyError(
            f"a networked state store needs a signing key shared by every host: set {KEY_ENV} "
            f"(the key, >= {_MIN_KEY_BYTES} characters) or {KEY_FILE_ENV} (a file readable only "
            "by you) to the same value on every host; see docs/state-stores.md"
        )
    if local_key_file is None:
        import platformdirs

        local_key_file = platformdirs.user_state_path("vgi-host") / "signing-key"
    return Signer(_read_private(local_key_file, create=True), str(local_key_file))


def _read_private(path: Path, *, create: bool) -> bytes:
    """The file's bytes (stripped), after checking that only this user can read or change it."""
    if create and not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        directory = os.stat(path.parent)
        getuid = getattr(os, "getuid", None)
        if getuid is not None and (directory.st_uid != getuid() or directory.st_mode & 0o022):
            raise SigningKeyError(
                f"refusing to create the signing key in {path.parent}: the directory must belong to "
                "you and not be writable by group or others (move the state database elsewhere)"
            )
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        except FileExistsError:
            pass  # another process created it first: read theirs
        else:
            with os.fdopen(fd, "wb") as out:
                out.write(secrets.token_hex(32).encode())
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError as exc:
        raise SigningKeyError(f"cannot read the signing key file {path}: {exc}") from exc
    with os.fdopen(fd, "rb") as handle:
        status = os.fstat(handle.fileno())
        getuid = getattr(os, "getuid", None)
        if getuid is not None and (
            status.st_uid != getuid() or status.st_mode & 0o077 or not stat.S_ISREG(status.st_mode)
        ):
            raise SigningKeyError(
                f"refusing the signing key file {path}: it must be a regular file of the current user "
                "that nobody else can read or write (chmod 600)"
            )
        key = handle.read().strip()
    if not key:
        raise SigningKeyError(f"the signing key file {path} is empty")
    return key
