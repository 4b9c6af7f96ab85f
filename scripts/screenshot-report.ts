// Renders an HTML report (from `regsim replay --html`) to a PNG with Debian's
// Chromium, for the README. Usage: tsx scripts/screenshot-report.ts in.html out.png
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

const [input, output] = process.argv.slice(2);
if (!input || !output) {
  process.stderr.write('usage: tsx scripts/screenshot-report.ts <report.html> <out.png>\n');
  process.exit(2);
}
const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'regsim-shot-')), {
  executablePath: process.env.REGSIM_CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  viewport: { width: 1400, height: 1000 },
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic'],
});
try {
  const page = await context.newPage();
  await page.goto(`file://${resolve(input)}`);
  await page.screenshot({ path: output, fullPage: true });
} finally {
  await context.close();
}
