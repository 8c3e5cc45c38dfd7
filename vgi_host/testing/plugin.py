"""The pytest plugin: fixtures that call packs' functions through ``vgi-host serve``.

Registered through the ``pytest11`` entry point ``vgi_host``, so it is active
wherever vgi-host is installed (``-p no:vgi_host`` turns it off).  It adds:

* ``vgi`` (session-scoped): a :class:`~vgi_host.testing.client.HostClient`
  serving the packs named by ``--vgi-host-packs`` or the ``vgi_host_packs`` ini
  option (every installed pack when neither is set);
* ``vgi_host_factory`` (session-scoped): ``vgi_host_factory("geo", "text")``
  returns a client serving exactly those packs, started once per distinct set
  and stopped at the end of the session.

Importing this module costs almost nothing: the client, pyarrow and vgi-rpc
load only when a test asks for a fixture.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

import pytest

from vgi_host.packs.selection import split_names

if TYPE_CHECKING:
    from vgi_host.testing.client import HostClient

INI_PACKS = "vgi_host_packs"
OPTION_PACKS = "--vgi-host-packs"


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register ``--vgi-host-packs`` and the ``vgi_host_packs`` ini option."""
    group = parser.getgroup("vgi-host", "vgi-host pack testing")
    group.addoption(
        OPTION_PACKS,
        dest="vgi_host_packs",
        default=None,
        metavar="PACKS",
        help="comma-separated packs the `vgi` fixture's host serves (overrides the ini option)",
    )
    parser.addini(
        INI_PACKS,
        type="args",
        default=[],
        help="packs the `vgi` fixture's host serves (space- or comma-separated; default: all installed)",
    )


def _split(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(split_names(values))


def configured_packs(config: pytest.Config) -> tuple[str, ...]:
    """The packs the ``vgi`` fixture serves: the command line, else the ini option, else all."""
    option = config.getoption("vgi_host_packs", default=None)
    if option:
        return _split([str(option)])
    value = config.getini(INI_PACKS)
    return _split(value if isinstance(value, list) else [str(value)])


class HostFactory:
    """Clients by pack set: each distinct set gets one host process for the session."""

    def __init__(self) -> None:
        self._hosts: dict[tuple[str, ...], HostClient] = {}

    def __call__(self, *packs: str) -> HostClient:
        """A started client serving exactly ``packs`` (every installed pack when none are given)."""
        from vgi_host.testing.client import HostClient

        key = tuple(sorted({p.lower() for p in _split(packs)}))
        client = self._hosts.get(key)
        if client is None:
            client = HostClient(key).start()
            self._hosts[key] = client
        return client

    def close(self) -> None:
        """Stop every host started by this factory."""
        hosts, self._hosts = list(self._hosts.values()), {}
        for client in hosts:
            client.close()


@pytest.fixture(scope="session")
def vgi_host_factory() -> Iterator[HostFactory]:
    """``vgi_host_factory("geo", "text")``: a client for exactly those packs, shared by the session."""
    factory = HostFactory()
    try:
        yield factory
    finally:
        factory.close()


@pytest.fixture(scope="session")
def vgi(request: pytest.FixtureRequest, vgi_host_factory: HostFactory) -> HostClient:
    """A ``vgi-host serve`` for the configured packs: ``vgi.scalar(...)``, ``vgi.table(...)``, ..."""
    return vgi_host_factory(*configured_packs(request.config))
