"""The page at ``/`` of an HTTP host: what this server offers, for people and for scripts.

Everything shown comes from the registry's records and manifests (the same data
``vgi-host list --json`` prints), never from importing a pack, so the page is
cheap, and a pack that fails to import is shown with its error and remedy.
HTML is rendered on the server with no build step; a few lines of inline script
filter it as you type, and ``?q=`` filters on the server (for scripts and for
browsers without JavaScript).  ``?format=json`` returns the same data as JSON.
"""

from __future__ import annotations

import json
from html import escape
from importlib.resources import files
from typing import TYPE_CHECKING, Any

from vgi_host import __version__
from vgi_host.protocol.service import VgiProtocol

if TYPE_CHECKING:
    import falcon

    from vgi_host.host.registry import PackRegistry


def landing_document(registry: PackRegistry) -> dict[str, Any]:
    """The page's data: host facts and every discovered pack, loaded or not."""
    from vgi_host.catalog.describe import describe_records

    # Tracebacks stay in `vgi-host list --json` on the server: they name server paths.
    packs = [{k: v for k, v in p.items() if k != "traceback"} for p in describe_records(registry.records)]
    return {
        "host": {
            "name": "vgi-host",
            "version": __version__,
            "protocol": VgiProtocol.protocol_name,
            "protocol_version": VgiProtocol.protocol_version,
        },
        "schemas": ["main", *(p["name"] for p in packs if p["status"] == "loaded")],
        "packs": packs,
    }


def _searchable(*parts: object) -> str:
    return " ".join(str(p) for p in parts if p).lower()


def _function_text(pack: str, fn: dict[str, Any]) -> str:
    categories = fn.get("categories", ())
    return _searchable(pack, fn["name"], fn["kind"], fn["signature"], fn["description"], *categories)


def _pack_text(pack: dict[str, Any]) -> str:
    return _searchable(pack["name"], pack["distribution"], pack["status"], pack["error"], pack["remedy"])


def filter_document(document: dict[str, Any], query: str) -> dict[str, Any]:
    """Only packs and functions matching every word of ``query`` (a pack's own name matches all of it)."""
    words = query.lower().split()
    if not words:
        return document

    def hit(text: str) -> bool:
        return all(w in text for w in words)

    packs = []
    for pack in document["packs"]:
        if hit(_pack_text(pack)):
            packs.append(pack)
            continue
        functions = [f for f in pack["functions"] if hit(_function_text(pack["name"], f))]
        if functions:
            packs.append({**pack, "functions": functions})
    return {**document, "packs": packs, "query": query}


def _asset(name: str) -> str:
    return (files("vgi_host.transports") / "static" / name).read_text(encoding="utf-8")


def _arguments_table(fn: dict[str, Any]) -> str:
    if not fn["arguments"]:
        return ""
    rows = "".join(
        f"<tr><td><code>{escape(a['name'])}</code></td><td><code>{escape(a['type'])}</code></td>"
        f"<td>{'named' if a['named'] else 'constant' if a['constant'] else 'column'}</td>"
        f"<td>{escape(a.get('doc') or '')}</td></tr>"
        for a in fn["arguments"]
    )
    return f"<table><tr><th>argument</th><th>type</th><th>passed as</th><th>doc</th></tr>{rows}</table>"


def _examples(fn: dict[str, Any]) -> str:
    parts = []
    for example in fn["examples"]:
        note = f"<div>{escape(example['description'])}</div>" if example.get("description") else ""
        parts.append(f"{note}<pre>{escape(example['sql'])}</pre>")
    return "".join(parts)


def _function_html(pack: str, fn: dict[str, Any]) -> str:
    return (
        f'<div class="fn" data-search="{escape(_function_text(pack, fn))}">'
        f"<details><summary><code>{escape(pack)}.{escape(fn['signature'])}</code>"
        f'<span class="kind">{escape(fn["kind"])}</span> — {escape(fn["summary"])}</summary>'
        f"<p>{escape(fn['description'])}</p>{_arguments_table(fn)}{_examples(fn)}</details></div>"
    )


