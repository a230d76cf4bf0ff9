"""Raw connection events of the open ingest (docs/telemetry.md, src/protocol/ingest.ts), as dicts.

Each builder returns the JSON-ready dict the hub validates, or ``None`` when a field would not pass
the hub's schema (an out-of-range rtt is sent as ``implausibleRtt`` rather than refused there).
"""

import math
import re
import sys
import time
from typing import Any, Dict, Optional

RawEvent = Dict[str, Any]

INGEST_VERSION = 1
INGEST_SUBPROTOCOL = "pulse.ingest.v1"
MAX_EVENTS_PER_BATCH = 5000
MAX_BATCH_BYTES = 1 << 20  # src/protocol/ingest.ts ingestLimits.maxBatchBytes
MAX_RTT_MS = 60_000
MAX_LATENCY_MS = 3_600_000
AUTH_FAIL_REASONS = ("missing", "malformed", "expired", "bad_signature", "bad_algorithm", "bad_claims", "refused")
LIMIT_KINDS = ("rate", "size", "invalid")
VIAS = ("subprotocol", "query", "header", "other")

_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


def now_ms() -> float:
    """The probe's clock: ms since epoch."""
    return time.time() * 1000.0


def valid_id(value: Any) -> bool:
    """A restaurant, terminal or gateway id as the hub takes it: 1-64 of ``A-Z a-z 0-9 . _ : -``."""
    return isinstance(value, str) and _ID.match(value) is not None


def ms_within(value: Any, limit: float) -> Optional[float]:
    """``value`` as a duration in ms when it is a finite number in 0..limit, else None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if not math.isfinite(value) or value < 0 or value > limit:
        return None
    return value


def close_code(value: Any, default: int) -> int:
    """A close code the hub accepts (1000..4999); anything else becomes ``default``."""
    if isinstance(value, int) and not isinstance(value, bool) and 1000 <= value <= 4999:
        return value
    return default


def open_event(t: float, conn: str, rid: str, tid: str, via: str, resumed: bool = False) -> RawEvent:
    event: RawEvent = {"type": "open", "t": t, "conn": conn, "rid": rid, "tid": tid, "via": via if via in VIAS else "other"}
    if resumed:
        event["resumed"] = True
    return event


def close_event(t: float, conn: str, code: int, by: str, reason: str = "") -> RawEvent:
    event: RawEvent = {"type": "close", "t": t, "conn": conn, "code": close_code(code, 1005), "by": by}
    if reason:
        event["reason"] = reason[:123]
    return event


def ping_event(t: float, conn: str, rtt: Any = None) -> RawEvent:
    """A terminal's ping. Its ``rtt`` is judged by the hub, by the gateway's rule (0 to the heartbeat
    interval, src/core/rtt-plausible.ts); what the ingest's ``rtt`` cannot carry (negative, beyond
    60 s, infinite) goes as ``implausibleRtt`` so the hub counts it against the terminal. Not a
    number at all: the ping counts with neither."""
    event: RawEvent = {"type": "ping", "t": t, "conn": conn}
    checked = ms_within(rtt, MAX_RTT_MS)
    if checked is not None:
        event["rtt"] = checked
    elif isinstance(rtt, (int, float)) and not isinstance(rtt, bool) and not math.isnan(rtt):
        # JSON has no infinity: as src/core/rtt-plausible.ts implausibleAsFinite, the largest double.
        event["implausibleRtt"] = float(rtt) if math.isfinite(rtt) else math.copysign(sys.float_info.max, rtt)
    return event


def pong_event(t: float, conn: str, rtt: Optional[float] = None) -> RawEvent:
    event: RawEvent = {"type": "pong", "t": t, "conn": conn}
    checked = ms_within(rtt, MAX_RTT_MS)
    if checked is not None:
        event["rtt"] = checked
    return event


def ack_event(t: float, conn: str, seq: int, latency: float) -> Optional[RawEvent]:
    checked = ms_within(latency, MAX_LATENCY_MS)
    if checked is None or not isinstance(seq, int) or seq < 0:
        return None
    return {"type": "ack", "t": t, "conn": conn, "seq": seq, "latency": checked}


def limit_event(t: float, conn: str, kind: str, detail: str = "") -> RawEvent:
    event: RawEvent = {"type": "limit", "t": t, "conn": conn, "kind": kind if kind in LIMIT_KINDS else "invalid"}
    if detail:
        event["detail"] = detail[:200]
    return event


def auth_fail_event(t: float, reason: str = "refused", rid: Any = None, tid: Any = None) -> RawEvent:
    """A refused token; ``rid``/``tid`` are the token's unverified claims (kept only when valid ids)."""
    event: RawEvent = {"type": "auth_fail", "t": t, "reason": reason if reason in AUTH_FAIL_REASONS else "refused"}
    if valid_id(rid):
        event["rid"] = rid
    if valid_id(tid):
        event["tid"] = tid
    return event


def traffic_event(t: float, conn: str, msg_in: int, bytes_in: int, msg_out: int, bytes_out: int) -> Optional[RawEvent]:
    """Counts since the connection's previous traffic event; None when there is nothing to say."""
    if not (msg_in or bytes_in or msg_out or bytes_out):
        return None
    event: RawEvent = {"type": "traffic", "t": t, "conn": conn}
    if msg_in or bytes_in:
        event["msgIn"] = msg_in
        event["bytesIn"] = bytes_in
    if msg_out or bytes_out:
        event["msgOut"] = msg_out
        event["bytesOut"] = bytes_out
    return event
