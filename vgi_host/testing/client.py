"""A small client that calls packs' functions through a real ``vgi-host serve``.

:class:`HostClient` is the object behind the ``vgi`` fixture.  It ties together
the parts, each in its own module:

* :mod:`~vgi_host.testing.process` starts and stops the host, restricted to the
  packs a test names, with an environment of its own;
* :mod:`~vgi_host.testing.catalog` reads the catalog as DuckDB does;
* :mod:`~vgi_host.testing.drivers` makes each kind's protocol calls in the
  order DuckDB's extension makes them;
* :mod:`~vgi_host.testing.values` turns plain Python values into Arrow.

Arguments and results are plain Python values; Arrow values are accepted
wherever a test needs an exact type.  The reference client (vgi-python) is not
used, so a pack's tests need nothing but vgi-host.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
from collections import deque
from collections.abc import Hashable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa

from vgi_host.protocol.attach import CatalogAttachRequest
from vgi_host.protocol.functions import FunctionInfo
from vgi_host.protocol.service import VgiProtocol
from vgi_host.testing import catalog
from vgi_host.testing.drivers import (
    GROUP_ID_COLUMN,
    Connection,
    call_aggregate,
    call_scalar,
    call_table,
    call_table_buffering,
    call_table_in_out,
)
from vgi_host.testing.errors import HostStartError, VgiCallError, rpc_call
from vgi_host.testing.process import HostProcess, default_serve_argv, host_environment

__all__ = ["GROUP_ID_COLUMN", "HostClient", "HostStartError", "VgiCallError", "default_serve_argv"]

_LOG_TAIL = 40


class _LogTail(logging.Handler):
    """Keeps the host's last stderr lines, for error messages."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: deque[str] = deque(maxlen=_LOG_TAIL)

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


