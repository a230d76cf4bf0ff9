"""``Probe``: one line on a FastAPI/Starlette WebSocket endpoint reports its connections to Pulse.

    probe = Probe(hub="ws://pulse:7400/ingest", token=GATEWAY_TOKEN, gateway="gw-eu-1")

    @router.websocket("/ws")
    @probe.watch(identify=lambda ws: (claims["rid"], claims["sub"]) if (claims := verify(ws.query_params.get("token"))) else None)
    async def pos_socket(websocket: WebSocket, token: Optional[str] = None): ...

Why a decorator and not ASGI middleware: it sees the endpoint's own ``WebSocket`` object (so
``identify`` can read what the endpoint reads), and it needs nothing of FastAPI's internals — the
wrapper keeps the endpoint's signature (``functools.wraps``), which FastAPI 0.92 reads for its
dependency injection, and only the instance's ``receive``/``send`` are wrapped.

Nothing reaches the endpoint from the probe: every observation is in try/except, ``push`` only
appends to a bounded buffer, and the hub is talked to by background tasks on the same loop.
"""

import asyncio
import functools
import itertools
import json
import logging
import os
from typing import Any, Awaitable, Callable, Dict, Mapping, Optional, Set, TypeVar

from .client import IngestClient
from .events import RawEvent, now_ms
from .observe import Connection, Identify, Refusal, find_websocket
from .watchdog import HEARTBEAT_TIMEOUT_CODE, HEARTBEAT_TIMEOUT_REASON, Watchdog

log = logging.getLogger("pulse_probe")

Endpoint = TypeVar("Endpoint", bound=Callable[..., Awaitable[Any]])


def file_tap(path: str) -> Callable[[RawEvent], None]:
    """A tap that appends each raw event to ``path`` as one JSON line (tests and debugging only:
    it writes synchronously). ``PULSE_PROBE_TAP=path`` turns it on in ``from_env``."""
    out = open(path, "a", buffering=1, encoding="utf-8")

    def tap(event: RawEvent) -> None:
        out.write(json.dumps(event, separators=(",", ":")) + "\n")

    return tap


