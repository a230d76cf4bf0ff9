/**
 * One simulated POS terminal: the terminal on its link (terminal-link.ts) and the faults a scenario
 * puts it through — an outage, a half-open link, a refused token, another network profile, a
 * reconnect loop that ignores the backoff, a flood or an oversized frame — each recorded as ground
 * truth where the gateway should see it.
 */
import { makePosPing } from '../../client/pos-heartbeat.ts';
import { drawBaseRtt } from './network-profile.ts';
import type { NetworkProfile } from './network-profile.ts';
import { TerminalLink } from './terminal-link.ts';

export class SimTerminal extends TerminalLink {
  /** Restaurant outage: close 1000 and stay away until `comeBack()`. */
  goAway(): void {
    this.socket.close(1000, 'outage');
  }

  comeBack(): void {
    this.socket.connect();
  }

  /** Half-open link: nothing sent, nothing read, TCP kept open; no new attempt until it ends. */
  setSilent(on: boolean): void {
    if (on === this.silent) return;
    this.silent = on;
    if (on) {
      this.wire?.silence();
      return;
    }
    this.wire?.unsilence();
    for (const orphan of this.orphans ?? []) orphan.unsilence();
    this.orphans = null;
    if (this.blocked) {
      this.blocked = false;
      this.socket.checkNow();
    }
  }

  /** Reconnect with a token the gateway must refuse (4001 → failed). */
  useBadToken(kind: 'wrong-secret' | 'expired'): void {
    this.badToken = this.shared.badToken(this.tid, this.rid, kind);
    this.socket.drop(1000, 'token changed');
  }

  /** A good token again; a terminal that failed on the bad one starts over (manual connect). */
  restoreToken(): void {
    this.badToken = null;
    if (this.socket.state === 'failed') this.socket.connect();
  }

  /** Another network profile for a while; null returns to the terminal's own. */
  setProfile(profile: NetworkProfile | null): void {
    this.profile = profile ?? this.normalProfile;
    this.baseRttMs = profile ? drawBaseRtt(profile, this.random) : this.normalRttMs;
  }

  /** Reconnect `delayMs` after every close whatever the backoff says; the link drops after `upMs` up. */
  setIgnoreBackoff(config: { delayMs: number; upMs: number } | null): void {
    this.ignoreBackoff = config;
    this.clearTimer();
    if (config && this.connected) this.armLinkTimer();
  }

  /** Valid pings back to back, far above any rate limit; the gateway should close 1008. */
  flood(frames: number): void {
    if (!this.canSend()) return;
    let sent = 0;
    let bytes = 0;
    for (let i = 0; i < frames; i++) {
      const frame = makePosPing({ seq: this.outSeq++, now: this.clock.now(), rtt: this.socket.lastRttMs });
      if (!this.socket.send(frame)) break;
      sent++;
      bytes += frame.length;
    }
    this.record({ ev: 'abuse', t: this.clock.now(), rid: this.rid, tid: this.tid, kind: 'flood', frames: sent, bytes });
  }

  /** One frame of `bytes` bytes; the gateway should close 1009. */
  oversize(bytes: number): void {
    if (!this.canSend()) return;
    const head = `{"type":"ping","seq":${this.outSeq++},"timestamp":${Math.floor(this.clock.now())},"pad":"`;
    const frame = head + 'x'.repeat(Math.max(0, bytes - head.length - 2)) + '"}';
    const sent = this.socket.send(frame);
    this.record({ ev: 'abuse', t: this.clock.now(), rid: this.rid, tid: this.tid, kind: 'oversize', frames: sent ? 1 : 0, bytes: sent ? frame.length : 0 });
  }

  /** Close 1000 and release everything; the close is recorded when the gateway answers (or `destroy()`). */
  stop(): void {
    this.clearTimer();
    this.ignoreBackoff = null;
    this.socket.dispose();
    for (const orphan of this.orphans ?? []) orphan.destroy();
    this.orphans = null;
  }

  /** Tear down whatever TCP socket is left (after `stop()`, for peers that never answered). */
  destroy(): void {
    this.wire?.destroy();
    for (const orphan of this.orphans ?? []) orphan.destroy();
    this.orphans = null;
  }
}
