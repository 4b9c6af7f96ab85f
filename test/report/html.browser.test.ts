// The HTML report in a real (headless) browser: Debian's Chromium driven by
// playwright-core. Without Chromium the suite skips, saying why,
// except under CI (env CI set), where a missing browser is a failure: CI
// installs it, so its absence means the pipeline is broken. Also writes
// out/report-example.png, a screenshot for humans to look at.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestContext } from 'vitest';
import { renderHtmlReport } from '../../src/report/html.ts';
import { lteRollbackRun } from './trace-builder.ts';

// REGSIM_CHROMIUM points elsewhere (a developer's own build); the default is Debian's package.
const CHROMIUM = process.env.REGSIM_CHROMIUM ?? '/usr/bin/chromium';
const SCREENSHOT = join(import.meta.dirname, '../../out/report-example.png');
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
];

const run = lteRollbackRun();

interface Session {
  context: BrowserContext;
  page: Page;
  dir: string;
  consoleErrors: string[];
  foreignRequests: string[];
}

// CI systems set CI=true (or 1); treat an explicit "false"/"0" as not CI.
const inCI = (process.env.CI ?? '') !== '' && !/^(0|false)$/i.test(process.env.CI ?? '');

let session: Session | undefined;
let skipReason: string | undefined;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    const why = `${CHROMIUM} is missing (install it: apt-get install -y chromium)`;
    if (inCI) throw new Error(`CI must provide Chromium for the browser tests: ${why}`);
    skipReason = `browser tests skipped: ${why}`;
    console.warn(skipReason);
    return;
  }
  // Imported here, not at the top, so a missing package is one clear failure.
  const { chromium } = await import('playwright-core');
  const dir = mkdtempSync(join(tmpdir(), 'regsim-report-'));
  // launchPersistentContext is playwright's way to pass a fresh --user-data-dir.
  const context = await chromium.launchPersistentContext(join(dir, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1400, height: 1000 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const s: Session = { context, page, dir, consoleErrors: [], foreignRequests: [] };
  page.on('console', (msg) => {
    if (msg.type() === 'error') s.consoleErrors.push(msg.text());
  });
  page.on('pageerror', (err) => s.consoleErrors.push(`page error: ${err.message}`));
  page.on('request', (req) => {
    if (!/^(file|data):/.test(req.url())) s.foreignRequests.push(req.url());
  });
  const file = join(dir, 'report.html');
  writeFileSync(
    file,
    renderHtmlReport(run.trace, run.violations, {
      title: 'regsim · lte-rollback replay',
      repro: 'npx regsim run fixtures/lte-rollback.json --variant lte-rollback',
      scenarioJson: JSON.stringify({ nodes: ['n1', 'n2', 'n3'], variant: 'lte-rollback' }, null, 2),
      verdict: 'safety-violation',
      traceHash: '9f2c4e1ab07d5e33c1d0aa5e61b2f4c8',
    }),
  );
  await page.goto(pathToFileURL(file).href);
  session = s;
}, 60_000);

afterAll(async () => {
  if (!session) return;
  await session.context.close();
  rmSync(session.dir, { recursive: true, force: true });
});

/** The open page, or skip this test with the reason. */
function page(ctx: TestContext): Page {
  if (skipReason !== undefined) ctx.skip(skipReason);
  if (!session) throw new Error('browser session did not start');
  return session.page;
}

