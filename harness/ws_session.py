"""A Streamlit session driven over its real websocket, without a browser: for load tests.

It speaks the same protocol as the browser (``/_stcore/stream``, BackMsg / ForwardMsg
protobufs): it asks for a script run, reads every delta until ``script_finished``, presses a
button by sending its trigger, and, like an open tab, reruns each fragment on the interval the
server asks for (``auto_rerun``) and sends a first page's "drawn" signal (``ui/first_paint.py``).
The page's buttons and metrics are kept by label. Thirty of these cost the client machine almost
nothing, so a load test on a small machine measures the server rather than thirty browsers' drawing.
"""

from __future__ import annotations

import json
import queue
import threading
import time

from streamlit.components.v2.bidi_component.main import _make_trigger_id
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from ui import first_paint


class WsSession(threading.Thread):
    """One session; its own thread does all the socket work, the test talks to it through methods."""

    def __init__(self, url: str, *, live: bool = True):
        super().__init__(daemon=True)
        self.url = url.replace("http://", "ws://") + "/_stcore/stream"
        self.live = live  # rerun fragments on their interval, as an open tab does
        self.buttons: dict[str, str] = {}  # label -> widget id, from the latest deltas
        self.metrics: dict[str, str] = {}  # label -> shown value
        self.texts: list[str] = []  # markdown, info, warning and error bodies seen
        self.first_load_s: float | None = None  # connect to the first script_finished
        self.runs_finished = 0  # full script runs, not fragment reruns
        self.fragment_reruns = 0
        self.error: BaseException | None = None
        self._todo: queue.Queue = queue.Queue()
        self._fragments: dict[str, list[float]] = {}  # fragment id -> [interval, next due]
        self._finished = threading.Condition()
        self._halt = threading.Event()
        self._in_flight = False  # a run was asked for and has not finished yet
        self._signal: str | None = None  # a component of this run that a browser's script answers when drawn

    # -- used by the test -------------------------------------------------------------------------
    def wait_loaded(self, timeout: float = 60.0) -> float:
        with self._finished:
            if not self._finished.wait_for(lambda: self.runs_finished > 0 or self.error is not None, timeout):
                raise TimeoutError(f"no page within {timeout} s")
        if self.error is not None:
            raise self.error
        return self.first_load_s

    def press(self, label: str, timeout: float = 60.0) -> None:
        """Click the button labelled ``label`` and wait for the run it starts to finish."""
        with self._finished:
            done = self.runs_finished
        self._todo.put(("press", label))
        with self._finished:
            if not self._finished.wait_for(lambda: self.runs_finished > done or self.error is not None, timeout):
                raise TimeoutError(f"pressing {label!r}: no run finished within {timeout} s")
        if self.error is not None:
            raise self.error

    def rerun(self, timeout: float = 60.0) -> None:
        """A full script run, as when the tab comes back to the page."""
        with self._finished:
            done = self.runs_finished
        self._todo.put(("rerun", None))
        with self._finished:
            if not self._finished.wait_for(lambda: self.runs_finished > done, timeout):
                raise TimeoutError(f"no rerun within {timeout} s")

    def step(self) -> int:
        return int(self.metrics.get("Step", "-1").replace(",", ""))

    def close(self) -> None:
        self._halt.set()
        self.join(10)

    # -- the socket thread ------------------------------------------------------------------------
    def run(self) -> None:
        try:
            t0 = time.perf_counter()
            with connect(self.url, subprotocols=["streamlit"], max_size=None, open_timeout=60) as ws:
                self._send_run(ws)
                while not self._halt.is_set():
                    self._do_todo(ws)
                    self._rerun_due_fragments(ws)
                    try:
                        raw = ws.recv(timeout=0.05)
                    except TimeoutError:
                        continue
                    self._handle(raw, t0)
        except ConnectionClosed as err:
            if not self._halt.is_set():
                self.error = err
        except BaseException as err:  # noqa: BLE001 - reported to the test through wait_loaded/press
            self.error = err
        finally:
            with self._finished:
                self._finished.notify_all()

    def _send_run(self, ws, *, trigger: str | None = None, fragment: str = "", signal: str | None = None) -> None:
        msg = BackMsg()
        rs = msg.rerun_script
        rs.query_string, rs.page_script_hash = "", ""
        if trigger is not None:
            w = rs.widget_states.widgets.add()
            w.id, w.trigger_value = trigger, True
        if signal is not None:  # what the component's script sends: its event, as Streamlit's frontend names it
            w = rs.widget_states.widgets.add()
            w.id = _make_trigger_id(signal, "events")
            w.json_trigger_value = json.dumps([{"event": first_paint.EVENT, "value": True}])
        if fragment:
            rs.fragment_id, rs.is_auto_rerun = fragment, True
        ws.send(msg.SerializeToString())
        self._in_flight = True

    def _do_todo(self, ws) -> None:
        while True:
            try:
                kind, arg = self._todo.get_nowait()
            except queue.Empty:
                return
            if kind == "press":
                if arg not in self.buttons:
                    raise LookupError(f"no button {arg!r} on the page; buttons: {sorted(self.buttons)}")
                self._send_run(ws, trigger=self.buttons[arg])
            elif kind == "signal":
                self._send_run(ws, signal=arg)
            else:
                self._send_run(ws)

    def _rerun_due_fragments(self, ws) -> None:
        """Like the browser: a fragment's timer asks for a rerun only while the session is not already running."""
        if not self.live or self._in_flight:
            return
        now = time.monotonic()
        for fid, due in self._fragments.items():
            if now >= due[1]:
                due[1] = now + due[0]
                self.fragment_reruns += 1
                self._send_run(ws, fragment=fid)

    def _handle(self, raw: bytes, t0: float) -> None:
        msg = ForwardMsg()
        msg.ParseFromString(raw)
        kind = msg.WhichOneof("type")
        if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            el = msg.delta.new_element
            which = el.WhichOneof("type")
            if which == "bidi_component" and el.bidi_component.component_name == first_paint.NAME:
                self._signal = el.bidi_component.id
            elif which == "button":
                self.buttons[el.button.label] = el.button.id
            elif which == "metric":
                self.metrics[el.metric.label] = el.metric.body
            elif which in ("markdown", "alert"):
                self.texts.append(getattr(el, which).body)
        elif kind == "new_session" and not msg.metadata.run.fragment_ids:
            self._fragments.clear()  # a full run: as in the browser, only the timers it registers again go on
        elif kind == "auto_rerun":
            self._fragments[msg.auto_rerun.fragment_id] = [msg.auto_rerun.interval,
                                                            time.monotonic() + msg.auto_rerun.interval]
        elif kind == "stop_auto_rerun":
            for fid in msg.stop_auto_rerun.fragment_ids:
                self._fragments.pop(fid, None)
        elif kind == "script_finished":
            self._in_flight = False
            if msg.script_finished != ForwardMsg.FINISHED_SUCCESSFULLY:
                return  # a fragment's run, or one cut short by the next rerun: not a page
            if self._signal is not None:  # the browser has drawn the page: its script says so
                self._todo.put(("signal", self._signal))
                self._signal = None
            with self._finished:
                if self.first_load_s is None:
                    self.first_load_s = time.perf_counter() - t0
                self.runs_finished += 1
                self._finished.notify_all()


def classroom(url: str, n: int) -> list[WsSession]:
    """``n`` live sessions opened one after another, as a class arrives: even ones press Start and
    keep training, odd ones press Step x10 and stay paused after exactly ten steps."""
    sessions = []
    for i in range(n):
        s = WsSession(url, live=True)
        s.start()
        s.wait_loaded()
        s.press("Start" if i % 2 == 0 else "Step x10")
        sessions.append(s)
    return sessions
