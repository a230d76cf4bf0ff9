/**
 * The gateway battery: what each check is called, what it expects, the fix to suggest — and the
 * judges, pure functions from what was observed (socket records, times) to a verdict. Nothing here
 * opens a socket or reads a clock: gateway-audit.ts drives the sockets and hands the records in.
 */
import { CloseCode } from '../../protocol/close-codes.ts';
import { verdict, type Judged } from './audit-report.ts';
import type { Forgery } from './forged-tokens.ts';
import { pongsOf, type SocketRecord, type Way } from './audit-socket.ts';

export const gatewayChecks = {
  'token.accepted': { title: 'a valid token is accepted', fix: 'Accept `Sec-WebSocket-Protocol: bearer.<jwt>` (answering `pulse.v1`) or `?token=<jwt>`, HS256.' },
  'token.missing': { title: 'no token: refused with 4001', fix: 'Accept the upgrade, then close 4001 "Invalid token" when no token came.' },
  'token.malformed': { title: 'a malformed token: refused with 4001', fix: 'Close 4001 whenever the token does not decode; never fall back to an anonymous session.' },
  'token.expired': { title: 'an expired token: refused with 4001', fix: 'Verify `exp` (require it) and close 4001 once it has passed.' },
  'token.signature': { title: 'a wrong or missing signature: refused with 4001', fix: 'Verify the HMAC with the shared secret before reading any claim.' },
  'token.alg-none': { title: '`alg: none`: refused with 4001', fix: 'Pin the algorithm on verify (`algorithms: ["HS256"]`); never take it from the token header.' },
  'token.algorithm': { title: 'another algorithm (HS512): refused with 4001', fix: 'Pin HS256 on verify: a token must not choose how it is checked.' },
  'token.claims': { title: 'claims missing or empty: refused with 4001', fix: 'Require `exp`, and `sub` and `rid` as non-empty strings; close 4001 otherwise (do not interpret the spelling of `sub`).' },
  'token.role': { title: 'a token with a `role` claim: refused with 4001', fix: 'Refuse tokens carrying `role`: those are dashboard or probe tokens, not a terminal\'s.' },
  'token.unprocessed': { title: 'nothing sent with a bad token is processed', fix: 'Verify the token before attaching the message listener, synchronously or with frames buffered until the verdict; refuse without reading any frame.' },
  'token.not-echoed': { title: 'the token is not echoed in response headers', fix: 'Select only a fixed subprotocol (`pulse.v1`) in `handleProtocols`; never echo `bearer.<jwt>`.' },
  'heartbeat.pong': { title: 'ping → pong, the first one sent at open included', fix: 'Attach the message listener in the same tick as the upgrade (no `await` before it) and answer each ping with a pong echoing its `seq`.' },
  'heartbeat.timeout': { title: 'a silent terminal is closed 4008 within two intervals plus grace', fix: 'Close a connection with no message for 2 × interval + grace with 4008, then terminate it (a half-open peer never answers).' },
  'heartbeat.kept': { title: 'a terminal that keeps pinging is kept open', fix: 'Count each ping (or any message) as a sign of life; time out from the last one.' },
  'limits.frame-size': { title: 'a frame over 64 KiB is refused with 1009', fix: 'Set a frame limit of 64 KiB (`ws` `maxPayload: 65536`, uvicorn `--ws-max-size 65536`) and keep serving the others.' },
  'limits.invalid': { title: 'a frame that is not JSON is refused with 1008', fix: 'Decode every frame against the protocol; close 1008 with a reason on the first invalid one.' },
  'limits.flood': { title: 'a flood of messages is refused with 1008', fix: 'Add a per-connection token bucket (e.g. 40 messages, 20/s) and close 1008 when it runs dry.' },
  'tenancy.isolation': { title: 'orders reach only their own restaurant', fix: 'Broadcast to the room of the sender\'s verified `rid` only; key rooms by restaurant, terminals by (rid, sub).' },
} as const;

export type GatewayCheckId = keyof typeof gatewayChecks;
export const gatewayCheckIds = Object.keys(gatewayChecks) as GatewayCheckId[];

