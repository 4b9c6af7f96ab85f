// The HTML report in a real (headless) browser: Debian's Chromium driven by
// playwright-core. Without Chromium the suite skips, saying why,
// except under CI (env CI set), where a missing browser is a failure: CI
// installs it, so its absence means the pipeline is broken. Also writes
// out/report-example.png, a screenshot for humans to look at.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestContext } from 'vitest';
import { scenarioOf } from '../../src/explore/index.ts';
import { renderHtmlReport } from '../../src/report/html.ts';
import { loadScenario, runScenario } from '../../src/scenario/index.ts';
import { lteRollbackRun } from './trace-builder.ts';

// REGSIM_CHROMIUM points elsewhere (a developer's own build, GitHub's runner's
// /usr/bin/google-chrome), or is "skip" (no browser test, even under CI); the default is Debian's package.
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
// The README's worked example, run for real: client attempts, a retry committed twice, three violations.
const example = runScenario(loadScenario(readFileSync(join(import.meta.dirname, '../../docs/example-lte-rollback.json'), 'utf8')), {
  variant: 'lte-rollback',
});
// A long generated run (the first of seed 5 with over a thousand events and fifty attempts): where labels would collide.
const long = ((): ReturnType<typeof runScenario> => {
  for (let i = 0; i < 50; i++) {
    const r = runScenario(scenarioOf({ seed: 5, variant: 'correct', guardSwarm: true }, i));
    if (r.trace.length > 1000 && r.trace.filter((e) => e.kind === 'propose').length > 50) return r;
  }
  throw new Error('no long run among the first 50 of seed 5');
})();

interface Session {
  context: BrowserContext;
  page: Page;
  example: Page;
  long: Page;
  dir: string;
  consoleErrors: string[];
  foreignRequests: string[];
}

// CI systems set CI=true (or 1); treat an explicit "false"/"0" as not CI.
const inCI = (process.env.CI ?? '') !== '' && !/^(0|false)$/i.test(process.env.CI ?? '');

let session: Session | undefined;
let skipReason: string | undefined;

beforeAll(async () => {
  if (CHROMIUM === 'skip') {
    skipReason = 'browser tests skipped: REGSIM_CHROMIUM=skip';
    console.warn(skipReason);
    return;
  }
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
  const consoleErrors: string[] = [];
  const foreignRequests: string[] = [];
  const open = async (name: string, html: string): Promise<Page> => {
    const page = await context.newPage();
    page.on('console', (msg) => {
      if (msg.type() === 'error') consoleErrors.push(`${name}: ${msg.text()}`);
    });
    page.on('pageerror', (err) => consoleErrors.push(`${name}: page error: ${err.message}`));
    page.on('request', (req) => {
      if (!/^(file|data):/.test(req.url())) foreignRequests.push(req.url());
    });
    const file = join(dir, `${name}.html`);
    writeFileSync(file, html);
    await page.goto(pathToFileURL(file).href);
    return page;
  };
  const meta = (verdict: string) => ({ title: 'regsim · replay', verdict, traceHash: '9f2c4e1ab07d5e33c1d0aa5e61b2f4c8' });
  const report = await open(
    'report',
    renderHtmlReport(run.trace, run.violations, {
      title: 'regsim · lte-rollback replay',
      repro: 'npx regsim run fixtures/lte-rollback.json --variant lte-rollback',
      scenarioJson: JSON.stringify({ nodes: ['n1', 'n2', 'n3'], variant: 'lte-rollback' }, null, 2),
      verdict: 'safety-violation',
      traceHash: '9f2c4e1ab07d5e33c1d0aa5e61b2f4c8',
    }),
  );
  session = {
    context,
    dir,
    consoleErrors,
    foreignRequests,
    page: report,
    example: await open('example', renderHtmlReport(example.trace, example.violations, meta(example.verdict))),
    long: await open('long', renderHtmlReport(long.trace, long.violations, meta(long.verdict))),
  };
}, 60_000);

afterAll(async () => {
  if (!session) return;
  await session.context.close();
  rmSync(session.dir, { recursive: true, force: true });
});

