"""The event mapping: a fake WebSocket endpoint, decorated, and the raw events the probe makes of it."""

import asyncio
import inspect
import json
import math
import sys
import unittest
from typing import Any, Optional

from pulse_probe import Probe

from .fakes import Disconnect, FakeClock, FakeWebSocket, RecordingClient


def identify(ws: Any) -> Optional[tuple]:
    return ("r-001", "r-001-t1") if b"token=good" in ws.scope["query_string"] else None


async def endpoint(websocket: Any, token: Optional[str] = None) -> None:
    """The example app's shape: accept, refuse with 4001, ping → pong, order → order, limits."""
    await websocket.accept()
    if token != "good":
        await websocket.close(code=4001, reason="Invalid token")
        return
    seq = 0
    try:
        while True:
            text = await websocket.receive_text()
            try:
                message = json.loads(text)
            except ValueError:
                await websocket.close(code=1008, reason="Invalid JSON")
                return
            kind = message.get("type")
            if kind == "ping":
                await websocket.send_json({"type": "pong", "seq": message.get("seq", 0)})
            elif kind == "order":
                seq += 1
                await websocket.send_json({"type": "order", "seq": seq})
            elif kind == "flood":
                await websocket.close(code=1008, reason="Rate limit exceeded")
                return
            elif kind == "big":
                await websocket.close(code=1009, reason="Message too big")
                return
            elif kind == "crash":
                raise ValueError("endpoint bug")
    except Disconnect:
        pass


async def settle() -> None:
    for _ in range(10):
        await asyncio.sleep(0)


