"""How failures inside pack code appear in the host's log.

vgi-rpc logs a server-side error at ERROR with its traceback.  A pack's own
exception is not a host fault: the SQL user already receives the message, and
the operator needs one line saying which pack and function failed.  So such
records become one WARNING line (the message names ``pack.function``), and
the full traceback is logged separately at DEBUG for whoever turns it on.
"""

from __future__ import annotations

import logging
import traceback

from vgi_host.errors import FunctionError

RPC_LOGGER = "vgi_rpc.rpc"
detail_log = logging.getLogger("vgi_host.pack_errors")


class PackErrorsAsWarnings(logging.Filter):
    """Rewrites vgi-rpc's ERROR records about pack failures (see the module docstring)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Demote the record when its exception is a pack's; keep everything else as is."""
        exc_info = record.exc_info
        if not exc_info or not isinstance(exc_info[1], FunctionError):
            return True
        error = exc_info[1]
        if detail_log.isEnabledFor(logging.DEBUG):
            detail_log.debug("traceback of %s\n%s", error, "".join(traceback.format_exception(error)))
        record.levelno = logging.WARNING
        record.levelname = logging.getLevelName(logging.WARNING)
        record.exc_info = None
        record.exc_text = None
        return True


def install() -> None:
    """Attach the filter to vgi-rpc's server logger (idempotent)."""
    logger = logging.getLogger(RPC_LOGGER)
    if not any(isinstance(f, PackErrorsAsWarnings) for f in logger.filters):
        logger.addFilter(PackErrorsAsWarnings())
