"""Which packs a host serves: allow- and blocklists, applied before any import.

Sources, strongest first: command-line flags, environment variables
(``VGI_HOST_PACKS`` allowlist, ``VGI_HOST_DISABLE`` blocklist, both
comma-separated), then the TOML config file (``VGI_HOST_CONFIG`` or
``--config``, else ``config.toml`` in the user config directory)::

    [packs]
    enable = ["geo", "text"]   # optional allowlist: serve only these
    disable = ["experimental"] # never serve these
    strict = false             # any pack failure is a startup error

A stronger source replaces a weaker one's list rather than merging with it, so
``VGI_HOST_PACKS=geo`` means exactly "geo", whatever the file says.  Filtering
by name happens on entry-point metadata, so a deselected pack is never
imported (applying an allowlist after import would still pay the import).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import field
from pathlib import Path
from typing import Any

from vgi_host.protocol.wire import frozen_record

ENV_ALLOW = "VGI_HOST_PACKS"
ENV_DENY = "VGI_HOST_DISABLE"
ENV_CONFIG = "VGI_HOST_CONFIG"
ENV_STRICT = "VGI_HOST_STRICT"


class ConfigError(ValueError):
    """The config file is unreadable or malformed; the message names the file."""


def default_config_path() -> Path:
    """``config.toml`` in the user config directory (imported lazily: cold start matters)."""
    import platformdirs

    return platformdirs.user_config_path("vgi-host") / "config.toml"


@frozen_record
class Selection:
    """The effective selection."""

    enable: frozenset[str] | None = None
    """Only these packs (lower-cased); None serves every pack not disabled."""
    disable: frozenset[str] = frozenset()
    strict: bool = False
    enable_source: str = ""
    disable_source: str = ""
    """Where each list came from, for messages."""
    warnings: tuple[str, ...] = field(default=())
    """Problems that do not stop the host (unknown config tables); errors under ``strict``."""

    def verdict(self, pack: str) -> str | None:
        """Why ``pack`` is not served, or None when it is."""
        key = pack.lower()
        if key in self.disable:
            return f"disabled by {self.disable_source}"
        if self.enable is not None and key not in self.enable:
            return f"not in the allowlist ({self.enable_source})"
        return None

    def remedy(self, pack: str) -> str:
        """How to serve a deselected ``pack``: the list and source that keep it out."""
        if pack.lower() in self.disable:
            return f"deselected on purpose; to serve it, remove it from {self.disable_source}"
        return f"deselected on purpose; to serve it, add it to {self.enable_source}"

    def unknown_names(self, known: Iterable[str]) -> list[str]:
        """One warning per selected or disabled name that is no installed pack (a typo, usually)."""
        installed = sorted({name.lower() for name in known})
        listing = ", ".join(installed) or "none"
        messages: list[str] = []
        for names, source in (
            (self.enable or frozenset(), self.enable_source),
            (self.disable, self.disable_source),
        ):
            messages.extend(
                f"{source} names {name!r}, which is no installed pack (installed: {listing})"
                for name in sorted(names - set(installed))
            )
        return messages


def split_names(values: Iterable[str] | str | None) -> list[str]:
    """``["a,b", " c "]`` -> ``["a", "b", "c"]``: every comma-separated list of pack names, one rule."""
    if values is None:
        return []
    items = [values] if isinstance(values, str) else values
    return [part.strip() for value in items for part in value.split(",") if part.strip()]


def _names(value: Iterable[str] | str | None) -> frozenset[str] | None:
    if value is None:
        return None
    return frozenset(name.lower() for name in split_names(value))


KNOWN_TABLES = frozenset({"packs"})
"""Top-level tables of the config file; anything else is reported (``[pack]`` is a common typo)."""


def _read_config(path: Path, explicit: bool) -> tuple[Mapping[str, Any], list[str]]:
    if not path.exists():
        if explicit:
            raise ConfigError(f"config file {path} does not exist")
        return {}, []
    import tomllib  # only when there is a file to read: most hosts have none (about 2 ms)

    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read config file {path}: {exc}") from exc
    packs = document.get("packs", {})
    if not isinstance(packs, dict):
        raise ConfigError(f"{path}: [packs] must be a table")
    for key in ("enable", "disable"):
        if key in packs and not (
            isinstance(packs[key], list) and all(isinstance(v, str) for v in packs[key])
        ):
            raise ConfigError(f"{path}: packs.{key} must be a list of pack names")
    unknown = sorted(set(packs) - {"enable", "disable", "strict"})
    if unknown:
        raise ConfigError(f"{path}: unknown keys in [packs]: {unknown}")
    warnings = [
        f"{path}: unknown table or key [{key}] is ignored (known: [packs])"
        for key in sorted(set(document) - KNOWN_TABLES)
    ]
    return packs, warnings


def resolve_selection(
    *,
    enable: Iterable[str] | None = None,
    disable: Iterable[str] | None = None,
    strict: bool | None = None,
    config: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> Selection:
    """Combine flags (the keyword arguments), environment and config file."""
    env = os.environ if environ is None else environ
    config_path = config or (Path(env[ENV_CONFIG]) if env.get(ENV_CONFIG) else None)
    file, warnings = _read_config(config_path or default_config_path(), explicit=config_path is not None)
    file_label = f"config file {config_path or default_config_path()}"

    allow, allow_source = _names(file.get("enable")), file_label
    if env.get(ENV_ALLOW) is not None:
        allow, allow_source = _names(env[ENV_ALLOW]), f"${ENV_ALLOW}"
    flag_allow = _names(enable)
    if flag_allow:
        allow, allow_source = flag_allow, "--pack"

    deny, deny_source = _names(file.get("disable")) or frozenset(), file_label
    if env.get(ENV_DENY) is not None:
        deny, deny_source = _names(env[ENV_DENY]) or frozenset(), f"${ENV_DENY}"
    flag_deny = _names(disable)
    if flag_deny:
        deny, deny_source = flag_deny, "--disable"

    is_strict = bool(file.get("strict", False))
    if env.get(ENV_STRICT):
        is_strict = env[ENV_STRICT].lower() not in ("0", "false", "no", "")
    if strict is not None:
        is_strict = strict
    if is_strict and warnings:
        raise ConfigError("; ".join(warnings) + " (an error under --strict)")
    return Selection(allow, deny, is_strict, allow_source, deny_source, tuple(warnings))
