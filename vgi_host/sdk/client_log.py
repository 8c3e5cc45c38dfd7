"""``Level`` and ``Message``: what ``out.client_log`` sends, re-exported from vgi-rpc (our framing)."""

from __future__ import annotations

from vgi_rpc.log import Level, Message

__all__ = ["Level", "Message"]
