"""Streamlit's frontend code sent compressed, each file compressed once and kept.

Why: Streamlit serves its frontend (static/: 2.1 MB of scripts on every page, 2 MB more for
a chart and a grid) uncompressed, on purpose: its gzip middleware would compress the same
file again on every request, a CPU cost at every first visit. The files never change while
the server runs (their names carry a hash of their content), so each is compressed once,
the first time a browser asks for it, and the compressed bytes answer every later request:
Streamlit's own scripts 2.1 MB -> 0.5 MB with gzip. On loopback that saves nothing; a
provincial office's link of a few Mbit/s spends seconds on the difference
(benchmarks/static_compression.py measures both).

Everything else passes untouched: a page's HTML, the websocket, media, a partial (206) or
not-modified (304) answer, a browser that does not take gzip, a file already compressed
(fonts, images).
"""

from __future__ import annotations

import asyncio
import gzip

from dashboards.held_answer import holding

# What compresses: text. A .woff2 or an image is compressed already.
COMPRESSIBLE = (".js", ".mjs", ".css", ".json", ".svg", ".map", ".txt", ".html")
STATIC = "/static/"


def takes_gzip(accept_encoding: str) -> bool:
    """Whether an Accept-Encoding header accepts gzip (named, or `*`, and not with q=0)."""
    for part in accept_encoding.split(","):
        name, *params = (piece.strip() for piece in part.split(";"))
        if name.lower() not in ("gzip", "*"):
            continue
        weights = [p.split("=", 1)[1] for p in params if p.lower().startswith("q=")]
        try:
            return not weights or float(weights[0]) > 0
        except ValueError:
            return False
    return False


def static_text(scope) -> bool:
    """Whether the request asks for one of Streamlit's static text files."""
    if scope["type"] != "http" or scope["method"] != "GET":
        return False
    return scope["path"].startswith(STATIC) and scope["path"].endswith(COMPRESSIBLE)


def _accepts_gzip(scope) -> bool:
    headers = dict(scope.get("headers", []))
    return takes_gzip(headers.get(b"accept-encoding", b"").decode("latin-1"))


def _varied(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """`headers` saying the answer depends on Accept-Encoding, so that a cache between
    the server and a browser keeps the two forms apart."""
    vary = dict(headers).get(b"vary")
    kept = [(k, v) for k, v in headers if k != b"vary"]
    return [*kept, (b"vary", vary + b", Accept-Encoding" if vary else b"Accept-Encoding")]


def _whole_file(start: dict) -> bool:
    """Whether an answer is the whole file, as it is on disk: not a 304, a 206 or an error,
    nor the page an unknown address gets (its HTML, which dashboards/server.py rewrites)."""
    headers = dict(start.get("headers", []))
    html = headers.get(b"content-type", b"").startswith(b"text/html")
    return start["status"] == 200 and b"content-encoding" not in headers and not html


def _weak(etag: bytes) -> bytes:
    """The file's validator for its compressed form: weak, as another encoding of the same
    file (Starlette's not-modified check reads a weak tag as the same file)."""
    return etag if etag.startswith(b"W/") else b"W/" + etag


class CompressStatic:
    """ASGI middleware: a static text file answered gzip-compressed to a browser that takes
    it, from bytes compressed once per file (keyed by path and validator)."""

    def __init__(self, app) -> None:
        self.app = app
        self.compressed: dict[tuple[str, bytes], bytes] = {}

    async def __call__(self, scope, receive, send) -> None:
        if not static_text(scope):
            await self.app(scope, receive, send)
            return
        if not _accepts_gzip(scope):
            await self.app(scope, receive, self._identity(send))
            return

        async def compressed(start: dict, raw: bytes) -> None:
            await self._send_compressed(scope["path"], start, raw, send)

        await self.app(scope, receive, holding(send, _whole_file, compressed))

    @staticmethod
    def _identity(send):
        """`send`, with the file's answer marked as one of two forms (Vary)."""

        async def marked(message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 200:
                message = {**message, "headers": _varied(message.get("headers", []))}
            await send(message)

        return marked

    async def _send_compressed(self, path: str, start: dict, raw: bytes, send) -> None:
        headers = dict(start.get("headers", []))
        key = (path, headers.get(b"etag", b""))
        packed = self.compressed.get(key)
        if packed is None:
            # Off the event loop: the largest file (775 KB) takes tens of milliseconds.
            packed = await asyncio.to_thread(gzip.compress, raw, 6, mtime=0)
            self.compressed[key] = packed
        kept = [(k, v) for k, v in _varied(start.get("headers", []))
                if k not in (b"content-length", b"etag")]  # fmt: skip
        kept += [(b"content-encoding", b"gzip"), (b"content-length", str(len(packed)).encode())]
        if b"etag" in headers:
            kept.append((b"etag", _weak(headers[b"etag"])))
        await send({**start, "headers": kept})
        await send({"type": "http.response.body", "body": packed})
