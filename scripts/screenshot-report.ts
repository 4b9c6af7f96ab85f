// Renders an HTML report (from `regsim replay --html`) to a PNG with Debian's
// Chromium, for the README. Usage: tsx scripts/screenshot-report.ts in.html out.png [zoom steps]
// The chart is zoomed in (default 2 steps, 2.6x) around the first violation,
// as a reader would look at it; 0 keeps the whole run in view.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

const [input, output, steps = '2'] = process.argv.slice(2);
if (!input || !output || !/^\d+$/.test(steps)) {
  process.stderr.write('usage: tsx scripts/screenshot-report.ts <report.html> <out.png> [zoom steps]\n');
  process.exit(2);
}
const width = 1400;
const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'regsim-shot-')), {
  executablePath: process.env.REGSIM_CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  viewport: { width, height: 1000 },
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic'],
});
try {
  const page = await context.newPage();
  await page.goto(`file://${resolve(input)}`);
  for (let k = 0; k < Number(steps); k++) await page.click('[data-zoom="in"]');
  const jump = page.locator('.jump[data-i]').first();
  if ((await jump.count()) > 0) await jump.click();
  // A viewport as tall as the page, not fullPage: Chromium's full-page capture resets the chart's horizontal scroll.
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  await page.setViewportSize({ width, height });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: output });
} finally {
  await context.close();
}
