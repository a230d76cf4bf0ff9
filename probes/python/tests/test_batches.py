"""The bounded buffer's drop-oldest counting, and the batches' shape, sequence and answers."""

import json
import unittest

from pulse_probe import EventBuffer, IngestClient, backoff_delay

from .fakes import FakeClock


def ping(i: int) -> dict:
    return {"type": "ping", "t": 1.0 + i, "conn": "c1", "rtt": float(i)}


class BufferTest(unittest.TestCase):
    def test_drops_the_oldest_and_counts(self) -> None:
        b = EventBuffer(3)
        for i in range(5):
            b.push(ping(i))
        self.assertEqual(len(b), 3)
        self.assertEqual([e["rtt"] for e in b.take(10)], [2.0, 3.0, 4.0])
        self.assertEqual(b.dropped_total, 2)
        self.assertEqual(b.take_dropped(), 2)
        self.assertEqual(b.take_dropped(), 0)
        b.push(ping(9))
        self.assertEqual(b.take_dropped(), 0)

    def test_capacity_must_be_positive(self) -> None:
        with self.assertRaises(ValueError):
            EventBuffer(0)


class BatchTest(unittest.TestCase):
    def setUp(self) -> None:
        self.clock = FakeClock()
        self.client = IngestClient("ws://127.0.0.1:1/ingest", "tok", "gw-1", run=1234, batch_max=2, max_buffered=5, max_unacked=3, clock=self.clock)

    def test_shape_and_seq(self) -> None:
        for i in range(3):
            self.client.push(ping(i))  # no running loop: nothing starts, nothing raises
        first = json.loads(self.client.make_batch() or "")
        self.assertEqual(first, {"v": 1, "gw": "gw-1", "run": 1234, "seq": 1, "t": self.clock.t, "events": [ping(0), ping(1)]})
        second = json.loads(self.client.make_batch() or "")
        self.assertEqual((second["seq"], len(second["events"])), (2, 1))
        empty = json.loads(self.client.make_batch() or "")
        self.assertEqual((empty["seq"], empty["events"]), (3, []))
        self.assertEqual(list(self.client.unacked), [1, 2, 3])
        # max_unacked reached: no new batch until answers come.
        self.assertIsNone(self.client.make_batch())
        self.client.on_answer(json.dumps({"type": "ack", "seq": 2, "accepted": 1, "refused": []}))
        self.assertEqual(list(self.client.unacked), [1, 3])
        self.assertEqual(json.loads(self.client.make_batch() or "")["seq"], 4)

    def test_dropped_goes_with_the_next_batch(self) -> None:
        for i in range(8):
            self.client.push(ping(i))
        batch = json.loads(self.client.make_batch() or "")
        self.assertEqual(batch["dropped"], 3)
        self.assertEqual([e["rtt"] for e in batch["events"]], [3.0, 4.0])
        self.assertNotIn("dropped", json.loads(self.client.make_batch() or ""))
        self.assertEqual(self.client.stats()["dropped"], 3)

    def test_flush_makes_at_least_one_and_more_while_full_ones_wait(self) -> None:
        self.assertEqual(len(self.client.flush_now()), 1)
        for i in range(5):
            self.client.push(ping(i))
        # Two full batches, then max_unacked (3) is reached: the fifth event waits in the buffer.
        self.assertEqual([len(json.loads(t)["events"]) for t in self.client.flush_now()], [2, 2])
        self.assertEqual((len(self.client.unacked), len(self.client.buffer)), (3, 1))
        self.assertEqual(self.client.flush_now(), [])

    def test_busy_pauses_new_batches_and_keeps_the_batch(self) -> None:
        self.client.make_batch()
        self.client.on_answer(json.dumps({"type": "busy", "seq": 1, "retryAfterMs": 500}))
        self.assertIsNone(self.client.make_batch())
        self.assertIn(1, self.client.unacked)
        self.clock.advance(501)
        self.assertIsNotNone(self.client.make_batch())
        self.assertEqual(self.client.stats()["busy_answers"], 1)

    def test_answers_refused_errors_and_garbage(self) -> None:
        self.client.make_batch()
        self.client.make_batch()
        self.client.on_answer(json.dumps({"type": "ack", "seq": 1, "accepted": 0, "refused": [{"i": 0, "code": "UNKNOWN_CONNECTION", "message": "x"}]}))
        self.client.on_answer(json.dumps({"type": "error", "seq": 2, "code": "INVALID_MESSAGE", "message": "x"}))
        self.client.on_answer("not json")
        self.client.on_answer(json.dumps([1]))
        self.client.on_answer(json.dumps({"type": "ack", "seq": 77}))
        s = self.client.stats()
        self.assertEqual((s["events_refused"], s["batch_errors"], s["batches_acked"], s["unacked"]), (1, 1, 2, 0))

    def ack(self, seq: int) -> None:
        self.client.on_answer(json.dumps({"type": "ack", "seq": seq, "accepted": 0, "refused": []}))

    def test_resumed_opens_are_the_connections_the_hub_took_the_open_of_and_no_close(self) -> None:
        opened = {"type": "open", "t": 5.0, "conn": "c1", "rid": "r-1", "tid": "t-1", "via": "query"}
        self.client.push(opened)
        self.client.push({"type": "open", "t": 6.0, "conn": "c2", "rid": "r-1", "tid": "t-2", "via": "query"})
        self.client.make_batch()
        self.assertEqual(self.client.resumed_opens(), [])  # not acknowledged: the open itself is resent
        self.ack(1)
        self.client.push({"type": "close", "t": 7.0, "conn": "c2", "code": 1000, "by": "terminal"})
        self.client.make_batch()
        self.client.push({"type": "open", "t": 8.0, "conn": "c3", "rid": "r-1", "tid": "t-3", "via": "query"})  # still buffered
        # c2's close is unacknowledged: a restarted hub must know c2 to take it.
        self.assertEqual(self.client.resumed_opens(), [dict(opened, resumed=True), dict(opened, conn="c2", t=6.0, tid="t-2", resumed=True)])
        self.ack(2)
        self.assertEqual(self.client.resumed_opens(), [dict(opened, resumed=True)])

    def test_the_reannouncement_rides_at_the_head_of_the_first_unacknowledged_batch(self) -> None:
        opened = {"type": "open", "t": 5.0, "conn": "c1", "rid": "r-1", "tid": "t-1", "via": "query"}
        self.client.push(opened)
        self.client.make_batch()
        self.ack(1)
        self.client.push({"type": "ping", "t": 6.0, "conn": "c1"})
        self.client.make_batch()  # seq 2: the backlog
        self.assertEqual(self.client.reannounce(), [])
        self.assertEqual(list(self.client.unacked), [2])
        events = json.loads(self.client.unacked[2])["events"]
        self.assertEqual(events, [dict(opened, resumed=True), {"type": "ping", "t": 6.0, "conn": "c1"}])
        self.client.reannounce()  # a second reconnect does not stack a second copy
        self.assertEqual(len(json.loads(self.client.unacked[2])["events"]), 2)
        self.ack(2)
        texts = self.client.reannounce()  # nothing unacknowledged: a batch of its own
        self.assertEqual([json.loads(t)["events"] for t in texts], [[dict(opened, resumed=True)]])

    def test_backoff_is_exponential_with_full_jitter_and_capped(self) -> None:
        self.assertEqual(backoff_delay(1, 0.5, 30, lambda: 1.0), 1.0)
        self.assertEqual(backoff_delay(3, 0.5, 30, lambda: 1.0), 4.0)
        self.assertEqual(backoff_delay(50, 0.5, 30, lambda: 0.999), 0.999 * 30)
        self.assertEqual(backoff_delay(4, 0.5, 30, lambda: 0.0), 0.0)


if __name__ == "__main__":
    unittest.main()
