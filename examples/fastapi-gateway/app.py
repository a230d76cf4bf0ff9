"""A POS gateway written the way a real fleet writes one: Fynlo's shape, not Pulse's.

Pulse has to watch gateways it did not write, so its tests need one that is not Pulse's reference
gateway (src/server/gateway/). This one is what a POS company's FastAPI endpoint looks like:

- an ``APIRouter`` with ``@router.websocket("/ws")``, included in the app;
- the token in ``?token=`` (no ``bearer.<jwt>`` subprotocol: ``accept()`` answers none);
- ``await websocket.accept()`` first, then a missing, malformed, expired or wrongly signed token is
  closed with 4001 "Invalid token" before anything is processed;
- no welcome message: the first frame a terminal gets is the pong to its first ping;
- ``ping`` -> ``pong`` echoing the ping's ``seq``; ``order`` -> broadcast to every socket of the
  same restaurant with a per-restaurant ``seq``; ``ack`` ignored;
- no message for 2 x interval + grace -> close 4008 "Heartbeat timeout"; invalid JSON -> 1008.

Run: ``GATEWAY_SECRET=... python3 -m uvicorn app:app --host 127.0.0.1 --port 8000``

Pulse probe switch (probes/python/pulse_probe): ``PULSE_PROBE=1`` with ``PULSE_HUB`` (ws://…/ingest),
``PULSE_INGEST_TOKEN`` and ``PULSE_GATEWAY_ID``; or ``python3 app.py --probe --port 8000``. Off,
nothing of the probe is imported and the app behaves exactly as without it.
"""

import asyncio
import json
import os
import sys
import time
from collections import defaultdict
from typing import Any, Dict, Optional, Set, Tuple

import jwt
from fastapi import APIRouter, FastAPI, WebSocket, WebSocketDisconnect

SECRET = os.environ.get("GATEWAY_SECRET", "")
if not SECRET:
    # Refusing to start beats verifying tokens against an empty key.
    sys.exit("fastapi-gateway: GATEWAY_SECRET is required (the HS256 secret the terminals' tokens are signed with)")

HEARTBEAT_INTERVAL_MS = int(os.environ.get("HEARTBEAT_INTERVAL_MS", "15000"))
HEARTBEAT_GRACE_MS = int(os.environ.get("HEARTBEAT_GRACE_MS", "5000"))
# Any message proves the terminal alive; two missed heartbeats plus grace means a dead (half-open) link.
SILENCE_LIMIT_S = (2 * HEARTBEAT_INTERVAL_MS + HEARTBEAT_GRACE_MS) / 1000

# Restaurant id -> its open sockets, and its order sequence (kept when the room empties, so a
# reconnecting terminal never sees the sequence go back).
rooms: Dict[str, Set[WebSocket]] = defaultdict(set)
order_seq: Dict[str, int] = defaultdict(int)

router = APIRouter()

# The probe switch (README.md, "Pulse probe"). uvicorn owns argv, so the switch is PULSE_PROBE=1;
# `python3 app.py --probe` (which runs uvicorn itself, below) sets it too.
PROBE_ON = os.environ.get("PULSE_PROBE") == "1" or (__name__ == "__main__" and "--probe" in sys.argv[1:])


def now_ms() -> int:
    return int(time.time() * 1000)


def verify(token: Optional[str]) -> Optional[Dict[str, Any]]:
    """The token's claims, or None for a missing, malformed, expired or wrongly signed one."""
    if not token:
        return None
    try:
        # The algorithm is pinned: a token cannot choose how it is checked ("none", RS/HS confusion).
        claims = jwt.decode(token, SECRET, algorithms=["HS256"], options={"require": ["exp"]})
    except jwt.PyJWTError:
        return None
    if not isinstance(claims.get("sub"), str) or not isinstance(claims.get("rid"), str):
        return None
    return claims


async def broadcast(rid: str, order: Any) -> None:
    order_seq[rid] += 1
    message = {"type": "order", "seq": order_seq[rid], "timestamp": now_ms(), "restaurantId": rid, "order": order}
    # Concurrently, so one slow terminal does not hold up its restaurant; a socket that is going
    # away is its own handler's business.
    await asyncio.gather(*(ws.send_json(message) for ws in list(rooms[rid])), return_exceptions=True)