class MappingTest(unittest.IsolatedAsyncioTestCase):
    def setUp(self) -> None:
        self.clock = FakeClock()
        self.client = RecordingClient()
        self.probe = Probe("ws://unused/ingest", "tok", "gw-1", clock=self.clock, client=self.client)  # type: ignore[arg-type]
        self.watched = self.probe.watch(identify=identify)(endpoint)

    async def run_endpoint(self, ws: FakeWebSocket, token: str) -> "asyncio.Task[None]":
        task = asyncio.get_running_loop().create_task(self.watched(websocket=ws, token=token))
        await settle()
        return task

    def test_keeps_the_signature_fastapi_reads(self) -> None:
        self.assertEqual(list(inspect.signature(self.watched).parameters), ["websocket", "token"])
        self.assertTrue(asyncio.iscoroutinefunction(self.watched))

    async def test_a_whole_connection(self) -> None:
        ws = FakeWebSocket(b"token=good")
        task = await self.run_endpoint(ws, "good")
        self.clock.advance(10)
        ws.terminal_sends({"type": "ping", "seq": 1, "rtt": 42.5})
        await settle()
        ws.terminal_sends({"type": "order", "order": {}})
        await settle()
        self.clock.advance(7)
        ws.terminal_sends({"type": "ack", "seq": 1})
        ws.terminal_sends({"type": "ack", "seq": 99})  # never sent: no latency to report
        await settle()
        ws.terminal_closes(1001)
        await task
        e = self.client.events
        self.assertEqual([x["type"] for x in e], ["open", "ping", "pong", "ack", "traffic", "close"])
        self.assertEqual(e[0], {"type": "open", "t": 1_700_000_000_000.0, "conn": "c1", "rid": "r-001", "tid": "r-001-t1", "via": "query"})
        self.assertEqual(e[1]["rtt"], 42.5)
        self.assertEqual(e[2]["rtt"], 0)
        self.assertEqual((e[3]["seq"], e[3]["latency"]), (1, 7))
        self.assertEqual((e[4]["msgIn"], e[4]["msgOut"]), (4, 2))
        self.assertEqual(e[4]["bytesOut"], sum(len(m["text"]) for m in ws.sent if m["type"] == "websocket.send"))
        self.assertEqual({k: e[5][k] for k in ("code", "by")}, {"code": 1001, "by": "terminal"})
        self.assertEqual(self.probe.stats()["connections"], 0)

    async def test_refused_token_is_an_auth_fail_and_no_open(self) -> None:
        ws = FakeWebSocket(b"token=bad")
        task = await self.run_endpoint(ws, "bad")
        await task
        self.assertEqual(self.client.events, [{"type": "auth_fail", "t": self.clock.t, "reason": "refused"}])

    async def test_refusal_hook_says_why_and_whose(self) -> None:
        watched = self.probe.watch(identify=identify, refusal=lambda ws: {"reason": "expired", "rid": "r-002", "tid": "r-002-t3"})(endpoint)
        await watched(websocket=FakeWebSocket(b"token=old"), token="old")
        self.assertEqual(self.client.events[-1], {"type": "auth_fail", "t": self.clock.t, "reason": "expired", "rid": "r-002", "tid": "r-002-t3"})
        # Nonsense from the hook is left out, never sent; a failing hook is a plain "refused".
        watched = self.probe.watch(identify=identify, refusal=lambda ws: {"reason": "because", "rid": "no spaces allowed"})(endpoint)
        await watched(websocket=FakeWebSocket(b"token=old"), token="old")
        self.assertEqual(self.client.events[-1], {"type": "auth_fail", "t": self.clock.t, "reason": "refused"})
        watched = self.probe.watch(identify=identify, refusal=lambda ws: 1 / 0)(endpoint)
        await watched(websocket=FakeWebSocket(b"token=old"), token="old")
        self.assertEqual(self.client.events[-1]["reason"], "refused")

    async def test_rtt_out_of_range_is_sent_as_implausible(self) -> None:
        ws = FakeWebSocket(b"token=good")
        task = await self.run_endpoint(ws, "good")
        for rtt in (60_001, -1, 1e9, "12", None, True):
            ws.terminal_sends({"type": "ping", "rtt": rtt})
        ws.terminal_sends('{"type": "ping", "rtt": NaN}')
        ws.terminal_sends('{"type": "ping", "rtt": 1e400}')
        ws.terminal_sends({"type": "ping", "rtt": 60_000})
        await settle()
        ws.terminal_closes(1006)
        await task
        pings = [x for x in self.client.events if x["type"] == "ping"]
        self.assertEqual([x.get("rtt") for x in pings], [None] * 8 + [60_000])
        # Numbers the ingest's rtt cannot carry go for the hub to count; anything else is no report.
        self.assertEqual([x.get("implausibleRtt") for x in pings], [60_001, -1, 1e9, None, None, None, None, sys.float_info.max, None])
        self.assertTrue(all(math.isfinite(x.get("implausibleRtt", 0)) for x in pings))
        self.assertEqual(self.client.events[-1]["code"], 1006)

    async def test_limits_then_close_by_the_gateway(self) -> None:
        for kind, code, limit in (("flood", 1008, "rate"), ("big", 1009, "size")):
            self.client.events.clear()
            ws = FakeWebSocket(b"token=good")
            task = await self.run_endpoint(ws, "good")
            ws.terminal_sends({"type": kind})
            await task
            kinds = [(x["type"], x.get("kind"), x.get("code"), x.get("by")) for x in self.client.events if x["type"] in ("limit", "close")]
            self.assertEqual(kinds, [("limit", limit, None, None), ("close", None, code, "gateway")])
        ws = FakeWebSocket(b"token=good")
        self.client.events.clear()
        task = await self.run_endpoint(ws, "good")
        ws.terminal_sends("not json")
        await task
        self.assertEqual([(x["type"], x.get("kind")) for x in self.client.events[-3:]], [("limit", "invalid"), ("traffic", None), ("close", None)])
        self.assertEqual(self.client.events[-1]["reason"], "Invalid JSON")

    async def test_endpoint_errors_pass_through_and_close_1011(self) -> None:
        ws = FakeWebSocket(b"token=good")
        task = await self.run_endpoint(ws, "good")
        ws.terminal_sends({"type": "crash"})
        with self.assertRaises(ValueError):
            await task
        self.assertEqual((self.client.events[-1]["type"], self.client.events[-1]["code"]), ("close", 1011))

    async def test_a_send_to_a_terminal_that_closed_is_its_close(self) -> None:
        from websockets.exceptions import ConnectionClosedOK
        from websockets.frames import Close

        ws = FakeWebSocket(b"token=good")
        fake_send = ws.send

        async def closed_send(message: Any) -> None:  # uvicorn (websockets): the terminal's 1000 came first
            if message["type"] == "websocket.send":
                raise ConnectionClosedOK(Close(1000, ""), None)
            await fake_send(message)

        ws.send = closed_send  # type: ignore[method-assign]
        task = await self.run_endpoint(ws, "good")
        ws.terminal_sends({"type": "ping"})
        with self.assertRaises(ConnectionClosedOK):
            await task  # the endpoint's own exception, untouched
        closes = [(e["code"], e["by"]) for e in self.client.events if e["type"] == "close"]
        self.assertEqual(closes, [(1000, "terminal")])

    async def test_a_failing_identify_never_reaches_the_endpoint(self) -> None:
        def broken(ws: Any) -> Any:
            raise KeyError("boom")

        watched = self.probe.watch(identify=broken)(endpoint)
        ws = FakeWebSocket(b"token=good")
        task = asyncio.get_running_loop().create_task(watched(websocket=ws, token="good"))
        await settle()
        ws.terminal_sends({"type": "ping"})
        await settle()
        ws.terminal_closes(1000)
        await task  # no exception
        self.assertEqual(self.client.events, [])
        self.assertGreater(self.probe.stats()["observation_errors"], 0)
        self.assertEqual(ws.sent[1]["text"], json.dumps({"type": "pong", "seq": 0}))

    async def test_traffic_is_flushed_per_connection_and_reset(self) -> None:
        ws = FakeWebSocket(b"token=good")
        task = await self.run_endpoint(ws, "good")
        ws.terminal_sends({"type": "ping"})
        await settle()
        self.client._before_batch()  # what the sender calls once a second
        self.client._before_batch()  # nothing new: no event
        ws.terminal_closes(1000)
        await task
        traffic = [x for x in self.client.events if x["type"] == "traffic"]
        self.assertEqual(len(traffic), 1)
        self.assertEqual((traffic[0]["msgIn"], traffic[0]["msgOut"]), (1, 1))

    async def test_via_subprotocol(self) -> None:
        watched = self.probe.watch(identify=lambda ws: ("r-1", "t-1"))(endpoint)
        ws = FakeWebSocket(b"", subprotocols=["bearer.xyz"])
        task = asyncio.get_running_loop().create_task(watched(websocket=ws, token="good"))
        await settle()
        ws.terminal_closes(1000)
        await task
        self.assertEqual(self.client.events[0]["via"], "subprotocol")


