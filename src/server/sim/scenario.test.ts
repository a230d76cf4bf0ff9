import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ScenarioError, exampleScenarioPath, fleetShape, loadScenarioFile, parseScenario, resolveProfile } from './scenario.ts';
import { builtinProfiles } from './network-profile.ts';
import { checkTargets } from './scenario-runner.ts';
import type { SimTerminal } from './sim-terminal.ts';
import { parseTerminalsSpec, planFleet } from './fleet-plan.ts';
import { seededRandom } from '../../core/clock.ts';

/** The issues of a scenario that must be refused. */
function issuesOf(value: unknown): string[] {
  try {
    parseScenario(typeof value === 'string' ? value : JSON.stringify(value), 'test.json');
  } catch (error) {
    expect(error).toBeInstanceOf(ScenarioError);
    expect((error as Error).message).toContain('test.json');
    return (error as ScenarioError).issues;
  }
  throw new Error('expected the scenario to be refused');
}

const scenariosDir = join(import.meta.dirname, '../../../scenarios');

describe('scenario files', () => {
  it('fills defaults for an empty scenario', () => {
    const s = parseScenario('{}');
    expect(s.faults).toEqual([]);
    expect(s.network.default).toBe('lan');
    expect(s.orders.perTerminalPerMinute).toBe(1);
  });

  it('names the path of each bad field', () => {
    const issues = issuesOf({
      faults: [
        { type: 'outage', at: 5, duration: 'ten', restaurants: ['r-001'] },
        { type: 'outage', at: -1, duration: 3, restaurants: ['r-001'] },
        { type: 'meteor', at: 1 },
        { type: 'silent', at: 1, duration: 2, restaurants: ['r-001'], colour: 'red' },
      ],
    });
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^faults\[0\]\.duration: .*expected number/),
        expect.stringMatching(/^faults\[1\]\.at: /),
        expect.stringMatching(/^faults\[2\]\.type: .*outage/),
        expect.stringMatching(/^faults\[3\]: .*colour/),
      ]),
    );
  });

  it('requires exactly one target for a targeted fault', () => {
    expect(issuesOf({ faults: [{ type: 'flood', at: 1 }] })).toEqual([expect.stringMatching(/^faults\[0\]: needs exactly one target/)]);
    expect(issuesOf({ faults: [{ type: 'flood', at: 1, restaurants: ['r-001'], terminals: ['r-001-t1'] }] })).toEqual([
      expect.stringMatching(/^faults\[0\]: .*got restaurants, terminals/),
    ]);
  });

  it('refuses unknown profiles, shares over 1, overlapping repeats and bad ids', () => {
    expect(issuesOf({ network: { default: 'dialup' } })).toEqual([expect.stringMatching(/^network\.default: unknown profile "dialup"/)]);
    expect(issuesOf({ network: { mix: [{ profile: 'wifi', share: 0.7 }, { profile: '4g', share: 0.6 }] } })).toEqual([expect.stringMatching(/^network\.mix: shares sum to 1\.3/)]);
    expect(issuesOf({ faults: [{ type: 'slow-network', at: 1, duration: 5, profile: 'warp', randomRestaurants: 1 }] })).toEqual([expect.stringMatching(/^faults\[0\]\.profile: unknown profile/)]);
    expect(issuesOf({ faults: [{ type: 'outage', at: 1, duration: 60, every: 30, randomRestaurants: 1 }] })).toEqual([expect.stringMatching(/^faults\[0\]\.every: must be longer than duration/)]);
    expect(issuesOf({ faults: [{ type: 'outage', at: 1, duration: 6, restaurants: ['<script>'] }] })).toEqual([expect.stringMatching(/^faults\[0\]\.restaurants\[0\]: expected an id/)]);
    expect(issuesOf({ network: { profiles: { mine: { rttMs: 10, loss: 2 } } } })).toEqual([expect.stringMatching(/^network\.profiles\.mine\.loss: /)]);
  });

  it('says where invalid JSON is', () => {
    expect(issuesOf('{ "faults": [ }')).toEqual([expect.stringMatching(/^not valid JSON: /)]);
  });

  it('resolves custom, built-in and inline profiles', () => {
    const s = parseScenario(JSON.stringify({ network: { default: 'mine', profiles: { mine: { rttMs: 33 } } } }));
    expect(resolveProfile(s.network.default, s)).toMatchObject({ rttMs: 33, jitterMs: 0, loss: 0 });
    expect(resolveProfile('4g', s)).toBe(builtinProfiles['4g']);
    expect(resolveProfile({ rttMs: 5, rttSpread: 0, jitterMs: 1, loss: 0, flapEveryS: 0 }, s).rttMs).toBe(5);
  });

  it('refuses targets the fleet does not have, naming them', () => {
    const s = parseScenario(JSON.stringify({ faults: [{ type: 'outage', at: 1, duration: 2, restaurants: ['r-001', 'r-040'] }, { type: 'flood', at: 1, randomTerminals: 99 }] }));
    const plan = planFleet({ restaurants: 2, terminals: { min: 2, max: 2 }, random: seededRandom(1), sourceAddresses: 1 });
    try {
      checkTargets(s, 'x.json', plan as unknown as SimTerminal[]);
      throw new Error('expected a refusal');
    } catch (error) {
      expect((error as ScenarioError).issues).toEqual([
        'faults[0].restaurants[1]: r-040 is not in this fleet of 2 restaurants',
        'faults[1].randomTerminals: 99 is more than the 4 terminals of this fleet',
      ]);
    }
  });

  it('takes the fleet shape from flags, then the scenario, then 20 × 4', () => {
    const light = loadScenarioFile(exampleScenarioPath('light-faults'));
    expect(fleetShape(light)).toEqual({ restaurants: 30, terminals: { min: 2, max: 6 } });
    expect(fleetShape(light, 5, { min: 1, max: 1 })).toEqual({ restaurants: 5, terminals: { min: 1, max: 1 } });
    expect(fleetShape(parseScenario('{}'))).toEqual({ restaurants: 20, terminals: { min: 4, max: 4 } });
  });

  it('reports an unreadable file by its path', () => {
    expect(() => loadScenarioFile('/nonexistent/pulse.json')).toThrow(/\/nonexistent\/pulse\.json: invalid scenario\n {2}cannot read: ENOENT/);
  });

  const files = readdirSync(scenariosDir).filter((f) => f.endsWith('.json'));
  it.each(files)('ships a valid example: scenarios/%s, whose targets exist in its own fleet', (file) => {
    const path = join(scenariosDir, file);
    const s = loadScenarioFile(path);
    expect(s.description, 'every example says what it does').toBeTruthy();
    expect(JSON.parse(readFileSync(path, 'utf8')).name).toBe(file.replace(/\.json$/, ''));
    const plan = planFleet({
      restaurants: s.fleet?.restaurants ?? 20,
      terminals: parseTerminalsSpec(String(s.fleet?.terminals ?? 4)),
      random: seededRandom(1),
      sourceAddresses: 1,
    });
    expect(() => checkTargets(s, path, plan as unknown as SimTerminal[])).not.toThrow();
  });
});
