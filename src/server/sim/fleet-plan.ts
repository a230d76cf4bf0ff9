/**
 * Who is in the simulated fleet: restaurants `r-001…`, terminals `r-001-t1…`, and the source
 * address each terminal connects from. Pure: the same seed gives the same fleet on every machine.
 */
import type { Random } from '../../core/clock.ts';

/** Terminals per restaurant: a fixed count, or a range drawn per restaurant (seeded). */
export type TerminalsSpec = { min: number; max: number };

export type PlannedTerminal = {
  /** 0-based position in the fleet; stable for a given plan. */
  index: number;
  rid: string;
  tid: string;
  /** Local address the terminal binds to (see `sourceAddressFor`). */
  sourceAddress: string;
};

export const maxTerminalsPerRestaurant = 1000;

/** Parses `4` or `2-6`; refuses anything else with a message that says why. */
export function parseTerminalsSpec(text: string): TerminalsSpec {
  const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(text);
  if (!m) throw new Error(`terminals must be a count (4) or a range (2-6), got "${text.slice(0, 40)}"`);
  const min = Number(m[1]);
  const max = m[2] === undefined ? min : Number(m[2]);
  if (min < 1 || max < min || max > maxTerminalsPerRestaurant) {
    throw new Error(`terminals must satisfy 1 ≤ min ≤ max ≤ ${maxTerminalsPerRestaurant}, got "${text.slice(0, 40)}"`);
  }
  return { min, max };
}

/** `r-001`: zero-padded to 3 digits so ids sort; wider fleets simply get more digits. */
export function restaurantId(n: number): string {
  return `r-${String(n).padStart(3, '0')}`;
}

export function terminalId(rid: string, n: number): string {
  return `${rid}-t${n}`;
}

/**
 * The source address of terminal `index`, spread over `count` loopback addresses.
 *
 * Why: a bound local address has ~28k ephemeral ports (32768–60999 on Linux), and every reconnect
 * leaves a TIME_WAIT entry behind. Spreading ~19,000 terminals over 127.0.x.y keeps each address far
 * from that limit. Linux routes all of 127/8 to loopback; elsewhere pass count 1 (127.0.0.1 only).
 */
export function sourceAddressFor(index: number, count: number): string {
  const k = index % Math.max(1, count);
  // 127.0.0.1 … 127.0.0.254, then 127.0.1.1 …: never .0 or .255 in the last octet.
  return `127.0.${Math.floor(k / 254)}.${(k % 254) + 1}`;
}

export function planFleet(options: { restaurants: number; terminals: TerminalsSpec; random: Random; sourceAddresses: number }): PlannedTerminal[] {
  const { restaurants, terminals, random, sourceAddresses } = options;
  if (!Number.isInteger(restaurants) || restaurants < 1) throw new Error(`restaurants must be a whole number ≥ 1, got ${restaurants}`);
  const plan: PlannedTerminal[] = [];
  for (let r = 1; r <= restaurants; r++) {
    const rid = restaurantId(r);
    const span = terminals.max - terminals.min + 1;
    const count = terminals.min + Math.min(span - 1, Math.floor(random() * span));
    for (let t = 1; t <= count; t++) {
      const index = plan.length;
      plan.push({ index, rid, tid: terminalId(rid, t), sourceAddress: sourceAddressFor(index, sourceAddresses) });
    }
  }
  return plan;
}

/** Derives an independent seed per terminal, so one terminal's draws never shift another's. */
export function childSeed(seed: number, index: number): number {
  let h = (seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}
