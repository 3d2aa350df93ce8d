"""A portal reader without a browser: it speaks Streamlit's own websocket messages, as the
portal's page does, so many readers can load the server from one small process.

Why: the issue's load test puts every reader in one Chromium, and with the server on its
own core that Chromium has the machine's other core to itself. Measured (portal_speed,
8 readers): Chromium's core 95 % busy, the server's 7 %, about 1 s of browser CPU per
action. That measures this machine's one browser core drawing eight pages, not the
portal: a reader has a computer of their own. So portal_speed also times one reader in
Chromium while the others are readers of this kind, which ask the server exactly what a
page asks (open a page from the menu, choose in a widget) and wait for the run's end.

A reader sends a `BackMsg.rerun_script` (the page's script hash, the changed widget's
state) and reads `ForwardMsg`s until `script_finished`, keeping the widgets each run
draws, so the next choice is made on what the server last sent.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

# ForwardMsg.script_finished's value for a run that ended by itself (ScriptFinishedStatus).
FINISHED_SUCCESSFULLY = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_SUCCESSFULLY")
ANSWER_WITHIN_S = 30  # as portal_speed's lost click


@dataclass(frozen=True)
class Answer:
    """One run the reader asked for: seconds from the message sent to the run's end, and
    whether the script ended by itself (not stopped, not failed)."""

    seconds: float
    finished: bool


class ProtocolReader:
    """One reader's session on the portal at `url` (http://host:port)."""

    def __init__(self, url: str):
        self.url = url
        self.pages: dict[str, str] = {}  # a page's address ("explorer") -> its script hash
        self.widgets: dict[str, tuple[str, object]] = {}  # widget id -> (kind, proto)
        self._socket = None

    async def connect(self) -> Answer:
        """Open the session and run the home page, as a first visit does."""
        stream = self.url.replace("http", "ws", 1) + "/_stcore/stream"
        self._socket = await websockets.connect(stream, subprotocols=["streamlit"],
                                                origin=self.url, max_size=None)  # fmt: skip
        return await self.run("")

    async def close(self) -> None:
        if self._socket is not None:
            await self._socket.close()

    async def open(self, page: str) -> Answer:
        """Open `page` (its address, "explorer") as a click in the menu does."""
        return await self.run(self.pages[page])

    async def run(self, page_hash: str, change: WidgetState | None = None) -> Answer:
        """Ask for a run of the page `page_hash` ("" the home page), with `change` the
        widget the reader changed; the widgets kept are then those this run drew."""
        message = BackMsg()
        message.rerun_script.page_script_hash = page_hash
        if change is not None:
            message.rerun_script.widget_states.widgets.append(change)
        started = time.perf_counter()
        await self._socket.send(message.SerializeToString())
        drawn: dict[str, tuple[str, object]] = {}
        async with asyncio.timeout(ANSWER_WITHIN_S):
            while True:
                sent = ForwardMsg()
                sent.ParseFromString(await self._socket.recv())
                kind = sent.WhichOneof("type")
                if kind == "navigation":
                    self.pages = {p.url_pathname: p.page_script_hash
                                  for p in sent.navigation.app_pages}  # fmt: skip
                elif kind == "delta" and sent.delta.WhichOneof("type") == "new_element":
                    element = sent.delta.new_element
                    what = element.WhichOneof("type")
                    proto = getattr(element, what)
                    widget_id = getattr(proto, "id", None)
                    if isinstance(widget_id, str) and widget_id:
                        drawn[widget_id] = (what, proto)
                elif kind == "script_finished":
                    self.widgets = drawn
                    return Answer(time.perf_counter() - started,
                                  sent.script_finished == FINISHED_SUCCESSFULLY)  # fmt: skip

    def widget(self, key: str) -> tuple[str, str, object]:
        """The widget the page's code keyed `key`: its id, kind and proto. Streamlit ends
        a keyed widget's id with its key."""
        for widget_id, (kind, proto) in self.widgets.items():
            if widget_id.endswith(f"-{key}"):
                return widget_id, kind, proto
        raise LookupError(f"the page drew no widget keyed {key!r}")

    def chosen(self, key: str) -> list[str]:
        """The option labels widget `key` shows as chosen."""
        _, kind, proto = self.widget(key)
        if kind == "multiselect":
            if proto.set_value or proto.raw_values:
                return list(proto.raw_values)
            return [proto.options[i] for i in proto.default]
        if proto.HasField("raw_value"):
            return [proto.raw_value]
        return [proto.options[i] for i in proto.default]

    def choice(self, key: str, turn: int) -> WidgetState:
        """Widget `key` with one more option chosen (a multiselect) or another option (a
        select box), as a reader picks one: the `turn`-th of those not chosen."""
        widget_id, kind, proto = self.widget(key)
        shown = self.chosen(key)
        free = [o for o in proto.options if o not in shown]
        pick = free[turn % len(free)]
        state = WidgetState(id=widget_id)
        if kind == "multiselect":
            state.string_array_value.data.extend([*shown, pick])
        else:
            state.string_value = pick
        return state

    async def choose(self, page: str, key: str, turn: int) -> tuple[Answer, bool]:
        """Choose in widget `key` of `page`, open: the run's answer, and whether the widget
        shows the choice afterwards (a dead selection when not)."""
        change = self.choice(key, turn)
        answer = await self.run(self.pages[page], change)
        wanted = (list(change.string_array_value.data) if change.HasField("string_array_value")
                  else [change.string_value])  # fmt: skip
        return answer, self.chosen(key) == wanted
