"""What one terminal connection does, read off the ASGI messages its ``WebSocket`` sends and receives.

The probe replaces the ``receive`` and ``send`` of the endpoint's Starlette ``WebSocket`` *instance*
with wrappers that call the originals: ``accept``, ``receive_text``/``receive_json``/``receive``,
``send_text``/``send_json``/``send`` and ``close`` all go through those two, so nothing the endpoint
does is missed and nothing it calls changes. Each observation is pure bookkeeping (no awaits) and
never raises into the endpoint (the caller wraps every hook in try/except).

Mapping (docs/telemetry.md, "Raw events"):

- accept, then ``identify(websocket)`` → ``(rid, tid)``: ``open`` (``via`` from where the token was:
  query ``token=`` → ``query``, a ``bearer.`` subprotocol → ``subprotocol``, an Authorization header
  → ``header``). Not identified yet: retried on each message until it is.
- in ``{"type": "ping", "rtt": …}`` → ``ping`` (``rtt`` kept when finite, 0..60,000 ms; another
  number as ``implausibleRtt``, which the hub counts against the terminal);
  out ``{"type": "pong"}`` → ``pong`` (``rtt`` = ping received → pong sent, as the probe saw it).
- out ``{"type": "order", "seq": n}`` → its send time; in ``{"type": "ack", "seq": n}`` → ``ack``
  with the latency.
- the endpoint closing → ``close`` by ``gateway`` (1008 → ``limit`` rate/invalid first, 1009 →
  ``limit`` size); a 4001 before the connection was identified → ``auth_fail`` (no open was sent);
  ``websocket.disconnect`` received → ``close`` by ``terminal`` with its code (1006: no close frame).
- messages and bytes per direction, flushed as ``traffic`` by the sender (at most once a second)
  and before the close.
"""

import json
from collections import OrderedDict
from typing import Any, Callable, Dict, Mapping, Optional, Tuple

from . import events as ev

Emit = Callable[[ev.RawEvent], None]
Identify = Callable[[Any], Optional[Tuple[str, str]]]
#: What a refused connection was: ``{"reason": …, "rid": …, "tid": …}`` (each optional; rid/tid
#: the token's unverified claims, which label the failure for engineers).
Refusal = Callable[[Any], Optional[Mapping[str, Any]]]

#: Order sends remembered per connection for ack latency (the oldest go first).
MAX_PENDING_ORDERS = 1024


def via_of(scope: Mapping[str, Any]) -> str:
    """Where the terminal's token came from, as the ``open`` event's ``via``."""
    query = scope.get("query_string") or b""
    if isinstance(query, (bytes, bytearray)) and (query.startswith(b"token=") or b"&token=" in query):
        return "query"
    for proto in scope.get("subprotocols") or ():
        if isinstance(proto, str) and proto.startswith("bearer."):
            return "subprotocol"
    for name, _ in scope.get("headers") or ():
        if name == b"authorization":
            return "header"
    return "other"


def _text_size(message: Mapping[str, Any]) -> Tuple[Optional[str], int]:
    text = message.get("text")
    if isinstance(text, str):
        return text, len(text.encode("utf-8", "surrogatepass")) if not text.isascii() else len(text)
    data = message.get("bytes")
    return None, len(data) if isinstance(data, (bytes, bytearray)) else 0


def _json_of(text: Optional[str], *kinds: str) -> Optional[Dict[str, Any]]:
    """The frame as a dict when it is JSON of one of ``kinds`` (cheap substring check first)."""
    if text is None or not any(k in text for k in kinds):
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) and value.get("type") in kinds else None


