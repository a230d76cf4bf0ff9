"""The probe's bounded event buffer: when the hub is slow or gone the oldest events go, counted."""

from collections import deque
from typing import Deque, List

from .events import RawEvent


class EventBuffer:
    """FIFO of raw events holding at most ``capacity``; a push into a full buffer drops the oldest.

    ``dropped_total`` counts every drop; ``take_dropped()`` hands over (and resets) the drops since
    the previous batch, which the batch reports as ``dropped``. ``peak``: the most it ever held
    (proof, in a test or in production, that the bound held).
    """

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        self._events: Deque[RawEvent] = deque()
        self.dropped_total = 0
        self._dropped_since_batch = 0
        self.peak = 0

    def __len__(self) -> int:
        return len(self._events)

    def push(self, event: RawEvent) -> None:
        if len(self._events) >= self.capacity:
            self._events.popleft()
            self.dropped_total += 1
            self._dropped_since_batch += 1
        self._events.append(event)
        if len(self._events) > self.peak:
            self.peak = len(self._events)

    def take(self, n: int) -> List[RawEvent]:
        """Up to ``n`` of the oldest events, removed from the buffer."""
        out: List[RawEvent] = []
        while self._events and len(out) < n:
            out.append(self._events.popleft())
        return out

    def take_dropped(self) -> int:
        """Drops since the previous call (for the next batch's ``dropped``)."""
        n = self._dropped_since_batch
        self._dropped_since_batch = 0
        return n
