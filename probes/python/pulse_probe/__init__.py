"""pulse_probe: report a FastAPI/Starlette WebSocket gateway's terminal connections to a Pulse hub.

    from pulse_probe import Probe
    probe = Probe(hub="ws://pulse:7400/ingest", token=GATEWAY_TOKEN, gateway="gw-eu-1")

    @router.websocket("/ws")
    @probe.watch(identify=identify)       # identify(websocket) -> (rid, tid) or None
    async def pos_socket(websocket: WebSocket, token: Optional[str] = None): ...

The contract it speaks: docs/telemetry.md (the open ingest, v1). Stdlib + ``websockets`` only.
"""

from .buffer import EventBuffer
from .client import IngestClient, backoff_delay
from .probe import Probe
from .watchdog import Watchdog

__all__ = ["Probe", "IngestClient", "EventBuffer", "Watchdog", "backoff_delay"]
__version__ = "0.1.0"
