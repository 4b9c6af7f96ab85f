// The "Running on many machines" examples stay runnable: the GitHub Actions
// workflow (a matrix of shards and a merge job that uploads the corpus) and
// the Kubernetes manifests (an Indexed Job of shards, a merge Job, their
// volume), checked against the Kubernetes schema (kubernetes-models); every
// regsim command in them uses options the CLI has. No cluster or runner here.
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { registerConformance, registerExplore, registerFindings, registerMerge, registerMutants, registerReplay, registerShrink } from '../../src/cli/commands.ts';

const read = (path: string): string => readFileSync(new URL(`../../examples/ci/${path}`, import.meta.url), 'utf8');

const program = new Command();
for (const register of [registerExplore, registerMerge, registerFindings, registerReplay, registerShrink, registerMutants, registerConformance]) register(program);

/** Every `npx regsim <verb> ...` in a shell text: the verb and the options it passes. */
function regsimCalls(shell: string): { verb: string; options: string[] }[] {
  return [...shell.matchAll(/npx regsim (\w+)([^\n;|>]*)/g)].map((m) => ({ verb: m[1] as string, options: [...(m[2] as string).matchAll(/(?<=\s)--[a-z-]+/g)].map((o) => o[0]) }));
}

function expectKnownToCli(calls: { verb: string; options: string[] }[]): void {
  expect(calls.length).toBeGreaterThan(0);
  for (const { verb, options } of calls) {
    const command = program.commands.find((c) => c.name() === verb);
    expect(command, `regsim ${verb}`).toBeDefined();
    const known = command?.options.map((o) => o.long) ?? [];
    for (const o of options) expect(known, `regsim ${verb} ${o}`).toContain(o);
  }
}

interface Step {
  run?: string;
  uses?: string;
  with?: Record<string, unknown>;
}
interface Workflow {
  env: Record<string, string>;
  jobs: Record<string, { needs?: string; if?: string; strategy?: { matrix: { shard: number[] } }; steps: Step[] }>;
}

describe('GitHub Actions workflow', () => {
  const workflow = parse(read('github-actions.yml')) as Workflow;
  const runs = (job: string): string => (workflow.jobs[job]?.steps ?? []).map((s) => s.run ?? '').join('\n');

  it('runs one shard per matrix entry, 1..SHARDS, each writing its records', () => {
    expect(workflow.jobs.explore?.strategy?.matrix.shard).toEqual(Array.from({ length: Number(workflow.env.SHARDS) }, (_, i) => i + 1));
    const explore = regsimCalls(runs('explore'));
    expect(explore.map((c) => c.verb)).toEqual(['explore']);
    expect(runs('explore')).toContain('--shard "${{ matrix.shard }}/$SHARDS"');
    expect(explore[0]?.options).toEqual(expect.arrayContaining(['--seed', '--runs', '--records']));
    const upload = workflow.jobs.explore?.steps.find((s) => s.uses?.startsWith('actions/upload-artifact'));
    expect(String(upload?.with?.path)).toContain('shard-${{ matrix.shard }}.jsonl');
    expectKnownToCli(explore);
  });

  it('merges every shard after all of them and uploads the corpus', () => {
    const merge = workflow.jobs.merge;
    expect([merge?.needs, merge?.if]).toEqual(['explore', 'always()']);
    const calls = regsimCalls(runs('merge'));
    expect(calls.map((c) => c.verb)).toEqual(['merge', 'findings']);
    expect(calls[0]?.options).toContain('--corpus');
    expect(runs('merge')).toContain('shards/shard-*.jsonl');
    const upload = merge?.steps.find((s) => s.uses?.startsWith('actions/upload-artifact'));
    expect(upload?.with?.name).toBe('regsim-corpus');
    expect(String(upload?.with?.path)).toContain('regsim-corpus/');
    expectKnownToCli(calls);
  });
});

describe("the README's GitHub Actions recipe", () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const block = /```yaml\n(# \.github\/workflows\/regsim\.yml\n[\s\S]*?)```/.exec(readme)?.[1] ?? '';
  const steps = (parse(block) as Workflow).jobs.regsim?.steps ?? [];

  it('uses the runner\'s Chrome for the browser test, installs no chromium package, and every regsim option exists', () => {
    expect(steps.length).toBeGreaterThan(0);
    expect(steps.some((s) => /apt-get|snap install|chromium/.test(s.run ?? ''))).toBe(false);
    const test = steps.find((s) => s.run?.startsWith('npm test')) as Step & { env?: Record<string, string> };
    expect(test.env?.REGSIM_CHROMIUM).toBe('/usr/bin/google-chrome');
    expect(steps.map((s) => s.run).filter(Boolean)[0]).toBe('npm ci');
    expectKnownToCli(regsimCalls(steps.map((s) => s.run ?? '').join('\n')));
  });
});

describe('Kubernetes manifests', () => {
  const docs = (file: string): Record<string, unknown>[] => parseAllDocuments(read(`kubernetes/${file}`)).map((d) => d.toJSON() as Record<string, unknown>);
  type JobDoc = ConstructorParameters<typeof Job>[0] & { spec: NonNullable<Job['spec']> };
  const [explore] = docs('explore-job.yaml') as [JobDoc];
  const [merge] = docs('merge-job.yaml') as [JobDoc];
  const script = (job: JobDoc): string => (job.spec.template.spec?.containers[0]?.args ?? []).join('\n');
  const env = (job: JobDoc, name: string): string | undefined => job.spec.template.spec?.containers[0]?.env?.find((e) => e.name === name)?.value;

  it('are valid against the Kubernetes schema', () => {
    for (const job of [explore, merge]) expect(() => new Job(job).validate()).not.toThrow();
    for (const pvc of docs('pvc.yaml')) expect(() => new PersistentVolumeClaim(pvc as ConstructorParameters<typeof PersistentVolumeClaim>[0]).validate()).not.toThrow();
    // The check has teeth: a wrong field is caught.
    expect(() => new Job({ ...explore, spec: { ...explore.spec, completionMode: 'Sharded' as 'Indexed' } }).validate()).toThrow(/completionMode/);
  });

  it('run shard JOB_COMPLETION_INDEX + 1 of SHARDS in each pod of an Indexed Job, then one merge', () => {
    expect(explore.spec.completionMode).toBe('Indexed');
    expect(explore.spec.completions).toBe(Number(env(explore, 'SHARDS')));
    expect(script(explore)).toContain('shard=$((JOB_COMPLETION_INDEX + 1))');
    expect(script(explore)).toContain('--shard "$shard/$SHARDS"');
    const calls = regsimCalls(script(explore));
    expect(calls[0]?.options).toEqual(expect.arrayContaining(['--seed', '--runs', '--shard', '--records']));
    expectKnownToCli(calls);
    const merged = regsimCalls(script(merge));
    expect(merged.map((c) => c.verb)).toEqual(['merge', 'findings']);
    expectKnownToCli(merged);
    // Both mount the one volume the shards write their records to.
    const claims = [explore, merge].map((j) => j.spec.template.spec?.volumes?.[0]?.persistentVolumeClaim?.claimName);
    expect(claims).toEqual(['regsim-records', 'regsim-records']);
  });
});
