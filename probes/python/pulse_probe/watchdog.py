"""The optional heartbeat watchdog: a connection silent for 2 intervals + grace is closed 4008.

``due(connections, now)`` is pure (tested on a fake clock); the probe runs it on a timer and closes
each due connection through its ``WebSocket.close`` (so the close is observed like any other, by
``gateway``). A connection already closing (``close_sent``) is skipped, and once the watchdog has
closed one the endpoint's own later close — e.g. the example app's own heartbeat timeout — is
swallowed by the probe instead of raising: never two close frames.
"""

from typing import Iterable, List

from .observe import Connection

HEARTBEAT_TIMEOUT_CODE = 4008
HEARTBEAT_TIMEOUT_REASON = "Heartbeat timeout"


class Watchdog:
    def __init__(self, heartbeat_interval_ms: float = 15_000, grace_ms: float = 5_000) -> None:
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.grace_ms = grace_ms

    @property
    def silence_limit_ms(self) -> float:
        return 2 * self.heartbeat_interval_ms + self.grace_ms

    @property
    def check_every_s(self) -> float:
        """How often to look: a quarter interval, between 50 ms and 1 s."""
        return min(1.0, max(0.05, self.heartbeat_interval_ms / 4000))

    def due(self, connections: Iterable[Connection], now: float) -> List[Connection]:
        """Accepted connections that heard nothing for longer than the silence limit."""
        limit = self.silence_limit_ms
        return [c for c in connections if c.accepted and not c.closed and not c.close_sent and now - c.last_in > limit]