const ms = (v: number): string => (v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v)} ms`);

/** One line of what came back on a socket: handshake, frames, close. */
export function describeRecord(r: SocketRecord): string {
  if (r.openedAt === null) return `handshake failed: ${r.handshakeError ?? 'no answer'}`;
  // Runs of one type counted ("pong ×40"): a flood's evidence stays one readable line.
  const runs: { kind: string; n: number }[] = [];
  for (const f of r.frames) {
    const kind = f.message?.type ?? 'undecodable';
    if (runs.at(-1)?.kind === kind) runs.at(-1)!.n++;
    else runs.push({ kind, n: 1 });
  }
  const frames = runs.length ? `received ${runs.map((x) => (x.n > 1 ? `${x.kind} ×${x.n}` : x.kind)).join(', ')}` : 'received nothing';
  const close = r.close ? `closed ${r.close.code}${r.close.reason ? ` "${r.close.reason}"` : ''} after ${ms(r.close.at - r.openedAt)}` : 'still open';
  return `opened; ${frames}; ${close}`;
}

/** Which ways of sending a token the gateway took; `records` holds one try per way. */
export function judgeAccepted(records: Partial<Record<Way, SocketRecord>>, accepted: Partial<Record<Way, boolean>>): Judged {
  const evidence = (['subprotocol', 'query'] as const).flatMap((way) => {
    const r = records[way];
    if (!r) return [];
    const how = way === 'subprotocol' ? 'Sec-WebSocket-Protocol: pulse.v1, bearer.<jwt>' : '?token=<jwt>';
    return [`${how}: ${accepted[way] ? 'accepted' : 'not accepted'} (${describeRecord(r)})`];
  });
  const ways = (['subprotocol', 'query'] as const).filter((w) => accepted[w]);
  if (ways.length === 0) return verdict.fail('no way of sending a valid token was accepted: nothing else can be checked', evidence, gatewayChecks['token.accepted'].fix);
  const only = ways.length === 1 ? ` only (${ways[0] === 'subprotocol' ? 'no ?token=' : 'no bearer subprotocol'})` : ' and ';
  return verdict.pass(ways.length === 2 ? 'accepted by subprotocol and by ?token=' : `accepted by ${ways[0] === 'subprotocol' ? 'subprotocol' : '?token='}${only}`, evidence);
}

export interface RefusalAttempt {
  forgery: Forgery;
  way: Way;
  record: SocketRecord;
}

type Outcome = { refused: boolean; words: string };

function outcomeOf(a: RefusalAttempt): Outcome {
  const r = a.record;
  const answered = pongsOf(r).length > 0;
  if (r.openedAt === null) {
    if (r.httpStatus !== null) return { refused: false, words: `refused with HTTP ${r.httpStatus} at the upgrade instead of 4001 (terminals see 1006 and retry)` };
    return { refused: false, words: `handshake failed: ${r.handshakeError ?? 'no answer'}` };
  }
  const closed = r.close ? `closed ${r.close.code} after ${ms(r.close.at - r.openedAt)}` : 'still open';
  if (r.close?.code === CloseCode.invalidToken) return { refused: true, words: answered ? `the ping was answered, then ${closed}` : closed };
  if (answered || r.frames.some((f) => f.message?.type === 'welcome')) return { refused: false, words: `ACCEPTED: the ping was answered (${closed})` };
  if (r.close) return { refused: false, words: `${closed}, not 4001` };
  return { refused: false, words: 'ACCEPTED: still open, nothing answered' };
}

const attemptLine = (a: RefusalAttempt, words: string) => `${a.forgery.label} via ${a.way === 'query' ? '?token=' : 'subprotocol'}, a ping sent at open: ${words}`;

/** Every attempt of one bad-token check must end in a 4001 close (what came before it: `judgeUnprocessed`). */
export function judgeRefusals(check: GatewayCheckId, attempts: readonly RefusalAttempt[]): Judged {
  const lines = attempts.map((a) => ({ a, o: outcomeOf(a) }));
  const evidence = lines.map(({ a, o }) => attemptLine(a, o.words));
  const fix = (gatewayChecks[check] as { fix: string }).fix;
  const bad = lines.find(({ o }) => !o.refused);
  if (!bad) return verdict.pass(`refused with 4001 (${attempts.length} tr${attempts.length === 1 ? 'y' : 'ies'})`, evidence);
  if (bad.o.words.startsWith('ACCEPTED')) return verdict.fail(`accepted a bad token: ${bad.a.forgery.label}`, evidence, fix);
  return verdict.fail(`refused, but not with 4001: ${bad.a.forgery.label} — ${bad.o.words}`, evidence, 'Accept the upgrade, then close 4001 "Invalid token" so terminals know not to retry with that token.');
}

/**
 * Of the bad tokens refused with 4001, none had its ping answered first: a gateway that attaches
 * its message listener before the verdict (an `await` on verification) serves a stranger a while.
 */
export function judgeUnprocessed(attempts: readonly RefusalAttempt[]): Judged {
  const refused = attempts.filter((a) => outcomeOf(a).refused);
  const served = refused.filter((a) => pongsOf(a.record).length > 0);
  const evidence = [`${refused.length} connections with a bad token were refused with 4001, each having sent a ping in its open event`, ...served.slice(0, 6).map((a) => attemptLine(a, outcomeOf(a).words))];
  if (refused.length === 0) return verdict.na('no bad token was refused with 4001, so there was no refusal to look behind', evidence);
  if (served.length) return verdict.fail(`processed a ping sent with a bad token before refusing it (${served.length} of ${refused.length}, e.g. ${served[0]!.forgery.label})`, evidence, gatewayChecks['token.unprocessed'].fix);
  return verdict.pass(`nothing answered before any of the ${refused.length} refusals`, evidence);
}

/** Neither the token nor `bearer.<token>` appears in any response header of any handshake. */
export function judgeNotEchoed(seen: readonly { record: SocketRecord; token: string }[]): Judged {
  const leaks: string[] = [];
  for (const { record, token } of seen) {
    for (const [name, value] of Object.entries(record.headers ?? {})) {
      const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
      if (values.some((v) => v.includes(token))) leaks.push(`${name} (via ${record.way})`);
    }
  }
  const withHeaders = seen.filter((s) => s.record.headers !== null);
  const protocols = [...new Set(withHeaders.map((s) => s.record.headers?.['sec-websocket-protocol']).filter((p): p is string => typeof p === 'string'))];
  const evidence = [`${withHeaders.length} handshake responses read`, protocols.length ? `Sec-WebSocket-Protocol answered: ${protocols.join(', ').slice(0, 120)}` : 'no Sec-WebSocket-Protocol answered'];
  if (withHeaders.length === 0) return verdict.na('no handshake response to read', evidence);
  if (leaks.length) return verdict.fail(`the token came back in a response header: ${[...new Set(leaks)].join(', ')}`, evidence, gatewayChecks['token.not-echoed'].fix);
  return verdict.pass('no response header carries the token', evidence);
}

/** Pings sent (seq → when), the record they were sent on: each answered by a pong echoing its seq. */
export function judgePong(record: SocketRecord, sent: readonly { seq: number; at: number }[]): Judged {
  const pongs = pongsOf(record);
  const rtts: number[] = [];
  const missing: number[] = [];
  for (const p of sent) {
    const pong = pongs.find((x) => x.seq === p.seq);
    if (pong) rtts.push(pong.at - p.at);
    else missing.push(p.seq);
  }
  const sorted = [...rtts].sort((a, b) => a - b);
  const figures = sorted.length ? `round trip min ${ms(sorted[0]!)}, median ${ms(sorted[Math.floor(sorted.length / 2)]!)}, max ${ms(sorted.at(-1)!)}` : 'no round trip measured';
  const evidence = [`${sent.length} pings sent (the first in the open event), ${rtts.length} pongs echoing their seq`, figures];
  if (pongs.length > rtts.length) evidence.push(`${pongs.length - rtts.length} pong(s) with a seq that was never sent`);
  if (missing.length === 0) return verdict.pass(`every ping answered; ${figures}`, evidence);
  const firstLost = missing.includes(sent[0]?.seq ?? -1);
  return verdict.fail(
    firstLost && missing.length === 1 ? 'the ping sent right at open was never answered (listener attached late?)' : `${missing.length} of ${sent.length} pings never answered (seq ${missing.join(', ')})`,
    [...evidence, describeRecord(record)],
    gatewayChecks['heartbeat.pong'].fix,
  );
}

export interface SilenceFacts {
  record: SocketRecord;
  /** When the silent terminal sent its last frame. */
  lastSentAt: number;
  intervalMs: number;
  graceMs: number;
  toleranceMs: number;
}

/** The deadline a gateway has for closing a silent terminal, from its last frame. */
export function silenceDeadlineMs(f: Pick<SilenceFacts, 'intervalMs' | 'graceMs' | 'toleranceMs'>): number {
  return 2 * f.intervalMs + f.graceMs + f.toleranceMs;
}

export function judgeSilence(f: SilenceFacts): Judged {
  const limit = 2 * f.intervalMs + f.graceMs;
  const rule = `interval ${ms(f.intervalMs)}, grace ${ms(f.graceMs)}: closed by ${ms(limit)} (+ ${ms(f.toleranceMs)} for the gateway's sweep)`;
  const close = f.record.close;
  if (f.record.openedAt === null) return verdict.na(`could not open the silent terminal: ${f.record.handshakeError ?? 'no answer'}`, [rule]);
  if (!close) {
    return verdict.fail(`no server-side heartbeat timeout: a terminal silent for ${ms(silenceDeadlineMs(f))} is still open`, [rule, describeRecord(f.record)], gatewayChecks['heartbeat.timeout'].fix);
  }
  const after = close.at - f.lastSentAt;
  const evidence = [rule, `last frame sent, then silence; closed ${close.code}${close.reason ? ` "${close.reason}"` : ''} ${ms(after)} later`];
  // Dropping a terminal that missed a single ping is worse than no timeout: healthy tills flap.
  if (after < f.intervalMs + f.graceMs) return verdict.fail(`closed too early, ${ms(after)} after the last frame: a terminal that misses one ping is dropped`, evidence, gatewayChecks['heartbeat.timeout'].fix);
  // Recorded after the wait was over (the record keeps listening): late is as good as never for a till.
  if (after > silenceDeadlineMs(f)) return verdict.fail(`closed too late, ${ms(after)} after the last frame: half-open terminals linger past two intervals plus grace`, evidence, gatewayChecks['heartbeat.timeout'].fix);
  if (close.code !== CloseCode.heartbeatTimeout) return verdict.fail(`the silent terminal was closed ${close.code}, not 4008 (heartbeat timeout)`, evidence, gatewayChecks['heartbeat.timeout'].fix);
  return verdict.pass(`closed 4008 ${ms(after)} after the last frame`, evidence);
}