/** One of the open pages, brought to the front (a page behind others gets no animation frames), or skip this test with the reason. */
async function page(ctx: TestContext, which: 'page' | 'example' | 'long' = 'page'): Promise<Page> {
  if (skipReason !== undefined) ctx.skip(skipReason);
  if (!session) throw new Error('browser session did not start');
  await session[which].bringToFront();
  return session[which];
}

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Pairs of boxes that share area (as "i~j"). */
function overlapping(boxes: readonly Box[]): string[] {
  const out: string[] = [];
  boxes.forEach((a, i) =>
    boxes.forEach((b, j) => {
      if (j <= i) return;
      const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
      const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
      if (w > 0.5 && h > 0.5) out.push(`${i}~${j}`);
    }),
  );
  return out;
}

/**
 * Every piece of text on the chart as drawn: flags, ticks, leader terms, bar
 * and network labels, clipped to the bar or band that holds them.
 */
function visibleLabels(p: Page): Promise<Box[]> {
  return p.evaluate(() => {
    const view = document.getElementById('scroller')?.getBoundingClientRect();
    const clip = (r: DOMRect, by: DOMRect | undefined): Box | undefined => {
      const x = Math.max(r.left, by?.left ?? -Infinity);
      const y = Math.max(r.top, by?.top ?? -Infinity);
      const width = Math.min(r.right, by?.right ?? Infinity) - x;
      const height = Math.min(r.bottom, by?.bottom ?? Infinity) - y;
      return width > 0 && height > 0 ? { x, y, width, height } : undefined;
    };
    const text = [...document.querySelectorAll('.vline span, .cline span, .tick, .m-leader, .abar span, .s-net span')].filter(
      (e) => (e.textContent ?? '') !== '' && getComputedStyle(e).visibility !== 'hidden' && getComputedStyle(e).display !== 'none' && getComputedStyle(e).color !== 'rgba(0, 0, 0, 0)' && getComputedStyle(e).fontSize !== '0px',
    );
    return text
      .map((e) => {
        const holder = e.matches('.abar span, .s-net span') ? e.parentElement?.getBoundingClientRect() : undefined;
        const inView = clip(e.getBoundingClientRect(), view);
        return inView ? clip(new DOMRect(inView.x, inView.y, inView.width, inView.height), holder) : undefined;
      })
      .filter((b): b is Box => b !== undefined);
  });
}

