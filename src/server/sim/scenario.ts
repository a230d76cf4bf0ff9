/**
 * Scenario files: JSON that shapes the fleet's network and schedules faults at offsets from the
 * start. Validated with zod; a bad file is refused with the path of each bad field
 * (`faults[2].duration: …`), never half-applied. The format is documented in docs/scenarios.md.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { parseTerminalsSpec } from './fleet-plan.ts';
import type { TerminalsSpec } from './fleet-plan.ts';
import { builtinProfiles, networkProfileSchema } from './network-profile.ts';
import type { NetworkProfile } from './network-profile.ts';

const id = z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/, 'expected an id such as r-001 or r-001-t1');
const seconds = z.number().min(0).max(31_536_000);
const positiveSeconds = z.number().gt(0).max(31_536_000);

/** A named profile (built in or from `network.profiles`) or one written inline. */
const profileRef = z.union([z.string().min(1).max(64), networkProfileSchema]);
export type ProfileRef = z.infer<typeof profileRef>;

/** Who a fault hits: exactly one of these keys. Random picks are drawn from the seeded RNG each time the fault starts. */
const targetKeys = {
  restaurants: z.array(id).min(1).max(10_000).optional(),
  terminals: z.array(id).min(1).max(100_000).optional(),
  randomRestaurants: z.number().int().min(1).optional(),
  randomTerminals: z.number().int().min(1).optional(),
};
const targetKeyNames = Object.keys(targetKeys) as (keyof typeof targetKeys)[];
export type Target = { [K in keyof typeof targetKeys]?: z.infer<(typeof targetKeys)[K]> };

const timing = {
  /** Seconds after the fleet starts. */
  at: seconds,
  /** Repeat every N seconds until the run ends (random targets are drawn anew each time). */
  every: positiveSeconds.optional(),
};

function targeted<K extends string, T extends z.ZodRawShape>(type: K, shape: T) {
  return z
    .strictObject({ type: z.literal(type), ...timing, ...targetKeys, ...shape })
    .superRefine((fault, ctx) => {
      const given = targetKeyNames.filter((k) => (fault as Record<string, unknown>)[k] !== undefined);
      if (given.length !== 1) {
        ctx.addIssue({ code: 'custom', path: [], message: `needs exactly one target among ${targetKeyNames.join(', ')}${given.length ? ` (got ${given.join(', ')})` : ''}` });
      }
    });
}

export const faultSchema = z.discriminatedUnion('type', [
  /** Terminals close 1000 and stay away for `duration` seconds, then reconnect. */
  targeted('outage', { duration: positiveSeconds }),
  /** Half-open: terminals stop sending and reading but keep TCP open; the gateway must time them out (4008). */
  targeted('silent', { duration: positiveSeconds }),
  /** The gateway restarts: done by the caller's hook (tests), or by hand when run from the CLI. */
  z.strictObject({ type: z.literal('gateway-restart'), ...timing }),
  /** Terminals switch to a bad token and reconnect: 4001, then failed. With `duration`, good tokens return after it. */
  targeted('bad-token', { kind: z.enum(['wrong-secret', 'expired']), duration: positiveSeconds.optional() }),
  /** The link of the targets follows another profile for `duration` seconds. */
  targeted('slow-network', { duration: positiveSeconds, profile: profileRef.default('slow') }),
  /** The targets' links drop every `everyS` seconds for `duration` seconds (abnormal close, backoff applies). */
  targeted('flap', { duration: positiveSeconds, everyS: positiveSeconds }),
  /** A rate-limit abuser: `frames` valid pings back to back; the gateway closes 1008. */
  targeted('flood', { frames: z.number().int().min(1).max(100_000).default(1000) }),
  /** One frame of `bytes` bytes; the gateway closes 1009. */
  targeted('oversize', { bytes: z.number().int().min(1).max(16 * 1024 * 1024).default(100 * 1024) }),
  /** For `duration` s the targets reconnect `delayMs` after every close, bypassing backoff; their link drops after `upMs` up. */
  targeted('ignore-backoff', {
    duration: positiveSeconds,
    delayMs: z.number().int().min(0).max(3_600_000).default(250),
    upMs: z.number().int().min(0).max(3_600_000).default(1000),
  }),
]);
export type Fault = z.infer<typeof faultSchema>;
export type FaultType = Fault['type'];