/** The pinging terminal must still be open when the silent one's deadline has passed. */
export function judgeKept(record: SocketRecord, pings: number, heldMs: number): Judged {
  const evidence = [`pinged ${pings} times over ${ms(heldMs)}`, describeRecord(record)];
  if (record.openedAt === null) return verdict.na('could not open the pinging terminal', evidence);
  if (record.close) return verdict.fail(`a terminal that kept pinging was closed ${record.close.code} after ${ms(record.close.at - record.openedAt)}`, evidence, gatewayChecks['heartbeat.kept'].fix);
  return verdict.pass(`still open after ${ms(heldMs)} of regular pings`, evidence);
}

/** The seq of the ping padded out past the limit. */
export const oversizedSeq = 2;

/** An oversized frame: 1009, and a fresh connection afterwards still gets its pong. */
export function judgeFrameSize(record: SocketRecord, frameBytes: number, servesAfter: boolean | null): Judged {
  const evidence = [`sent one ${(frameBytes / 1024).toFixed(1)} KiB text frame (a ping padded out)`, describeRecord(record)];
  if (servesAfter !== null) evidence.push(servesAfter ? 'a new terminal connected afterwards got its pong' : 'a new terminal connected afterwards got no pong');
  if (servesAfter === false) return verdict.fail('after an oversized frame the gateway stopped serving other terminals (crashed?)', evidence, 'Listen for `error` on every socket: an oversized frame must close that socket, not the process.');
  if (record.close?.code === CloseCode.messageTooBig) return verdict.pass(`refused with 1009 ${record.openedAt !== null ? `after ${ms(record.close.at - record.openedAt)}` : ''}`.trim(), evidence);
  // Answered is answered, whatever closed the socket later (a heartbeat timeout, say).
  const answered = pongsOf(record).some((p) => p.seq === oversizedSeq);
  const size = `${(frameBytes / 1024).toFixed(1)} KiB`;
  if (answered) return verdict.fail(`no frame size limit: a ${size} frame was processed (answered with a pong)`, evidence, gatewayChecks['limits.frame-size'].fix);
  if (record.close) return verdict.fail(`an oversized frame was closed ${record.close.code}, not 1009`, evidence, gatewayChecks['limits.frame-size'].fix);
  return verdict.fail(`no frame size limit: a ${size} frame was taken (the socket stayed open)`, evidence, gatewayChecks['limits.frame-size'].fix);
}