class Probe:
    """Watches WebSocket endpoints and reports their terminals' connections to a hub's ``/ingest``.

    ``watchdog=True`` also closes connections silent for 2 × ``heartbeat_interval_ms`` +
    ``grace_ms`` with 4008 "Heartbeat timeout". ``tap`` (tests, debugging) sees every raw event.
    """

    def __init__(
        self,
        hub: str,
        token: str,
        gateway: str,
        *,
        watchdog: bool = False,
        heartbeat_interval_ms: float = 15_000,
        grace_ms: float = 5_000,
        batch_max: int = 1000,
        max_buffered: int = 100_000,
        flush_s: float = 1.0,
        clock: Callable[[], float] = now_ms,
        tap: Optional[Callable[[RawEvent], None]] = None,
        client: Optional[IngestClient] = None,
    ) -> None:
        self._clock = clock
        self._tap = tap
        self.client = client or IngestClient(hub, token, gateway, batch_max=batch_max, max_buffered=max_buffered, flush_s=flush_s, clock=clock)
        self.client._before_batch = self._flush_traffic
        self.watchdog = Watchdog(heartbeat_interval_ms, grace_ms) if watchdog else None
        self._watchdog_task: Optional["asyncio.Task[None]"] = None
        self._closing_tasks: Set["asyncio.Task[None]"] = set()
        self._connections: Dict[str, Connection] = {}
        self._ids = itertools.count(1)
        self._errors = 0
        self._watchdog_closes = 0

    @classmethod
    def from_env(cls, environ: Optional[Mapping[str, str]] = None, **overrides: Any) -> "Probe":
        """From ``PULSE_HUB`` (ws://…/ingest), ``PULSE_INGEST_TOKEN``, ``PULSE_GATEWAY_ID``; for the
        watchdog, ``PULSE_PROBE_WATCHDOG=1`` with ``HEARTBEAT_INTERVAL_MS``/``HEARTBEAT_GRACE_MS``;
        the bounds ``PULSE_PROBE_MAX_BUFFERED`` (events, default 100,000) and ``PULSE_PROBE_BATCH_MAX``
        (events per batch, default 1000)."""
        env = os.environ if environ is None else environ
        missing = [k for k in ("PULSE_HUB", "PULSE_INGEST_TOKEN", "PULSE_GATEWAY_ID") if not env.get(k)]
        if missing:
            raise ValueError("pulse probe: missing " + ", ".join(missing))
        options: Dict[str, Any] = {
            "watchdog": env.get("PULSE_PROBE_WATCHDOG") == "1",
            "heartbeat_interval_ms": float(env.get("HEARTBEAT_INTERVAL_MS", "15000")),
            "grace_ms": float(env.get("HEARTBEAT_GRACE_MS", "5000")),
        }
        for name, option in (("PULSE_PROBE_MAX_BUFFERED", "max_buffered"), ("PULSE_PROBE_BATCH_MAX", "batch_max")):
            if env.get(name):
                options[option] = int(env[name])
        if env.get("PULSE_PROBE_TAP"):
            options["tap"] = file_tap(env["PULSE_PROBE_TAP"])
        options.update(overrides)
        return cls(env["PULSE_HUB"], env["PULSE_INGEST_TOKEN"], env["PULSE_GATEWAY_ID"], **options)

    # ---- the decorator ------------------------------------------------------------------------

    def watch(self, identify: Identify, refusal: Optional[Refusal] = None) -> Callable[[Endpoint], Endpoint]:
        """Decorates a WebSocket endpoint (place it *under* ``@router.websocket(...)``).

        ``identify(websocket)`` → ``(rid, tid)`` of an authenticated terminal, or None (not yet, or
        never). ``refusal(websocket)`` → what a connection closed 4001 before it was identified was:
        ``{"reason": one of the contract's reasons (default "refused"), "rid": …, "tid": …}`` with
        the token's *unverified* claims, so the hub can put the failure under its restaurant.
        """

        def decorate(endpoint: Endpoint) -> Endpoint:
            @functools.wraps(endpoint)
            async def watched(*args: Any, **kwargs: Any) -> Any:
                conn = self._attach(find_websocket(args, kwargs), identify, refusal)
                failed = False
                try:
                    return await endpoint(*args, **kwargs)
                except BaseException:
                    failed = True
                    raise
                finally:
                    if conn is not None:
                        self._safely(conn.on_endpoint_done, failed)
                        self._connections.pop(conn.id, None)

            return watched  # type: ignore[return-value]

        return decorate

    def _attach(self, websocket: Any, identify: Identify, refusal: Optional[Refusal]) -> Optional[Connection]:
        """Wraps the instance's receive/send; None (and the endpoint untouched) if that fails."""
        if websocket is None:
            return None
        try:
            conn = Connection(f"c{next(self._ids)}", websocket, identify, self._emit, self._clock, refusal)
            original_receive = websocket.receive
            original_send = websocket.send
            probe = self

            async def receive() -> Any:
                message = await original_receive()
                probe._safely(conn.on_receive, message)
                return message

            async def send(message: Any) -> None:
                if probe._swallow(conn, message):
                    return
                probe._safely(conn.on_send, message)
                try:
                    await original_send(message)
                except Exception as error:
                    probe._safely(conn.on_send_failed, error)
                    raise
                probe._safely(conn.after_send, message)

            websocket.receive = receive
            websocket.send = send
            self._connections[conn.id] = conn
            self._start_watchdog()
            return conn
        except Exception:
            self._errors += 1
            log.exception("pulse probe: cannot watch this connection")
            return None

    def _swallow(self, conn: Connection, message: Any) -> bool:
        """A second close frame, or anything sent after the watchdog closed: dropped, not raised."""
        try:
            if not isinstance(message, Mapping):
                return False
            if conn.closed_by_watchdog:
                return True
            if message.get("type") != "websocket.close":
                return False
            if conn.close_sent:
                return True
            if conn.watchdog_closing:
                conn.watchdog_closing = False
                conn.closed_by_watchdog = True
            return False
        except Exception:
            return False

    # ---- events -------------------------------------------------------------------------------

    def _emit(self, event: RawEvent) -> None:
        if self._tap is not None:
            self._safely(self._tap, event)
        self.client.push(event)

    def _safely(self, fn: Callable[..., Any], *args: Any) -> None:
        try:
            fn(*args)
        except Exception:
            self._errors += 1
            if self._errors <= 10:
                log.exception("pulse probe: an observation failed (the endpoint is not affected)")

    def _flush_traffic(self) -> None:
        t = self._clock()
        for conn in list(self._connections.values()):
            event = conn.traffic(t)
            if event is not None:
                self.client.push(event)
                if self._tap is not None:
                    self._safely(self._tap, event)

    # ---- the watchdog -------------------------------------------------------------------------

    def _start_watchdog(self) -> None:
        if self.watchdog is None or self._watchdog_task is not None:
            return
        try:
            self._watchdog_task = asyncio.get_running_loop().create_task(self._run_watchdog())
        except RuntimeError:
            pass

    async def _run_watchdog(self) -> None:
        assert self.watchdog is not None
        while True:
            await asyncio.sleep(self.watchdog.check_every_s)
            self.check_watchdog()

    def check_watchdog(self, now: Optional[float] = None) -> int:
        """Closes every connection due (4008); returns how many. Run by the watchdog's timer."""
        if self.watchdog is None:
            return 0
        due = self.watchdog.due(list(self._connections.values()), self._clock() if now is None else now)
        loop = asyncio.get_running_loop()
        for conn in due:
            self._watchdog_closes += 1
            task = loop.create_task(self._watchdog_close(conn))
            self._closing_tasks.add(task)  # held until done: the loop keeps only weak references
            task.add_done_callback(self._closing_tasks.discard)
        return len(due)

    async def _watchdog_close(self, conn: Connection) -> None:
        if conn.close_sent or conn.closed:
            return
        try:
            # Set and sent in one step of this task: the send wrapper knows the close is the watchdog's.
            conn.watchdog_closing = True
            await conn.websocket.close(code=HEARTBEAT_TIMEOUT_CODE, reason=HEARTBEAT_TIMEOUT_REASON)
        except Exception:
            pass
        finally:
            conn.watchdog_closing = False

    # ---- the rest -----------------------------------------------------------------------------

    def stats(self) -> Dict[str, Any]:
        """The sender's counters (``dropped``, ``buffered``, ``unacked``, …) and the probe's own."""
        s = self.client.stats()
        s.update(connections=sum(1 for c in self._connections.values() if c.opened and not c.closed), observation_errors=self._errors, watchdog_closes=self._watchdog_closes)
        return s

    async def close(self, wait_s: float = 2.0) -> None:
        """Stops the watchdog, sends what is left and waits up to ``wait_s`` for the hub's acks."""
        if self._watchdog_task is not None:
            self._watchdog_task.cancel()
            self._watchdog_task = None
        await self.client.close(wait_s)
