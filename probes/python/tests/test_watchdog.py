"""The watchdog on a fake clock: 2 intervals + grace of silence → one 4008 close, never two."""

import asyncio
import unittest
from typing import Any, Optional

from pulse_probe import Probe

from .fakes import Disconnect, FakeClock, FakeWebSocket, RecordingClient


async def settle() -> None:
    for _ in range(10):
        await asyncio.sleep(0)


async def endpoint(websocket: Any, token: Optional[str] = None) -> None:
    await websocket.accept()
    try:
        while True:
            text = await websocket.receive_text()
            if text == "own-timeout":  # the app's own heartbeat timeout, firing after the probe's
                await websocket.close(code=4008, reason="Heartbeat timeout")
                return
            await websocket.send_json({"type": "pong"})
    except Disconnect:
        pass


class WatchdogTest(unittest.IsolatedAsyncioTestCase):
    def setUp(self) -> None:
        self.clock = FakeClock()
        self.client = RecordingClient()
        self.probe = Probe("ws://unused/ingest", "tok", "gw-1", clock=self.clock, client=self.client, watchdog=True, heartbeat_interval_ms=300, grace_ms=150)  # type: ignore[arg-type]
        self.watched = self.probe.watch(identify=lambda ws: ("r-1", "t-1"))(endpoint)

    async def asyncTearDown(self) -> None:
        await self.probe.close()

    async def test_closes_a_silent_connection_once(self) -> None:
        ws = FakeWebSocket()
        task = asyncio.get_running_loop().create_task(self.watched(websocket=ws))
        await settle()
        self.clock.advance(700)
        ws.terminal_sends("ping")  # alive: the silence starts again
        await settle()
        self.clock.advance(750)
        self.assertEqual(self.probe.check_watchdog(), 0)
        self.clock.advance(1)
        self.assertEqual(self.probe.check_watchdog(), 1)
        await settle()
        self.assertEqual(self.probe.check_watchdog(), 0)  # already closing
        ws.terminal_sends("ping")  # the endpoint's pong after the watchdog's close: dropped, not raised
        ws.terminal_sends("own-timeout")  # its own close: swallowed, not a second close frame
        await settle()
        await task
        self.assertEqual(ws.close_frames, 1)
        self.assertEqual([m.get("code") for m in ws.sent if m["type"] == "websocket.close"], [4008])
        close = [e for e in self.client.events if e["type"] == "close"]
        self.assertEqual([(e["code"], e["by"], e["reason"]) for e in close], [(4008, "gateway", "Heartbeat timeout")])
        self.assertEqual(self.probe.stats()["watchdog_closes"], 1)

    async def test_the_endpoint_closing_first_wins(self) -> None:
        ws = FakeWebSocket()
        task = asyncio.get_running_loop().create_task(self.watched(websocket=ws))
        await settle()
        self.clock.advance(1000)
        ws.terminal_sends("own-timeout")
        await settle()
        self.assertEqual(self.probe.check_watchdog(), 0)
        await task
        self.assertEqual(ws.close_frames, 1)

    def test_off_by_default(self) -> None:
        probe = Probe("ws://unused/ingest", "tok", "gw-1", client=RecordingClient())  # type: ignore[arg-type]
        self.assertIsNone(probe.watchdog)
        self.assertEqual(probe.check_watchdog(), 0)


if __name__ == "__main__":
    unittest.main()