describe('HTML report in Chromium', () => {
  it('draws one lane per node, labelled', async (ctx) => {
    const p = page(ctx);
    expect(await p.locator('.lane').evaluateAll((els) => els.map((e) => e.getAttribute('data-node')))).toEqual(['n1', 'n2', 'n3']);
    expect(await p.locator('.lane-lab .node-name').allTextContents()).toEqual(['n1', 'n2', 'n3']);
    // n2 ends halted; its label says so.
    await expect.poll(() => p.locator('.lane-lab[data-node="n2"] .st-halted').textContent()).toBe('halted @0');
  });

  it('shows the violation with its explanation, marked on the lane', async (ctx) => {
    const p = page(ctx);
    const card = p.locator('.violation');
    expect(await card.count()).toBe(1);
    const v = run.violations[0];
    expect(v).toBeDefined();
    if (!v) return;
    expect(await card.locator('.v-name').textContent()).toBe(v.invariant);
    expect(await card.locator('.v-explain').textContent()).toBe(v.explanation);
    expect(await p.locator(`.lane[data-node="n2"] .vring[data-i="${run.haltEvent}"]`).count()).toBe(1);
    expect(await p.locator(`.vline[data-i="${run.haltEvent}"]`).count()).toBe(1);
    // The page opens on the violating event.
    expect(await p.locator('#details h3 .d-i').textContent()).toBe(`#${run.haltEvent}`);
    expect(await p.locator('#details .d-viol').textContent()).toContain(v.message);
    expect(await p.locator(`#log li.viol[data-i="${run.haltEvent}"]`).count()).toBe(1);
  });

  it('shows every node registry rows when an event is clicked', async (ctx) => {
    const p = page(ctx);
    // Event order spreads the marks apart, so a real click lands on the one we mean.
    await p.click('[data-mode="seq"]');
    const firstApply = run.trace.findIndex((ev) => ev.kind === 'apply' && ev.node === 'n1');
    await p.click(`.lane[data-node="n1"] .m[data-i="${firstApply}"]`);
    expect(await p.locator('#details h3 .d-i').textContent()).toBe(`#${firstApply}`);
    const own = p.locator('#details .reg.this[data-node="n1"] .rows tr:not(:first-child)');
    expect(await own.count()).toBe(1);
    expect(await own.first().getAttribute('class')).toBe('written');
    expect(await own.first().locator('td').allTextContents()).toEqual(['1', '0xd4c0', 'n1', '0x08b37b07b558d4c0', '1', '1']);
    // The other replicas have applied nothing yet.
    expect(await p.locator('#details .reg[data-node="n3"] .note').textContent()).toContain('0 rows');

    // A later event: n2 after its restart holds all three rows from its disk.
    const restart = run.trace.findIndex((ev) => ev.kind === 'restart');
    await p.click(`#log li[data-i="${restart}"]`);
    expect(await p.locator('#details h3 .d-i').textContent()).toBe(`#${restart}`);
    const slots = await p.locator('#details .reg[data-node="n2"] .rows tr:not(:first-child) td:nth-child(2)').allTextContents();
    expect(slots).toEqual(['0xd4c0', '0xd826', '0xd9d9']);
    expect(await p.locator(`.m.sel[data-i="${restart}"]`).count()).toBe(1);
  });

  it('steps with the arrow keys and zooms', async (ctx) => {
    const p = page(ctx);
    const from = Number((await p.locator('#details h3 .d-i').textContent())?.slice(1));
    await p.keyboard.press('ArrowRight');
    expect(Number((await p.locator('#details h3 .d-i').textContent())?.slice(1))).toBeGreaterThan(from);
    const before = await p.locator('#track').evaluate((e) => (e as HTMLElement).offsetWidth);
    await p.click('[data-zoom="in"]');
    const after = await p.locator('#track').evaluate((e) => (e as HTMLElement).offsetWidth);
    expect(after).toBeGreaterThan(before * 1.4);
    await p.click('[data-zoom="fit"]');
    await p.click('[data-mode="time"]');
  });

  it('logs no console errors, fetches nothing, and leaves a screenshot', async (ctx) => {
    const p = page(ctx);
    if (!session) return;
    await p.click(`.jump[data-i="${run.haltEvent}"]`);
    mkdirSync(join(SCREENSHOT, '..'), { recursive: true });
    await p.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(existsSync(SCREENSHOT)).toBe(true);
    expect(session.consoleErrors).toEqual([]);
    expect(session.foreignRequests).toEqual([]);
  });
});
