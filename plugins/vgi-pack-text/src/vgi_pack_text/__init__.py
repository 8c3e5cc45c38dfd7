"""vgi-pack-text: text functions for vgi-host, served as the ``text`` schema.

Scalar functions ``slugify`` (:mod:`vgi_pack_text.slugify`) and
``levenshtein`` (:mod:`vgi_pack_text.levenshtein`); the table-in-out function
``tokenize`` and the aggregate ``top_k_tokens`` (:mod:`vgi_pack_text.tokens`).

This module is what the ``vgi.functions`` entry point names, so the host
imports it just to find the hook.  It therefore imports nothing but the hook
marker; the function modules load only when the host actually asks for the
functions.
"""

from __future__ import annotations

from vgi_host import RegisterFunction, hookimpl

__all__ = ["register_functions"]


@hookimpl
def register_functions(register: RegisterFunction) -> None:
    """Register the pack's four functions with the host."""
    from vgi_pack_text.levenshtein import Levenshtein
    from vgi_pack_text.slugify import Slugify
    from vgi_pack_text.tokens import Tokenize, TopKTokens

    for function in (Slugify, Levenshtein, Tokenize, TopKTokens):
        register(function)
