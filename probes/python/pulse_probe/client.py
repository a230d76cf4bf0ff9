"""The probe's side of the open ingest: raw events → batches → the hub's ``/ingest`` WebSocket.

- ``push(event)`` is synchronous, O(1) and never raises: it is all a gateway's code path pays.
- A batch goes out every ``flush_s`` (empty or not: it tells the hub the probe is alive), with at
  most ``batch_max`` events, seq 1, 2, 3, … per run.
- The buffer is bounded (``max_buffered``): when the hub is slow or gone the oldest events are
  dropped and counted; the count travels with the next batch as ``dropped`` and is on ``stats()``.
- A batch stays unacknowledged until the hub answers it; at most ``max_unacked`` of them, after
  which events wait in the buffer. ``busy`` → the same batch again after ``retryAfterMs`` and no
  new batches meanwhile. After a reconnect (exponential backoff, full jitter) every unacknowledged
  batch is resent.
- A reconnect re-announces (``open`` + ``resumed``) the connections whose open the hub acknowledged
  and whose close it has not: at the head of the first resent batch, under its seq, so that a
  restarted hub knows them *before* the backlog's events (after it, it refused them as
  UNKNOWN_CONNECTION; in a batch of its own with a newer seq, its fresh ledger would start past the
  backlog and drop it as duplicates). With nothing unacknowledged it is a batch of its own.

Everything runs as tasks on the running asyncio loop, started lazily by the first ``push``.
"""

import asyncio
import json
import logging
import random
from collections import OrderedDict
from typing import Any, Awaitable, Callable, Dict, List, Optional, Set, Tuple

from .buffer import EventBuffer
from .events import INGEST_SUBPROTOCOL, INGEST_VERSION, MAX_BATCH_BYTES, MAX_EVENTS_PER_BATCH, RawEvent, now_ms

log = logging.getLogger("pulse_probe")

def _default_connect(url: str, subprotocols: List[str]) -> Awaitable[Any]:
    import websockets  # Debian's 10.4; imported here so the buffer and mapping need only the stdlib

    return websockets.connect(url, subprotocols=subprotocols, open_timeout=10, close_timeout=2, max_size=1 << 20)


def backoff_delay(attempt: int, base_s: float, cap_s: float, rng: Callable[[], float] = random.random) -> float:
    """Exponential backoff with full jitter: uniform in [0, min(cap, base * 2^attempt))."""
    return rng() * min(cap_s, base_s * (2 ** min(max(attempt, 0), 20)))


