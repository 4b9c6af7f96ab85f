// The suite machinery itself: the vacuity guard fails when a decision path is
// never reached, the knobs parse, and a failure saves a replayable scenario and ends
// its report with the replay command.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadScenario, runScenario } from '../src/scenario/index.ts';
import { DEFAULT_BASE_SEED, ROOT, addToTally, checkSuite, emptyTally, floorsUnder, formatTally, knobs, suiteSeed, unmetFloors } from './support.ts';
import type { SuiteSpec } from './support.ts';
import { SUITES } from './suites.ts';

const quiet = (): void => {};
const env = { scale: 1, baseSeed: DEFAULT_BASE_SEED };

describe('the vacuity guard', () => {
  it('fails a floor the runs do not reach, and passes one they do', () => {
    const tally = emptyTally();
    const stats = runScenario(loadScenario(readFileSync(new URL('fixtures/findings/replay-window-rollback/scenario.json', ROOT), 'utf8'))).stats;
    for (let i = 0; i < 10; i++) addToTally(tally, stats);
    expect(tally.runsWith.replay).toBe(10);
    expect(unmetFloors(tally, { replay: 1 })).toEqual([]);
    expect(unmetFloors(tally, { 'committed:collision': 0.01 })).toEqual(['committed:collision (collision committed): 0 of 10 runs, floor 1.00% (1 runs)']);
    expect(formatTally('t', tally, { replay: 0.5 })).toMatch(/replay \(registration re-applied after a crash\)\.+100\.00% {2}10 runs, \d+ times {2}\(floor 50\.00%\)/);
    expect(() => unmetFloors(tally, { 'no-such-path': 0.1 })).toThrow(/unknown decision path "no-such-path"/);
  });

  it('fails a suite whose family is switched off', () => {
    const spec: SuiteSpec = { ...SUITES.collision, runs: 60, arbitrary: { ...SUITES.collision.arbitrary, families: { membership: false } } };
    expect(() => checkSuite(spec, { env, log: quiet })).toThrow(/vacuity guard of suite "collision".*\n {2}committed:collision \(collision committed\): 0 of 60 runs/);
  });
});

describe('knobs', () => {
  it('reads the run multiplier, the base seed and fast-check replay values', () => {
    expect(knobs({})).toEqual({ scale: 1, baseSeed: DEFAULT_BASE_SEED, fcSeed: undefined, fcPath: undefined });
    expect(knobs({ REGSIM_RUNS: '0.5', REGSIM_SEED: '7', FC_SEED: '-3', FC_PATH: '4:1:0' })).toEqual({ scale: 0.5, baseSeed: 7, fcSeed: -3, fcPath: '4:1:0' });
    expect(() => knobs({ REGSIM_RUNS: '0' })).toThrow('REGSIM_RUNS=0 is not valid');
    expect(() => knobs({ REGSIM_SEED: 'x' })).toThrow('REGSIM_SEED=x is not valid');
    expect(() => knobs({ FC_PATH: '1' })).toThrow(/FC_PATH needs FC_SEED/);
  });

  it('reads REGSIM_CONFIG, a preset name; floors on paths the configuration lacks are not enforced', () => {
    expect(knobs({ REGSIM_CONFIG: 'spec' }).config).toBe('spec');
    expect(knobs({ REGSIM_CONFIG: ' ' }).config).toBeUndefined();
    expect(() => knobs({ REGSIM_CONFIG: 'strict' })).toThrow('REGSIM_CONFIG=strict is not valid (known: spec, hardened, production)');
    const floors = { replay: 0.13, skipped: 0.14 };
    expect(floorsUnder(floors, 'hardened')).toEqual(floors);
    expect(floorsUnder(floors, 'spec')).toEqual({ replay: 0.13 }); // the spec's engine re-applies: nothing is skipped
  });

  it('runs a suite under REGSIM_CONFIG: the spec configuration\'s findings fail it, and the re-run command carries the configuration', () => {
    const spec: SuiteSpec = { ...SUITES.replay, name: 'support-config-selftest', runs: 40 };
    const seed = suiteSeed(DEFAULT_BASE_SEED, spec.name);
    try {
      expect(() => checkSuite(spec, { env: { ...env, config: 'hardened' }, log: quiet })).not.toThrow();
      let message = '';
      try {
        // The spec's first failure on this seed comes after 44 runs.
        checkSuite({ ...spec, runs: 60 }, { env: { ...env, config: 'spec' }, log: quiet });
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).toMatch(/replay-idempotence/);
      expect(message).toContain(`Re-run this suite's failing case: REGSIM_CONFIG=spec FC_SEED=${seed} FC_PATH=`);
    } finally {
      rmSync(`regsim-failures/support-config-selftest-${seed}.json`, { force: true });
    }
    // A hundred runs and a shrink: about a minute alone, twice that on a busy machine.
  }, 600_000);

  it('derives a fixed, distinct seed per suite', () => {
    expect(suiteSeed(1, 'nonce')).toBe(suiteSeed(1, 'nonce'));
    expect(suiteSeed(1, 'nonce')).not.toBe(suiteSeed(1, 'replay'));
    expect(suiteSeed(1, 'nonce')).not.toBe(suiteSeed(2, 'nonce'));
  });
});

