"""An HTTP answer held back whole, for the portal's middlewares that change one (the page's
HTML in dashboards/server.py, a static file in dashboards/compressed_static.py): ASGI sends
an answer as a start message and then its body in parts, and either change needs the whole
body before it can give the new length."""

from __future__ import annotations

from collections.abc import Awaitable, Callable


def holding(send, wanted: Callable[[dict], bool],
            finish: Callable[[dict, bytes], Awaitable[None]]):  # fmt: skip
    """`send`, except that an answer whose start message `wanted` accepts is held until its
    body is read to the end, then handed to `finish(start, body)`, which sends it; any other
    answer passes as it comes."""
    start: dict | None = None
    body: list[bytes] = []

    async def held(message) -> None:
        nonlocal start
        if message["type"] == "http.response.start":
            if wanted(message):
                start = message
                return
            await send(message)
        elif message["type"] == "http.response.body" and start is not None:
            body.append(message.get("body", b""))
            if not message.get("more_body", False):
                await finish(start, b"".join(body))
        else:
            await send(message)

    return held