/** Text that is not JSON: 1008. */
export function judgeInvalid(record: SocketRecord): Judged {
  const evidence = ['sent the text frame "this is not json", then a ping', describeRecord(record)];
  if (record.close?.code === CloseCode.policyViolation) return verdict.pass('refused with 1008', evidence);
  if (pongsOf(record).some((p) => p.seq === 2)) return verdict.fail('an invalid frame was ignored: the ping after it was answered', evidence, gatewayChecks['limits.invalid'].fix);
  if (record.close) return verdict.fail(`closed ${record.close.code}, not 1008`, evidence, gatewayChecks['limits.invalid'].fix);
  return verdict.fail('an invalid frame was ignored: the socket stayed open', evidence, gatewayChecks['limits.invalid'].fix);
}

/** A burst of `sent` pings: the gateway closes 1008 before answering them all. */
export function judgeFlood(record: SocketRecord, sent: number, burstMs: number): Judged {
  const answered = pongsOf(record).length;
  const evidence = [`sent ${sent} pings in ${ms(burstMs)}`, `${answered} answered`, describeRecord(record)];
  if (record.close?.code === CloseCode.policyViolation) return verdict.pass(`refused with 1008 after ${answered} of ${sent} pings`, evidence);
  if (answered >= sent) return verdict.fail(`no rate limit: all ${sent} pings sent at once were answered`, evidence, gatewayChecks['limits.flood'].fix);
  if (record.close) return verdict.fail(`the flood was closed ${record.close.code}, not 1008`, evidence, gatewayChecks['limits.flood'].fix);
  return verdict.fail(`the flood was neither refused nor answered: ${answered} of ${sent} pongs, socket open`, evidence, gatewayChecks['limits.flood'].fix);
}