describe('a failing suite', () => {
  it('saves the shrunk scenario, names the violation, ends with the replay command, and replays by FC_SEED/FC_PATH', () => {
    const spec: SuiteSpec = { ...SUITES.replay, name: 'support-selftest', runs: 20 };
    const seed = suiteSeed(DEFAULT_BASE_SEED, spec.name);
    let file = '';
    try {
      let message = '';
      try {
        checkSuite(spec, { env, log: quiet, variant: 'reset-first-seen' });
      } catch (err) {
        message = (err as Error).message;
      }
      const lines = message.split('\n');
      expect(lines[0]).toMatch(/^property suite "support-selftest" \(replay-idempotence\) against variant reset-first-seen failed after \d+ runs/);
      expect(lines[1]).toMatch(/^ {2}\[§7\.1 replay-idempotence\] event #\d+/);
      // A counterexample file: named by its content, naming its variant, so the command needs no flags.
      expect(lines.at(-1)).toMatch(new RegExp(`^npx regsim replay regsim-failures/support-selftest-${seed}-[0-9a-f]{8}\\.json$`));
      file = (lines.at(-1) as string).split(' ')[3] as string;
      const text = readFileSync(new URL(file, ROOT), 'utf8');
      const saved = loadScenario(text);
      expect(saved.meta).toMatchObject({ variant: 'reset-first-seen', invariant: 'replay-idempotence', foundBy: { shrunk: true } });
      expect(message).toContain(`Re-run this suite's failing case: ${saved.meta?.foundBy.command}`);
      expect(runScenario(saved, { variant: 'reset-first-seen' }).violations.map((v) => v.invariant)).toContain('replay-idempotence');

      const [, fcSeed, fcPath] = /FC_SEED=(-?\d+) FC_PATH=(\S+) npx vitest run properties\/replay\.properties\.test\.ts/.exec(message) ?? [];
      expect(Number(fcSeed)).toBe(seed);
      rmSync(new URL(file, ROOT));
      let replayed = '';
      try {
        checkSuite(spec, { env: { ...env, fcSeed: Number(fcSeed), fcPath }, log: quiet, variant: 'reset-first-seen' });
      } catch (err) {
        replayed = (err as Error).message;
      }
      expect(replayed.split('\n').slice(1)).toEqual(lines.slice(1));
      expect(readFileSync(new URL(file, ROOT), 'utf8')).toBe(text);
    } finally {
      if (file !== '' && existsSync(new URL(file, ROOT))) rmSync(new URL(file, ROOT));
    }
  });
});