def _objects_html(label: str, items: list[dict[str, Any]]) -> str:
    if not items:
        return ""
    names = ", ".join(f"<code>{escape(str(i.get('name', '')))}</code>" for i in items)
    return f'<p class="meta">{label}: {names}</p>'


def _pack_html(pack: dict[str, Any]) -> str:
    status = pack["status"]
    search = _pack_text(pack)
    problem = (
        f'<div class="problem"><b>Problem:</b> {escape(pack["error"])}</div>' if pack.get("error") else ""
    )
    remedy = (
        f'<div class="remedy"><b>Remedy:</b> {escape(pack["remedy"])}</div>' if pack.get("remedy") else ""
    )
    functions = "".join(_function_html(pack["name"], fn) for fn in pack["functions"])
    return (
        f'<section class="pack" id="pack-{escape(pack["name"])}" data-search="{escape(search)}">'
        f'<h2>{escape(pack["name"])}<span class="badge {escape(status)}">{escape(status)}</span></h2>'
        f'<div class="meta">{escape(pack["distribution"])} {escape(pack["version"])} · '
        f"{pack['function_count']} function(s) · entry point <code>{escape(pack['entry_point'])}</code></div>"
        f"{problem}{remedy}{_objects_html('Tables', pack['tables'])}{_objects_html('Views', pack['views'])}"
        f"{functions}</section>"
    )


def render_html(document: dict[str, Any], *, base_url: str, query: str = "") -> str:
    """The landing page as one HTML document."""
    host = document["host"]
    packs = document["packs"]
    loaded = sum(1 for p in packs if p["status"] == "loaded")
    attach = f"ATTACH 'packs' (TYPE vgi, LOCATION '{base_url}');"
    body = "".join(_pack_html(p) for p in packs) or "<p>No pack matches.</p>"
    return (
        "<!DOCTYPE html><html lang=en><head><meta charset=utf-8>"
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>vgi-host {escape(host['version'])}</title>"
        f"<style>{_asset('landing.css')}</style></head><body>"
        f"<header><h1>vgi-host {escape(host['version'])}</h1>"
        f"<p>{loaded} of {len(document['packs'])} pack(s) served · protocol {escape(host['protocol'])} "
        f"{escape(host['protocol_version'])} · schemas: {escape(', '.join(document['schemas']))}</p></header>"
        f"<main><p>From DuckDB: <code>{escape(attach)}</code> · "
        '<a href="?format=json">JSON</a> · <a href="health">health</a></p>'
        f'<input id="search" type="search" placeholder="Search packs and functions" '
        f'value="{escape(query)}" autofocus aria-label="Search packs and functions">'
        f'<div id="count"></div>{body}</main><script>{_asset("landing.js")}</script></body></html>'
    )


class LandingPage:
    """Falcon resource for ``GET /``: HTML by default, ``?format=json`` for data, ``?q=`` to filter."""

    def __init__(self, registry: PackRegistry, *, auth_required: bool = False) -> None:
        self._document = landing_document(registry)
        self._auth_required = auth_required

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        """Answer the page or its JSON."""
        query = req.get_param("q") or ""
        document = filter_document(self._document, query)
        resp.set_header("Cache-Control", "no-cache")
        if req.get_param("format") == "json":
            resp.content_type = "application/json"
            resp.text = json.dumps(document, indent=2)
            return
        scheme = req.forwarded_scheme or req.scheme
        host = req.forwarded_host or req.host
        port = req.port
        netloc = host if ":" in host or port in (80, 443) else f"{host}:{port}"
        resp.content_type = "text/html; charset=utf-8"
        resp.text = render_html(document, base_url=f"{scheme}://{netloc}", query=query)