export const scenarioSchema = z
  .strictObject({
    name: z.string().max(200).optional(),
    description: z.string().max(2000).optional(),
    /** Fleet defaults; command-line flags win. */
    fleet: z
      .strictObject({
        restaurants: z.number().int().min(1).max(100_000).optional(),
        terminals: z.union([z.number().int().min(1).max(1000), z.string().regex(/^\d+(-\d+)?$/, 'expected a count (4) or a range (2-6)')]).optional(),
      })
      .optional(),
    network: z
      .strictObject({
        /** Profile of every terminal not picked by `mix`. */
        default: profileRef.default('lan'),
        /** Shares of the fleet on other profiles, drawn per terminal from the seed; shares sum to ≤ 1. */
        mix: z.array(z.strictObject({ profile: profileRef, share: z.number().min(0).max(1) })).max(20).default([]),
        /** Named profiles this file adds (or overrides) for use by `default`, `mix` and faults. */
        profiles: z.record(z.string().min(1).max(64), networkProfileSchema).default({}),
      })
      .default({ default: 'lan', mix: [], profiles: {} }),
    orders: z
      .strictObject({ perTerminalPerMinute: z.number().min(0).max(6000) })
      .default({ perTerminalPerMinute: 1 }),
    faults: z.array(faultSchema).max(10_000).default([]),
  })
  .superRefine((s, ctx) => {
    const known = (name: string) => name in builtinProfiles || name in s.network.profiles;
    const check = (ref: ProfileRef, path: (string | number)[]) => {
      if (typeof ref === 'string' && !known(ref)) {
        ctx.addIssue({ code: 'custom', path, message: `unknown profile "${ref}" (known: ${[...Object.keys(builtinProfiles), ...Object.keys(s.network.profiles)].join(', ')})` });
      }
    };
    check(s.network.default, ['network', 'default']);
    s.network.mix.forEach((m, i) => check(m.profile, ['network', 'mix', i, 'profile']));
    const shares = s.network.mix.reduce((sum, m) => sum + m.share, 0);
    if (shares > 1 + 1e-9) ctx.addIssue({ code: 'custom', path: ['network', 'mix'], message: `shares sum to ${Math.round(shares * 1000) / 1000}, more than 1` });
    s.faults.forEach((f, i) => {
      if (f.type === 'slow-network') check(f.profile, ['faults', i, 'profile']);
      // Overlapping repeats of one fault would undo each other's ends on the same terminals.
      if (f.every !== undefined && 'duration' in f && f.duration !== undefined && f.every <= f.duration) {
        ctx.addIssue({ code: 'custom', path: ['faults', i, 'every'], message: `must be longer than duration (${f.duration} s), or repeats would overlap` });
      }
    });
  });
export type Scenario = z.infer<typeof scenarioSchema>;

/** A scenario file that cannot be used; the message names the file and the path of every bad field. */
export class ScenarioError extends Error {
  readonly code = 'SCENARIO_INVALID';
  readonly issues: string[];
  constructor(source: string, issues: string[]) {
    super(`${source}: invalid scenario\n  ${issues.join('\n  ')}`);
    this.name = 'ScenarioError';
    this.issues = issues;
  }
}

/** `faults[2].duration` rather than `faults.2.duration`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : `${out ? '.' : ''}${String(part)}`;
  return out || '(top level)';
}

export function parseScenario(text: string, source = 'scenario'): Scenario {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ScenarioError(source, [`not valid JSON: ${(error as Error).message}`]);
  }
  const parsed = scenarioSchema.safeParse(raw);
  if (!parsed.success) throw new ScenarioError(source, parsed.error.issues.slice(0, 20).map((i) => `${formatPath(i.path)}: ${i.message}`));
  return parsed.data;
}

export function loadScenarioFile(path: string): Scenario {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ScenarioError(path, [`cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`]);
  }
  return parseScenario(text, path);
}

/** A scenario that does nothing: the default when no file is given. */
export function emptyScenario(): Scenario {
  return scenarioSchema.parse({});
}

export function resolveProfile(ref: ProfileRef, scenario: Scenario): NetworkProfile {
  if (typeof ref !== 'string') return ref;
  const found = scenario.network.profiles[ref] ?? builtinProfiles[ref];
  if (!found) throw new Error(`unknown profile "${ref}"`);
  return found;
}

/** The fleet to run: explicit choices (command-line flags) win over the scenario's, then 20 × 4. */
export function fleetShape(scenario: Scenario, restaurants?: number, terminals?: TerminalsSpec): { restaurants: number; terminals: TerminalsSpec } {
  return {
    restaurants: restaurants ?? scenario.fleet?.restaurants ?? 20,
    terminals: terminals ?? parseTerminalsSpec(String(scenario.fleet?.terminals ?? 4)),
  };
}

/** The path of a scenario shipped in `scenarios/` (e.g. `light-faults` for `pulse start`). */
export function exampleScenarioPath(name: string): string {
  return fileURLToPath(new URL(`../../../scenarios/${name}.json`, import.meta.url));
}