def identify(websocket: WebSocket) -> Optional[Tuple[str, str]]:
    """(restaurant id, terminal id) of an accepted connection with a valid token, for the probe."""
    claims = verify(websocket.query_params.get("token"))
    return (claims["rid"], claims["sub"]) if claims else None


def refusal(websocket: WebSocket) -> Dict[str, Any]:
    """Why a token was refused, and whose it claims to be (unverified), for the probe's auth_fail."""
    token = websocket.query_params.get("token")
    if not token:
        return {"reason": "missing"}
    try:
        unverified = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return {"reason": "malformed"}
    labels = {"rid": unverified.get("rid"), "tid": unverified.get("sub")} if isinstance(unverified, dict) else {}
    try:
        jwt.decode(token, SECRET, algorithms=["HS256"], options={"require": ["exp"]})
        reason = "bad_claims"
    except jwt.ExpiredSignatureError:
        reason = "expired"
    except jwt.InvalidSignatureError:
        reason = "bad_signature"
    except jwt.InvalidAlgorithmError:
        reason = "bad_algorithm"
    except jwt.PyJWTError:
        reason = "bad_claims"
    return {"reason": reason, **labels}


probe: Any = None
if PROBE_ON:
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "probes", "python"))
    from pulse_probe import Probe

    probe = Probe.from_env()
    # With PULSE_PROBE_WATCHDOG=1 the probe closes silent sockets 4008 too; this app keeps its own
    # timeout as well — whichever fires first closes, the probe swallows the second close.
    watch = probe.watch(identify=identify, refusal=refusal)
else:
    def watch(endpoint: Any) -> Any:
        return endpoint


@router.websocket("/ws")
@watch
async def pos_socket(websocket: WebSocket, token: Optional[str] = None) -> None:
    # Accept first, then refuse: a rejected upgrade (HTTP 403) reaches a browser as a bare 1006,
    # while a 4001 close tells the terminal not to retry with the same token.
    await websocket.accept()
    claims = verify(token)
    if claims is None:
        await websocket.close(code=4001, reason="Invalid token")
        return
    rid = claims["rid"]
    rooms[rid].add(websocket)
    try:
        while True:
            try:
                text = await asyncio.wait_for(websocket.receive_text(), timeout=SILENCE_LIMIT_S)
            except asyncio.TimeoutError:
                await websocket.close(code=4008, reason="Heartbeat timeout")
                return
            try:
                message = json.loads(text)
            except ValueError:
                await websocket.close(code=1008, reason="Invalid JSON")
                return
            if not isinstance(message, dict):
                await websocket.close(code=1008, reason="Invalid message")
                return
            kind = message.get("type")
            if kind == "ping":
                await websocket.send_json({"type": "pong", "seq": message.get("seq", 0), "timestamp": now_ms()})
            elif kind == "order":
                await broadcast(rid, message.get("order"))
            # "ack" (and anything else) is ignored, as a real gateway that measures nothing would.
    except WebSocketDisconnect:
        pass
    finally:
        rooms[rid].discard(websocket)


app = FastAPI(title="fastapi-gateway (Fynlo-style POS gateway)")
app.include_router(router)

if probe is not None:

    @app.on_event("shutdown")
    async def _flush_probe() -> None:
        # What the last connections did reaches the hub before the process exits; then the probe's
        # own counters (drops, peaks), one JSON line on stderr, for whoever runs the gateway.
        await probe.close()
        print("pulse probe: final stats " + json.dumps(probe.stats(), separators=(",", ":")), file=sys.stderr, flush=True)


if __name__ == "__main__":
    import argparse

    import uvicorn

    parser = argparse.ArgumentParser(description="fastapi-gateway (Fynlo-style POS gateway)")
    parser.add_argument("--probe", action="store_true", help="report connections to Pulse (needs PULSE_HUB, PULSE_INGEST_TOKEN, PULSE_GATEWAY_ID)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--log-level", default="warning")
    cli = parser.parse_args()
    uvicorn.run(app, host=cli.host, port=cli.port, log_level=cli.log_level)
