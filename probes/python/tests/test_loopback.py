"""The sender against a tiny loopback hub (``websockets``): acks, a busy answer, a dropped
connection and the resend of what was unacknowledged, the re-announcement of open connections,
and drop-oldest while the hub is gone."""

import asyncio
import json
import socket
import unittest
from typing import Any, Dict, List

import websockets

from pulse_probe import IngestClient


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Hub:
    """Plays the hub: records every batch; answers by a script keyed on what it has seen."""

    def __init__(self) -> None:
        self.batches: List[Dict[str, Any]] = []
        self.protocols: List[str] = []
        self.busy_once = set()  # seqs answered busy the first time
        self.drop_on = set()  # seqs on which the connection is dropped, unanswered, the first time
        self.server: Any = None

    async def handler(self, ws: Any, path: str = "") -> None:
        self.protocols.append(ws.request_headers.get("Sec-WebSocket-Protocol", ""))
        async for text in ws:
            batch = json.loads(text)
            self.batches.append(batch)
            seq = batch["seq"]
            if seq in self.drop_on:
                self.drop_on.discard(seq)
                await ws.close(1011)
                return
            if seq in self.busy_once:
                self.busy_once.discard(seq)
                await ws.send(json.dumps({"type": "busy", "seq": seq, "retryAfterMs": 150}))
                continue
            await ws.send(json.dumps({"type": "ack", "seq": seq, "accepted": len(batch["events"]), "refused": []}))

    async def start(self, port: int) -> None:
        self.server = await websockets.serve(self.handler, "127.0.0.1", port, subprotocols=["pulse.ingest.v1"])

    async def stop(self) -> None:
        if self.server is None:
            return
        self.server.close()
        await self.server.wait_closed()

    def seqs(self) -> List[int]:
        return [b["seq"] for b in self.batches]


async def until(what: str, check: Any, timeout: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


class LoopbackTest(unittest.IsolatedAsyncioTestCase):
    async def test_acks_busy_and_a_dropped_connection(self) -> None:
        port = free_port()
        hub = Hub()
        hub.busy_once = {2}
        hub.drop_on = {3}
        await hub.start(port)
        client = IngestClient(f"ws://127.0.0.1:{port}/ingest", "the-token", "gw-1", flush_s=0.1, backoff_base_s=0.05, backoff_cap_s=0.2)
        try:
            client.push({"type": "open", "t": 1.0, "conn": "c1", "rid": "r-1", "tid": "t-1", "via": "query"})
            await until("batch 5 acked", lambda: client.stats()["batches_acked"] >= 5 and 5 in hub.seqs())
            self.assertEqual(hub.protocols[0], "pulse.ingest.v1, bearer.the-token")
            first = hub.batches[0]
            self.assertEqual({k: first[k] for k in ("v", "gw", "seq")}, {"v": 1, "gw": "gw-1", "seq": 1})
            self.assertEqual(first["events"][0]["conn"], "c1")
            seqs = hub.seqs()
            # 2 was answered busy and came again (unchanged) before anything newer.
            self.assertEqual(seqs[:3], [1, 2, 2])
            self.assertEqual([b for b in hub.batches if b["seq"] == 2][0], [b for b in hub.batches if b["seq"] == 2][1])
            # 3 was lost with the connection: resent after the reconnect with c1 re-announced at its
            # head — a restarted hub must know c1 before the backlog's events, under the backlog's seq.
            threes = [i for i, s in enumerate(seqs) if s == 3]
            self.assertEqual(len(threes), 2)
            self.assertGreaterEqual(len(hub.protocols), 2)
            resumed = [b for b in hub.batches if any(e.get("resumed") for e in b["events"])]
            self.assertEqual(len(resumed), 1)
            self.assertIs(resumed[0], hub.batches[threes[1]])
            self.assertEqual(resumed[0]["events"][0], {"type": "open", "t": 1.0, "conn": "c1", "rid": "r-1", "tid": "t-1", "via": "query", "resumed": True})
            self.assertEqual(resumed[0]["events"][1:], hub.batches[threes[0]]["events"])
            s = client.stats()
            self.assertEqual((s["busy_answers"], s["dropped"], s["batch_errors"]), (1, 0, 0))
            self.assertGreaterEqual(s["connects"], 2)
        finally:
            await client.close(wait_s=1.0)
            await hub.stop()
        self.assertEqual(client.stats()["unacked"], 0)

    async def test_drops_the_oldest_while_the_hub_is_gone_and_says_so(self) -> None:
        port = free_port()
        client = IngestClient(f"ws://127.0.0.1:{port}/ingest", "tok", "gw-1", flush_s=0.05, batch_max=5, max_buffered=10, max_unacked=2, backoff_base_s=0.05, backoff_cap_s=0.1)
        hub = Hub()
        try:
            for i in range(25):  # 15 dropped at once: the buffer holds 10
                client.push({"type": "auth_fail", "t": 1.0 + i, "reason": "refused"})
            await asyncio.sleep(0.3)  # two batches of 5 are made (unacknowledged); no more until answers
            for i in range(25, 37):  # 12 more into an empty buffer of 10: 2 dropped
                client.push({"type": "auth_fail", "t": 1.0 + i, "reason": "refused"})
            await asyncio.sleep(0.2)
            s = client.stats()
            self.assertEqual((s["unacked"], s["buffered"], s["connected"], s["dropped"]), (2, 10, False, 17))
            await hub.start(port)
            await until("everything acked", lambda: client.stats()["unacked"] == 0 and client.stats()["buffered"] == 0)
            unique = {b["seq"]: b for b in hub.batches}
            events = [e for seq in sorted(unique) for e in unique[seq]["events"]]
            self.assertEqual([e["t"] for e in events], [16.0 + i for i in range(10)] + [28.0 + i for i in range(10)])
            self.assertEqual([unique[seq].get("dropped", 0) for seq in sorted(unique) if unique[seq].get("dropped")], [15, 2])
        finally:
            await client.close(wait_s=0.5)
            await hub.stop()


if __name__ == "__main__":
    unittest.main()