class Connection:
    """One terminal connection's state, fed the ASGI messages of its endpoint."""

    def __init__(self, conn_id: str, websocket: Any, identify: Identify, emit: Emit, clock: Callable[[], float], refusal: Optional[Refusal] = None) -> None:
        self.id = conn_id
        self.websocket = websocket
        self._identify = identify
        self._refusal = refusal
        self._emit = emit
        self._clock = clock
        self.accepted = False
        self.opened = False
        self.closed = False
        #: A close frame was sent (by the endpoint or the watchdog): a second one is not sent.
        self.close_sent = False
        #: The watchdog closed it: the endpoint's later sends are dropped rather than raised on.
        self.closed_by_watchdog = False
        #: Set by the watchdog just before its own close goes through the send wrapper.
        self.watchdog_closing = False
        self.opened_at = 0.0
        self.last_in = 0.0
        self._last_ping_at: Optional[float] = None
        self._orders: "OrderedDict[int, float]" = OrderedDict()
        self.msg_in = self.bytes_in = self.msg_out = self.bytes_out = 0
        self.rid: Optional[str] = None
        self.tid: Optional[str] = None

    # ---- identity -----------------------------------------------------------------------------

    def _try_identify(self, t: float) -> None:
        if self.opened or self.closed or not self.accepted:
            return
        who = self._identify(self.websocket)
        if not who:
            return
        rid, tid = who
        if not (ev.valid_id(rid) and ev.valid_id(tid)):
            return
        self.rid, self.tid, self.opened, self.opened_at = rid, tid, True, t
        self.last_in = max(self.last_in, t)
        scope = getattr(self.websocket, "scope", None) or {}
        self._emit(ev.open_event(t, self.id, rid, tid, via_of(scope)))

    # ---- messages -----------------------------------------------------------------------------

    def on_receive(self, message: Mapping[str, Any]) -> None:
        """A message the endpoint received (``websocket.connect`` / ``.receive`` / ``.disconnect``)."""
        kind = message.get("type")
        t = self._clock()
        if kind == "websocket.receive":
            text, size = _text_size(message)
            self.last_in = t
            self._try_identify(t)
            if not self.opened or self.closed:
                return
            self.msg_in += 1
            self.bytes_in += size
            frame = _json_of(text, "ping", "ack")
            if frame is None:
                return
            if frame["type"] == "ping":
                self._last_ping_at = t
                self._emit(ev.ping_event(t, self.id, frame.get("rtt")))
            else:
                seq = frame.get("seq")
                sent = self._orders.pop(seq, None) if isinstance(seq, int) else None
                if sent is not None:
                    event = ev.ack_event(t, self.id, seq, max(0.0, t - sent))
                    if event is not None:
                        self._emit(event)
        elif kind == "websocket.disconnect":
            if self.opened and not self.closed:
                self._finish(t, ev.close_code(message.get("code"), 1005), "terminal", "")
            self.closed = True

    def on_send(self, message: Mapping[str, Any]) -> None:
        """A message the endpoint is sending (before it goes; ``accept`` after: see ``after_send``)."""
        kind = message.get("type")
        t = self._clock()
        if kind == "websocket.send":
            if not self.opened or self.closed:
                return
            text, size = _text_size(message)
            self.msg_out += 1
            self.bytes_out += size
            frame = _json_of(text, "pong", "order")
            if frame is None:
                return
            if frame["type"] == "pong":
                rtt = None if self._last_ping_at is None else t - self._last_ping_at
                self._last_ping_at = None
                self._emit(ev.pong_event(t, self.id, rtt))
            else:
                seq = frame.get("seq")
                if isinstance(seq, int) and not isinstance(seq, bool):
                    self._orders[seq] = t
                    while len(self._orders) > MAX_PENDING_ORDERS:
                        self._orders.popitem(last=False)
        elif kind == "websocket.close":
            self.close_sent = True
            if self.closed:
                return
            code = ev.close_code(message.get("code", 1000), 1000)
            reason = message.get("reason") or ""
            reason = reason if isinstance(reason, str) else ""
            if not self.opened:
                self.closed = True
                if code == 4001:
                    about: Mapping[str, Any] = {}
                    if self._refusal is not None:
                        try:
                            about = self._refusal(self.websocket) or {}
                        except Exception:
                            about = {}
                    self._emit(ev.auth_fail_event(t, about.get("reason") or "refused", about.get("rid"), about.get("tid")))
                return
            if code == 1008:
                self._emit(ev.limit_event(t, self.id, "rate" if "rate" in reason.lower() else "invalid", reason))
            elif code == 1009:
                self._emit(ev.limit_event(t, self.id, "size", reason))
            self._finish(t, code, "gateway", reason)

    def on_send_failed(self, error: BaseException) -> None:
        """A send raised: when it is because the terminal's side had gone (the server's
        ConnectionClosed, as uvicorn's websockets implementation raises it), that is the close."""
        code = terminal_close_code(error)
        if code is not None and self.opened and not self.closed:
            self._finish(self._clock(), code, "terminal", "")

    def after_send(self, message: Mapping[str, Any]) -> None:
        """A message the endpoint sent; only ``websocket.accept`` matters here."""
        if message.get("type") == "websocket.accept" and not self.accepted:
            self.accepted = True
            self.last_in = self._clock()
            self._try_identify(self.last_in)

    def on_endpoint_done(self, failed: bool) -> None:
        """The endpoint returned (or raised) with the connection still open: the server closes it."""
        if self.opened and not self.closed:
            self._finish(self._clock(), 1011 if failed else 1000, "gateway", "")
        self.closed = True

    # ---- traffic and close --------------------------------------------------------------------

    def traffic(self, t: float) -> Optional[ev.RawEvent]:
        """Counts since the previous call, as a ``traffic`` event (None when nothing happened)."""
        if not self.opened or self.closed:
            return None
        event = ev.traffic_event(t, self.id, self.msg_in, self.bytes_in, self.msg_out, self.bytes_out)
        self.msg_in = self.bytes_in = self.msg_out = self.bytes_out = 0
        return event

    def _finish(self, t: float, code: int, by: str, reason: str) -> None:
        last = self.traffic(t)
        if last is not None:
            self._emit(last)
        self.closed = True
        self._emit(ev.close_event(t, self.id, code, by, reason))


def terminal_close_code(error: BaseException) -> Optional[int]:
    """The close code of a send that failed because the connection was closed by the terminal (or
    dropped): ``websockets``' ConnectionClosed carries the close frame received (``rcvd``), None
    when there was none (1006); uvicorn's newer ClientDisconnected is a drop. Otherwise None."""
    if hasattr(error, "rcvd") and hasattr(error, "sent"):
        rcvd = getattr(error, "rcvd", None)
        code = getattr(rcvd, "code", None) if rcvd is not None else None
        return ev.close_code(code, 1005) if code is not None else 1006
    if type(error).__name__ == "ClientDisconnected":
        return 1006
    return None


def find_websocket(args: Tuple[Any, ...], kwargs: Dict[str, Any]) -> Any:
    """The endpoint's WebSocket among its arguments (duck-typed: Starlette's or anything like it)."""
    for value in list(kwargs.values()) + list(args):
        if hasattr(value, "scope") and callable(getattr(value, "send", None)) and callable(getattr(value, "receive", None)) and callable(getattr(value, "accept", None)):
            scope = getattr(value, "scope", None)
            if isinstance(scope, dict) and scope.get("type") == "websocket":
                return value
    return None