class HostClient:
    """One ``vgi-host serve`` process and the calls a test makes through it.

    Args:
        packs: Serve only these packs (passed as ``VGI_HOST_PACKS``); empty
            serves every installed pack.
        argv: The command to run (default: ``vgi-host serve`` next to this
            Python).
        env: Extra environment for the host; a ``None`` value unsets a variable.
        isolate: Give the host a throwaway state database, manifest cache and
            empty config file, and ignore the user's ``VGI_HOST_DISABLE`` and
            ``VGI_HOST_STRICT``, so tests do not depend on the machine.

    Use it as a context manager, or call :meth:`start` and :meth:`close`.  The
    pytest plugin's ``vgi`` fixture is one of these, started once per session.

    """

    def __init__(
        self,
        packs: Iterable[str] = (),
        *,
        argv: Sequence[str] | None = None,
        env: Mapping[str, str | None] | None = None,
        isolate: bool = True,
    ) -> None:
        self.packs = tuple(p.strip() for p in packs if p.strip())
        self.argv = list(argv) if argv is not None else default_serve_argv()
        self._extra_env = dict(env or {})
        self._isolate = isolate
        self._stack: contextlib.ExitStack | None = None
        self._proxy: VgiProtocol | None = None
        self._attach = b""
        self._functions: dict[str, list[FunctionInfo]] = {}
        self._tail = _LogTail()
        # An unregistered logger per client: the host's stderr lines reach this
        # client's tail and, through the parent, pytest's log capture.
        self._log = logging.Logger("vgi_host.testing.serve")
        self._log.parent = logging.getLogger("vgi_host.testing")
        self._log.setLevel(logging.INFO)
        self._log.addHandler(self._tail)

    # ------------------------------------------------------------ lifecycle ----

    def __enter__(self) -> HostClient:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def start(self) -> HostClient:
        """Start the host and attach; fail if a requested pack is not served."""
        if self._proxy is not None:
            return self
        stack = contextlib.ExitStack()
        try:
            scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="vgi-host-test-")))
            environment = host_environment(
                os.environ, self.packs, scratch if self._isolate else None, self._extra_env
            )
            process = HostProcess(self.argv, environment, self._log)
            stack.callback(process.stop)  # runs before the scratch directory is removed
            proxy = process.start()
            attached = rpc_call(lambda: proxy.catalog_attach(request=CatalogAttachRequest(name="packs")))
        except BaseException as exc:
            stack.close()
            if isinstance(exc, Exception) and not isinstance(exc, HostStartError):
                raise HostStartError(
                    f"vgi-host serve ({' '.join(self.argv)}) failed to start: {exc}{self.log_excerpt()}"
                ) from exc
            raise
        self._proxy, self._stack, self._attach = proxy, stack, attached.attach_opaque_data
        served = self.served_packs()
        missing = [p for p in self.packs if p.lower() not in served]
        if missing:
            self.close()  # waits for the host to exit, so its load report is in the log
            raise HostStartError(
                f"vgi-host does not serve the pack(s) {', '.join(missing)} "
                f"(served: {', '.join(served) or 'none'}). Is the pack installed, and does it load? "
                f"`vgi-host list` shows every pack with its error.{self.log_excerpt()}"
            )
        return self

    def close(self) -> None:
        """Stop the host (closing its stdin ends it) and remove its scratch directory."""
        stack, self._stack, self._proxy = self._stack, None, None
        self._functions.clear()
        if stack is not None:
            stack.close()

    @property
    def proxy(self) -> VgiProtocol:
        """The raw ``vgi_rpc`` proxy, for calls this client does not wrap."""
        if self._proxy is None:
            self.start()
        assert self._proxy is not None
        return self._proxy

    @property
    def host_log(self) -> list[str]:
        """The host's most recent stderr lines."""
        return list(self._tail.lines)

    def log_excerpt(self) -> str:
        """The host's recent stderr, formatted for an error message ('' when silent)."""
        lines = self.host_log
        if not lines:
            return ""
        return "\nvgi-host stderr (most recent lines):\n" + "\n".join(f"  {line}" for line in lines)

    def _connection(self) -> Connection:
        return Connection(self.proxy, self._attach, lambda pack, name: self.function(pack, name).has_finalize)

    # -------------------------------------------------------------- catalog ----

    def served_packs(self) -> list[str]:
        """The names of the packs the host serves (its schemas other than ``main``)."""
        return catalog.served_packs(self.proxy, self._attach)

    def functions(self, pack: str) -> list[FunctionInfo]:
        """Every function of ``pack`` as the catalog describes it to DuckDB, sorted by name."""
        key = pack.lower()
        if key not in self._functions:
            served = self.served_packs()
            if key not in served:
                raise LookupError(
                    f"vgi-host does not serve a pack named {pack!r}; it serves: {', '.join(served) or 'none'}"
                )
            self._functions[key] = catalog.list_functions(self.proxy, self._attach, pack)
        return list(self._functions[key])

    def function(self, pack: str, name: str) -> FunctionInfo:
        """One function's catalog entry (``LookupError`` naming the pack's functions if absent)."""
        return catalog.find_function(self.functions(pack), pack, name)

    def assert_documented(self, pack: str) -> None:
        """Fail unless every function has a description, every argument a doc, and an example."""
        catalog.assert_documented(self.functions(pack), pack)

    def assert_examples_present(self, pack: str) -> None:
        """Fail unless every function has at least one SQL example that calls it."""
        catalog.assert_examples_present(self.functions(pack), pack)

    # ---------------------------------------------------------------- calls ----

    def scalar(
        self,
        pack: str,
        function: str,
        *arguments: Any,
        named: Mapping[str, Any] | None = None,
        batch_size: int | None = None,
    ) -> list[Any]:
        """Call a scalar function; return one value per row.

        Each list, tuple or array argument is a column (all of one length);
        anything else is a constant (wrap a list constant in ``pa.scalar``).
        Columns and constants keep their relative order, which is how the host
        matches them to the function's column and constant parameters.  ``batch_size``
        splits the rows into several batches of one stream.

        >>> vgi.scalar("geo", "geohash_encode", [48.8566], [2.3522], 5)  # doctest: +SKIP
        ['u09tv']
        """
        return call_scalar(self._connection(), pack, function, *arguments, named=named, batch_size=batch_size)

    def table(
        self,
        pack: str,
        function: str,
        *arguments: Any,
        named: Mapping[str, Any] | None = None,
        columns: Sequence[str] | None = None,
    ) -> list[dict[str, Any]]:
        """Call a table function; return its rows as dicts.

        ``arguments`` are the positional constants, ``named`` the ``name := value``
        ones.  ``columns`` asks for only those output columns (projection
        pushdown, as for ``SELECT a, b FROM pack.fn(...)``).
        """
        return call_table(self._connection(), pack, function, *arguments, named=named, columns=columns)

    def table_in_out(
        self,
        pack: str,
        function: str,
        rows: Sequence[Mapping[str, Any]] | pa.Table | pa.RecordBatch,
        *,
        args: Sequence[Any] = (),
        named: Mapping[str, Any] | None = None,
        batch_size: int | None = None,
    ) -> list[dict[str, Any]]:
        """Call a table-in-out function on ``rows``; return its output rows (finalize's last).

        ``rows`` is a list of dicts (types inferred) or an Arrow table or batch
        (types exact).  ``args``/``named`` are the constant arguments; the
        input table is not one of them.  ``batch_size`` splits the input into
        several batches.
        """
        return call_table_in_out(
            self._connection(), pack, function, rows, args=args, named=named, batch_size=batch_size
        )

    def table_buffering(
        self,
        pack: str,
        function: str,
        rows: Sequence[Mapping[str, Any]] | pa.Table | pa.RecordBatch,
        *,
        args: Sequence[Any] = (),
        named: Mapping[str, Any] | None = None,
        batch_size: int | None = None,
    ) -> list[dict[str, Any]]:
        """Call a table-buffering function on ``rows``; return every output stream's rows, in order.

        The arguments are those of :meth:`table_in_out`; ``batch_size`` makes
        several sink calls (each with its batch index), as DuckDB does.
        """
        return call_table_buffering(
            self._connection(), pack, function, rows, args=args, named=named, batch_size=batch_size
        )

    def aggregate(
        self,
        pack: str,
        function: str,
        columns: Sequence[Any] | Mapping[str, Any],
        *,
        groups: Sequence[Hashable] | None = None,
        args: Sequence[Any] = (),
        named: Mapping[str, Any] | None = None,
        partitions: int = 1,
        batch_size: int | None = None,
    ) -> Any:
        """Call an aggregate function; return its result, or a dict of results per group.

        Args:
            pack: The pack.
            function: The aggregate's SQL name.
            columns: The value columns, as a list of columns (``[[1, 2, 3]]``
                for one column) or a dict of named columns.
            groups: One group key per row (``GROUP BY``); the result is then
                ``{key: result}`` in order of first appearance.  Without it all
                rows form one group and the result is that group's value (also
                for zero rows, like ``SELECT agg(x) FROM empty``).
            args: Constant arguments, in order.
            named: Named constant arguments.
            partitions: Deal the rows round-robin to this many partitions, each
                updated with its own group ids and then combined into the first,
                the way DuckDB aggregates in parallel: proves ``combine``.
            batch_size: Rows per ``aggregate_update`` call.

        """
        return call_aggregate(
            self._connection(),
            pack,
            function,
            columns,
            groups=groups,
            args=args,
            named=named,
            partitions=partitions,
            batch_size=batch_size,
        )