describe('HTML report in Chromium', () => {
  it('draws one lane per node, labelled', async (ctx) => {
    const p = await page(ctx);
    expect(await p.locator('.lane').evaluateAll((els) => els.map((e) => e.getAttribute('data-node')))).toEqual(['n1', 'n2', 'n3']);
    expect(await p.locator('.lane-lab .node-name').allTextContents()).toEqual(['n1', 'n2', 'n3']);
    // n2 ends halted; its label says so.
    await expect.poll(() => p.locator('.lane-lab[data-node="n2"] .st-halted').textContent()).toBe('halted @0');
  });

  it('shows the violation on a line, its explanation folded, marked on the lane', async (ctx) => {
    const p = await page(ctx);
    const line = p.locator('.v-line');
    expect(await line.count()).toBe(1);
    const v = run.violations[0];
    expect(v).toBeDefined();
    if (!v) return;
    expect(await line.locator('.v-name').textContent()).toBe(v.invariant);
    expect(await line.locator('.v-msg').textContent()).toBe(v.message);
    const why = p.locator('.v-why .v-explain');
    expect(await why.isVisible()).toBe(false);
    await p.click('.v-why summary');
    expect(await why.isVisible()).toBe(true);
    expect(await why.textContent()).toBe(v.explanation);
    expect(await p.locator(`.lane[data-node="n2"] .vring[data-i="${run.haltEvent}"]`).count()).toBe(1);
    expect(await p.locator(`.vline[data-i="${run.haltEvent}"]`).count()).toBe(1);
    // The page opens on the violating event.
    expect(await p.locator('#details h3 .d-i').textContent()).toBe(`#${run.haltEvent}`);
    expect(await p.locator('#details .d-viol').textContent()).toContain(v.message);
    expect(await p.locator(`#log li.viol[data-i="${run.haltEvent}"]`).count()).toBe(1);
  });

  it('shows every node registry rows when an event is clicked', async (ctx) => {
    const p = await page(ctx);
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
    const p = await page(ctx);
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

  it('puts the violation summary, then the whole chart, above the fold', async (ctx) => {
    const p = await page(ctx, 'example');
    const summary = await p.locator('section.violations').boundingBox();
    const chart = await p.locator('.chart-wrap').boundingBox();
    if (!summary || !chart) throw new Error('no summary or chart');
    expect(await p.locator('.v-line').count()).toBe(3);
    expect(summary.y + summary.height).toBeLessThanOrEqual(chart.y);
    expect(chart.y + chart.height).toBeLessThanOrEqual(1000);
  });

  it('draws each client attempt as a bar, bars of a row never overlapping', async (ctx) => {
    const p = await page(ctx, 'example');
    const bars = p.locator('.clients .abar');
    expect(await bars.count()).toBe(example.trace.filter((ev) => ev.kind === 'propose').length);
    const boxes = await bars.evaluateAll((els) => els.map((e) => e.getBoundingClientRect().toJSON() as DOMRect));
    expect(boxes.every((b) => b.width >= 3 && b.height > 0)).toBe(true);
    expect(overlapping(boxes)).toEqual([]);
    expect(await p.locator('.abar.a-dup span').allTextContents()).toEqual(['p2#1', 'p2#2']);
    // The arc between the two commits is drawn (one path per axis, the time one showing).
    const arc = await p.locator('.alinks .l-t').boundingBox();
    expect(arc?.width).toBeGreaterThan(10);
  });

  it('links the two commits of the retried registration: clicking one lights the other and their applies', async (ctx) => {
    const p = await page(ctx, 'example');
    const first = example.trace.findIndex((ev) => ev.kind === 'propose' && ev.requestId === 'p2#1');
    const second = example.trace.findIndex((ev) => ev.kind === 'propose' && ev.requestId === 'p2#2');
    await p.click(`.abar[data-i="${first}"]`);
    expect(await p.locator('#details h3 .d-i').textContent()).toBe(`#${first}`);
    expect(await p.locator(`.abar.sel[data-i="${first}"]`).count()).toBe(1);
    expect(await p.locator(`.abar.twin[data-i="${second}"]`).count()).toBe(1);
    // Every node applied the entry at #4 and reached it again at #8.
    const applies = example.trace.flatMap((ev, i) => (ev.kind === 'apply' && (ev.index === 4 || ev.index === 8) ? [String(i)] : []));
    expect((await p.locator('.m.twin').evaluateAll((els) => els.map((e) => e.getAttribute('data-i')))).sort()).toEqual(applies.sort());
    const note = p.locator('#details .d-att');
    expect(await note.textContent()).toContain('and so did p2#2 at #8');
    // The details pane jumps to the twin.
    await note.locator('button', { hasText: 'p2#2' }).click();
    expect(await p.locator('#details h3 .d-i').textContent()).toBe(`#${second}`);
    expect(await p.locator(`.abar.twin[data-i="${first}"]`).count()).toBe(1);
    // The violating apply names the attempt it came from.
    await p.click(`.jump[data-i="${example.violations[0]?.eventIndex}"]`);
    expect(await p.locator('#details .d-att').textContent()).toContain('duplicate commit of p2#2');
  });

  it('says on hover what became of an attempt', async (ctx) => {
    const p = await page(ctx, 'example');
    const lost = example.trace.findIndex((ev) => ev.kind === 'propose' && ev.requestId === 'p3#2');
    await p.hover(`.abar[data-i="${lost}"]`, { position: { x: 4, y: 4 } });
    expect(await p.locator('#tip').textContent()).toContain('not committed at #9 t1 by the end of the run');
  });

  it('keeps labels apart on a long run, at every zoom and on both axes', async (ctx) => {
    const p = await page(ctx, 'long');
    expect(long.trace.length).toBeGreaterThan(1000);
    expect(await p.locator('.abar').count()).toBeGreaterThan(50);
    for (const step of ['time', 'in', 'in', 'in', 'seq', 'fit', 'time']) {
      await p.click(step === 'time' || step === 'seq' ? `[data-mode="${step}"]` : `[data-zoom="${step}"]`);
      expect(overlapping(await visibleLabels(p)), `after ${step}`).toEqual([]);
    }
  });

  it('logs no console errors, fetches nothing, and leaves a screenshot', async (ctx) => {
    const p = await page(ctx);
    if (!session) return;
    await p.click(`.jump[data-i="${run.haltEvent}"]`);
    mkdirSync(join(SCREENSHOT, '..'), { recursive: true });
    await p.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(existsSync(SCREENSHOT)).toBe(true);
    expect(session.consoleErrors).toEqual([]);
    expect(session.foreignRequests).toEqual([]);
  });
});
