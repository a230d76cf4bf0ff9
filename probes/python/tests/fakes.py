"""Test doubles: a clock, and a WebSocket that behaves like Starlette's as far as the probe can tell."""

import asyncio
import json
from typing import Any, Dict, List, Optional


class FakeClock:
    def __init__(self, t: float = 1_700_000_000_000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t

    def advance(self, ms: float) -> None:
        self.t += ms


class Disconnect(Exception):
    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


class FakeWebSocket:
    """Starlette's WebSocket in miniature: every public method goes through ``receive``/``send``."""

    def __init__(self, query: bytes = b"token=abc", subprotocols: Optional[List[str]] = None) -> None:
        self.scope: Dict[str, Any] = {"type": "websocket", "query_string": query, "subprotocols": subprotocols or [], "headers": []}
        self.incoming: "asyncio.Queue[Dict[str, Any]]" = asyncio.Queue()
        self.incoming.put_nowait({"type": "websocket.connect"})
        self.sent: List[Dict[str, Any]] = []
        self.close_frames = 0

    # the ASGI level (what the probe wraps)
    async def receive(self) -> Dict[str, Any]:
        return await self.incoming.get()

    async def send(self, message: Dict[str, Any]) -> None:
        if self.close_frames:
            raise RuntimeError('Cannot call "send" once a close message has been sent.')
        if message["type"] == "websocket.close":
            self.close_frames += 1
        self.sent.append(message)

    # what endpoints call
    async def accept(self) -> None:
        await self.receive()
        await self.send({"type": "websocket.accept"})

    async def receive_text(self) -> str:
        message = await self.receive()
        if message["type"] == "websocket.disconnect":
            raise Disconnect(message.get("code", 1000))
        return message["text"]

    async def send_text(self, text: str) -> None:
        await self.send({"type": "websocket.send", "text": text})

    async def send_json(self, data: Any) -> None:
        await self.send_text(json.dumps(data))

    async def close(self, code: int = 1000, reason: str = "") -> None:
        await self.send({"type": "websocket.close", "code": code, "reason": reason})

    # the terminal's side
    def terminal_sends(self, data: Any) -> None:
        self.incoming.put_nowait({"type": "websocket.receive", "text": data if isinstance(data, str) else json.dumps(data)})

    def terminal_closes(self, code: int) -> None:
        self.incoming.put_nowait({"type": "websocket.disconnect", "code": code})


class RecordingClient:
    """Stands in for IngestClient: keeps what the probe pushes."""

    def __init__(self) -> None:
        self.events: List[Dict[str, Any]] = []
        self._before_batch: Any = None

    def push(self, event: Dict[str, Any]) -> None:
        self.events.append(event)

    def stats(self) -> Dict[str, Any]:
        return {"buffered": len(self.events), "dropped": 0}

    async def close(self, wait_s: float = 2.0) -> None:
        pass

    def types(self) -> List[str]:
        return [e["type"] for e in self.events]
