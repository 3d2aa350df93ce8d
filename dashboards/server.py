"""The portal's server: Streamlit's own ASGI app (`st.App`) running dashboards/app.py, with
one addition: each page's HTML tells Streamlit's frontend where the server is.

Why: opened at a page's own address (/search, /explorer?..., a bookmark, a link, a reload),
Streamlit's frontend does not know whether the server lives at the site's root or under the
page's path, so it first asks /search/_stcore/health, gets a 404, waits 100 ms and asks
/_stcore/health. Measured in Chromium on this machine, reloading the search page: the root's
health was asked 296 ms into the load, and 102 ms into it once declared. The frontend skips
the guess when the page declares its server (`window.__streamlit`, the
setting a hosting page gives it); this declares the site's root, where `salnameh serve`
runs the portal. The same rewrite names the frontend code the page will draw with, so the
browser fetches it while it waits for the server (dashboards/preload.py).

Its frontend code is sent compressed, each file compressed once (dashboards/compressed_static.py).

`salnameh serve`, the tests and the benchmarks all start it with
`dashboards.portal_command.portal_command`, so each runs this same server.
"""

from __future__ import annotations

import gzip

import streamlit as st
from starlette.middleware import Middleware

from dashboards.compressed_static import CompressStatic
from dashboards.held_answer import holding
from dashboards.preload import links

# Before Streamlit's own scripts, in the page's <head>; the address is the page's origin, so
# the portal behind any host name or port finds itself.
_DECLARE = (
    b"<head><script>window.__streamlit = Object.assign({}, window.__streamlit,"
    b" {BACKEND_BASE_URL: window.location.origin + '/'});</script>"
)


def declared(html: bytes, path: str = "/") -> bytes:
    """The page's HTML with the server's address declared first thing in its head, and the
    frontend code the page at `path` draws with preloaded at its end (dashboards/preload.py
    says why)."""
    return html.replace(b"<head>", _DECLARE, 1).replace(b"</head>", links(path) + b"</head>", 1)


class DeclareServer:
    """ASGI middleware: an HTML answer (Streamlit's index.html, served for every page's
    address) gets the declaration; anything else passes untouched."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_page(message, page: bytes) -> None:
            if not page:  # a 304's or a HEAD's answer: no page to change
                await send(message)
                await send({"type": "http.response.body", "body": page})
                return
            headers = [(k, v) for k, v in message.get("headers", []) if k not in
                       (b"content-length", b"content-encoding", b"etag")]  # fmt: skip
            if dict(message.get("headers", [])).get(b"content-encoding") == b"gzip":
                page = gzip.decompress(page)
            page = declared(page, scope.get("path", "/"))
            headers.append((b"content-length", str(len(page)).encode()))
            await send({**message, "headers": headers})
            await send({"type": "http.response.body", "body": page})

        await self.app(scope, receive, holding(send, _html, send_page))


def _html(start: dict) -> bool:
    return dict(start.get("headers", [])).get(b"content-type", b"").startswith(b"text/html")


# Its frontend code goes out compressed (dashboards/compressed_static.py says why).
app = st.App("app.py", middleware=[Middleware(DeclareServer), Middleware(CompressStatic)])
