"""The bounds a gateway's operator sets through the environment, and the peaks that show they held."""

import unittest

from pulse_probe import IngestClient, Probe

from .fakes import FakeClock

ENV = {"PULSE_HUB": "ws://127.0.0.1:1/ingest", "PULSE_INGEST_TOKEN": "tok", "PULSE_GATEWAY_ID": "gw-1"}


def ping(i: int) -> dict:
    return {"type": "ping", "t": 1.0 + i, "conn": "c1"}


class FromEnvTest(unittest.TestCase):
    def test_buffer_and_batch_bounds_from_the_environment(self) -> None:
        probe = Probe.from_env({**ENV, "PULSE_PROBE_MAX_BUFFERED": "7", "PULSE_PROBE_BATCH_MAX": "3"})
        self.assertEqual(probe.client.buffer.capacity, 7)
        self.assertEqual(probe.client.batch_max, 3)

    def test_defaults_without_them(self) -> None:
        probe = Probe.from_env(ENV)
        self.assertEqual(probe.client.buffer.capacity, 100_000)
        self.assertEqual(probe.client.batch_max, 1000)


class PeaksTest(unittest.TestCase):
    def test_peaks_never_pass_the_bounds_and_say_how_full_it_got(self) -> None:
        client = IngestClient("ws://127.0.0.1:1/ingest", "tok", "gw-1", run=1, batch_max=2, max_buffered=4, max_unacked=3, clock=FakeClock())
        for i in range(10):
            client.push(ping(i))  # no running loop: nothing starts, nothing is sent
            client.make_batch()  # the hub never answers: batches pile up to max_unacked, then the buffer fills
        s = client.stats()
        self.assertEqual(s["unacked_peak"], 3)
        self.assertEqual(s["buffered_peak"], 4)
        self.assertEqual(s["dropped"], 10 - 3 - 4)  # 3 went out in batches of one, 4 are held
        self.assertEqual(s["buffered"], 4)


if __name__ == "__main__":
    unittest.main()