class IngestClient:
    """Batches raw events for one gateway id and delivers them to a hub; see the module docstring."""

    def __init__(
        self,
        hub_url: str,
        token: str,
        gateway_id: str,
        *,
        run: Optional[int] = None,
        flush_s: float = 1.0,
        batch_max: int = 1000,
        max_buffered: int = 100_000,
        max_unacked: int = 64,
        backoff_base_s: float = 0.5,
        backoff_cap_s: float = 30.0,
        clock: Callable[[], float] = now_ms,
        rng: Callable[[], float] = random.random,
        connect: Optional[Callable[[str, List[str]], Awaitable[Any]]] = None,
        before_batch: Optional[Callable[[], None]] = None,
    ) -> None:
        self.hub_url = hub_url
        self.gateway_id = gateway_id
        self._subprotocols = [INGEST_SUBPROTOCOL, "bearer." + token]
        self._clock = clock
        self.run = run if run is not None else int(clock())
        self.flush_s = flush_s
        self.batch_max = max(1, min(batch_max, MAX_EVENTS_PER_BATCH))
        self.max_unacked = max(1, max_unacked)
        self._backoff = (backoff_base_s, backoff_cap_s, rng)
        if connect is None:
            import websockets  # noqa: F401 -- fail at start-up, loudly, rather than on every reconnect

        self._connect = connect or _default_connect
        self._before_batch = before_batch
        self.buffer = EventBuffer(max_buffered)
        self.unacked: "OrderedDict[int, str]" = OrderedDict()
        # Per unacknowledged seq: its batch and the re-announcement put at its head at a reconnect.
        self._pending: Dict[int, Tuple[Dict[str, Any], List[RawEvent]]] = {}
        self.seq = 0
        self._paused_until = 0.0
        # Connections whose open the hub acknowledged (and no close since): what a restarted hub must
        # be told before the backlog. One whose open is unacknowledged or buffered is not: its own
        # open follows, and a ``resumed`` ahead of it would make the hub refuse it as a second open.
        self._known: Dict[str, RawEvent] = {}
        self._ws: Any = None
        self._send_lock: Optional[asyncio.Lock] = None
        self._tasks: List["asyncio.Task[None]"] = []
        self._resends: Set["asyncio.Task[bool]"] = set()
        self._closing = False
        self._drained: Optional[asyncio.Event] = None
        self._unacked_peak = 0
        self._stats: Dict[str, int] = {
            "batches_sent": 0,
            "batches_acked": 0,
            "events_sent": 0,
            "events_refused": 0,
            "busy_answers": 0,
            "batch_errors": 0,
            "connects": 0,
        }

    # ---- the hot path -------------------------------------------------------------------------

    def push(self, event: RawEvent) -> None:
        """Buffers one raw event; never raises, never blocks. Starts the sender on first use."""
        if self._closing:
            return
        self.buffer.push(event)
        if not self._tasks:
            self.start()

    # ---- batches ------------------------------------------------------------------------------

    def make_batch(self, force: bool = False) -> Optional[str]:
        """The next batch's text (now unacknowledged), or None while paused (busy) or too many wait."""
        if not force and (self._clock() < self._paused_until or len(self.unacked) >= self.max_unacked):
            return None
        return self._batch_of(self.buffer.take(self.batch_max), self.buffer.take_dropped())

    def _batch_of(self, events: List[RawEvent], dropped: int = 0) -> str:
        self.seq += 1
        batch: Dict[str, Any] = {"v": INGEST_VERSION, "gw": self.gateway_id, "run": self.run, "seq": self.seq, "t": self._clock(), "events": events}
        if dropped:
            batch["dropped"] = dropped
        text = json.dumps(batch, separators=(",", ":"))
        self.unacked[self.seq] = text
        self._pending[self.seq] = (batch, [])
        self._unacked_peak = max(self._unacked_peak, len(self.unacked))
        self._stats["batches_sent"] += 1
        self._stats["events_sent"] += len(events)
        return text

    def resumed_opens(self) -> List[RawEvent]:
        """Re-announcements of the connections the hub acknowledged the open of and not yet a close."""
        return [dict(e, resumed=True) for e in self._known.values()]

    def _learn(self, events: List[RawEvent]) -> None:
        for e in events:
            if e.get("type") == "open":
                self._known[e.get("conn", "")] = {k: v for k, v in e.items() if k != "resumed"}
            elif e.get("type") == "close":
                self._known.pop(e.get("conn", ""), None)

    def reannounce(self) -> List[str]:
        """After a reconnect: puts the re-announcement at the head of the first unacknowledged batch
        (same seq) when it fits, else returns it as batches of their own to send after the resends."""
        opens = self.resumed_opens()
        if opens and self.unacked:
            first = next(iter(self.unacked))
            batch, _ = self._pending[first]
            if len(opens) + len(batch["events"]) <= MAX_EVENTS_PER_BATCH:
                text = json.dumps(dict(batch, events=opens + batch["events"]), separators=(",", ":"))
                if len(text.encode()) <= MAX_BATCH_BYTES:
                    self.unacked[first] = text
                    self._pending[first] = (batch, opens)
                    self._stats["events_sent"] += len(opens)
                    return []
        return [self._batch_of(opens[i : i + self.batch_max]) for i in range(0, len(opens), self.batch_max)]

    def on_answer(self, text: Any) -> None:
        """One answer from the hub (ack / busy / error)."""
        try:
            answer = json.loads(text)
        except (TypeError, ValueError):
            return
        if not isinstance(answer, dict):
            return
        kind, seq = answer.get("type"), answer.get("seq")
        if kind == "busy" and isinstance(seq, int):
            self._stats["busy_answers"] += 1
            retry_ms = answer.get("retryAfterMs")
            retry_s = max(0.0, float(retry_ms) / 1000) if isinstance(retry_ms, (int, float)) else 1.0
            self._paused_until = self._clock() + retry_s * 1000
            self._later(retry_s, seq)
            return
        if not isinstance(seq, int):
            if kind == "error":
                self._stats["batch_errors"] += 1
                log.warning("pulse probe: the hub refused a batch: %s", answer.get("code"))
            return
        if self.unacked.pop(seq, None) is None:
            return
        batch, head = self._pending.pop(seq, ({"events": []}, []))
        self._stats["batches_acked"] += 1
        if kind == "error":
            self._stats["batch_errors"] += 1
            log.warning("pulse probe: the hub refused batch %s: %s %s", seq, answer.get("code"), answer.get("message"))
        elif kind == "ack":
            self._learn(head + batch["events"])
            refused = answer.get("refused")
            if isinstance(refused, list) and refused:
                self._stats["events_refused"] += len(refused)
                log.debug("pulse probe: the hub refused events of batch %s: %s", seq, refused[:5])
        if not self.unacked and self._drained is not None:
            self._drained.set()

    def _later(self, delay_s: float, seq: int) -> None:
        """Resends batch ``seq`` after ``delay_s`` (a busy answer), if it is still unacknowledged."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return

        def resend() -> None:
            text = self.unacked.get(seq)
            if text is not None:
                task = loop.create_task(self._send(text))
                self._resends.add(task)  # held until done: the loop keeps only weak references
                task.add_done_callback(self._resends.discard)

        loop.call_later(delay_s, resend)

    # ---- the tasks ----------------------------------------------------------------------------

    def start(self) -> None:
        """Starts the sender on the running loop (no-op without one: the next push retries)."""
        if self._tasks or self._closing:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        self._send_lock = asyncio.Lock()
        self._tasks = [loop.create_task(self._ticker()), loop.create_task(self._connection())]

    @property
    def connected(self) -> bool:
        return self._ws is not None

    async def _send(self, text: str) -> bool:
        ws = self._ws
        if ws is None or self._send_lock is None:
            return False
        try:
            async with self._send_lock:
                await ws.send(text)
            return True
        except Exception:  # a dropped hub: the connection task reconnects and resends
            return False

    def flush_now(self) -> List[str]:
        """Makes this tick's batches: at least one (empty or not), more while a full one waits."""
        if self._before_batch is not None:
            try:
                self._before_batch()
            except Exception:
                log.exception("pulse probe: before_batch failed")
        texts: List[str] = []
        while True:
            text = self.make_batch()
            if text is None:
                break
            texts.append(text)
            if len(self.buffer) < self.batch_max:
                break
        return texts

    async def _ticker(self) -> None:
        while not self._closing:
            await asyncio.sleep(self.flush_s)
            for text in self.flush_now():
                await self._send(text)

    async def _connection(self) -> None:
        attempt = 0
        base, cap, rng = self._backoff
        while not self._closing:
            try:
                ws = await asyncio.wait_for(self._connect(self.hub_url, self._subprotocols), timeout=15)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                attempt += 1
                log.debug("pulse probe: cannot reach the hub (%s); retrying", exc)
                await asyncio.sleep(backoff_delay(attempt, base, cap, rng))
                continue
            attempt = 0
            self._stats["connects"] += 1
            self._ws = ws
            try:
                if self._stats["connects"] > 1:
                    self.reannounce()  # any batches of its own are the newest unacknowledged: sent last
                for text in list(self.unacked.values()):
                    if not await self._send(text):
                        break
                async for message in ws:
                    self.on_answer(message)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.debug("pulse probe: hub connection lost (%s)", exc)
            finally:
                self._ws = None
            code = getattr(ws, "close_code", None)
            if code in (4001, 4003):
                log.warning("pulse probe: the hub refused the gateway token (%s)", code)
            if not self._closing:
                attempt += 1
                await asyncio.sleep(backoff_delay(attempt, base, cap, rng))

    async def close(self, wait_s: float = 2.0) -> None:
        """Sends what is buffered, waits up to ``wait_s`` for the answers, stops the tasks."""
        if self._closing:
            return
        try:
            self._paused_until = 0.0
            for text in self.flush_now():
                await self._send(text)
            if self.unacked and self._ws is not None and wait_s > 0:
                self._drained = asyncio.Event()
                try:
                    await asyncio.wait_for(self._drained.wait(), timeout=wait_s)
                except asyncio.TimeoutError:
                    pass
            if self.unacked:
                log.warning("pulse probe: closing with %d batches the hub has not acknowledged", len(self.unacked))
        finally:
            self._closing = True
            for task in self._tasks:
                task.cancel()
            ws, self._ws = self._ws, None
            if ws is not None:
                try:
                    await ws.close()
                except Exception:
                    pass

    def stats(self) -> Dict[str, Any]:
        """Counters: buffered, dropped (events lost from the full buffer), batches, answers; the
        most events ever buffered and batches ever awaiting an answer (``*_peak``: the bounds held)."""
        return dict(
            self._stats,
            buffered=len(self.buffer),
            buffered_peak=self.buffer.peak,
            dropped=self.buffer.dropped_total,
            unacked=len(self.unacked),
            unacked_peak=self._unacked_peak,
            connected=self.connected,
            run=self.run,
            seq=self.seq,
        )