export interface IsolationFacts {
  /** How the order was injected: a terminal's order frame, or a POST to --order-url. */
  how: string;
  orderId: string;
  rid: string;
  otherRid: string;
  /** A terminal of `rid` (not the sender): should receive the order. */
  same: SocketRecord;
  /** A terminal of `otherRid` with the same terminal id as `same`: must receive nothing of it. */
  other: SocketRecord;
}

export function judgeIsolation(f: IsolationFacts): Judged {
  const carries = (r: SocketRecord) => r.frames.some((fr) => fr.text.includes(f.orderId));
  const evidence = [
    `order ${f.orderId} for ${f.rid}, ${f.how}`,
    `a terminal of ${f.rid}: ${carries(f.same) ? 'received it' : 'did not receive it'} (${describeRecord(f.same)})`,
    `the terminal with the same id in ${f.otherRid}: ${carries(f.other) ? 'RECEIVED it' : 'received nothing of it'} (${describeRecord(f.other)})`,
  ];
  if (carries(f.other)) return verdict.fail(`an order of ${f.rid} reached a terminal of ${f.otherRid}`, evidence, gatewayChecks['tenancy.isolation'].fix);
  if (!carries(f.same)) return verdict.na(`the gateway did not broadcast the order within ${f.rid} (${f.how}), so isolation could not be observed; give --order-url if orders come from elsewhere`, evidence);
  if (f.same.close || f.other.close) return verdict.fail('a terminal was dropped when another restaurant\'s terminal with the same id connected', evidence, gatewayChecks['tenancy.isolation'].fix);
  return verdict.pass(`delivered within ${f.rid}, nothing reached ${f.otherRid}`, evidence);
}