class StarletteTest(unittest.IsolatedAsyncioTestCase):
    """The same wrapping on Starlette's own WebSocket (skipped where Starlette is not installed)."""

    async def test_real_starlette_websocket(self) -> None:
        try:
            from starlette.websockets import WebSocket, WebSocketDisconnect
        except ImportError:
            self.skipTest("starlette is not installed")
        client = RecordingClient()
        probe = Probe("ws://unused/ingest", "tok", "gw-1", client=client)  # type: ignore[arg-type]
        inbox: "asyncio.Queue[dict]" = asyncio.Queue()
        outbox: list = []

        async def asgi_receive() -> dict:
            return await inbox.get()

        async def asgi_send(message: dict) -> None:
            outbox.append(message)

        @probe.watch(identify=lambda ws: ("r-1", ws.query_params["tid"]))
        async def pos(websocket: WebSocket) -> None:
            await websocket.accept()
            try:
                while True:
                    message = await websocket.receive_json()
                    if message["type"] == "ping":
                        await websocket.send_json({"type": "pong"})
            except WebSocketDisconnect:
                pass

        ws = WebSocket({"type": "websocket", "query_string": b"token=x&tid=t-9", "headers": [], "path": "/ws"}, asgi_receive, asgi_send)
        for m in ({"type": "websocket.connect"}, {"type": "websocket.receive", "text": '{"type": "ping", "rtt": 3}'}, {"type": "websocket.disconnect", "code": 1000}):
            inbox.put_nowait(m)
        await pos(websocket=ws)
        self.assertEqual(client.types(), ["open", "ping", "pong", "traffic", "close"])
        self.assertEqual(client.events[0]["tid"], "t-9")
        self.assertEqual([m["type"] for m in outbox], ["websocket.accept", "websocket.send"])


if __name__ == "__main__":
    unittest.main()
