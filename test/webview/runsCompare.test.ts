// The course's lesson on learning-rate schedules: the MLP trained with each of the six schedules
// (tiny data, CLI, a temporary project), listed by `runs list --json`, and overlaid in one Training
// view (a report of the six runs in real Chromium): six named curves on the loss and LR charts,
// x by step, epoch or wall time, and the runs' table sorted by any column.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { fixture } from '../helpers/fixtures';
import { screenshot, settled, startHarness, type Harness } from '../helpers/panelHarness';
import { runCli } from '../helpers/runCli';

const SCHEDULES: Record<string, string> = {
  step: "{ type: 'step', stepSize: 1, gamma: 0.5 }",
  exponential: "{ type: 'exponential', gamma: 0.8 }",
  cosine: "{ type: 'cosine', tMax: 4 }",
  oneCycle: "{ type: 'oneCycle', maxLr: 0.3 }",
  plateau: "{ type: 'plateau', patience: 0, factor: 0.5 }",
  cyclic: "{ type: 'cyclic', baseLr: 0.01, maxLr: 0.2, stepSizeUp: 4 }",
};

let harness: Harness;
let root: string;
let listed: { id: string; schedule: { type: string } | null; test: { accuracy?: number }; steps: number }[];
let report: string;

before(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-compare-'));
  fs.writeFileSync(path.join(root, 'package.json'), '{}');
  const file = path.join(root, 'mlp.ts');
  const source = fs.readFileSync(fixture('train/tiny-mlp.ts'), 'utf8');
  for (const schedule of Object.values(SCHEDULES)) {
    const edited = source.replace("loss: 'categoricalCrossentropy' }", `loss: 'categoricalCrossentropy', schedule: ${schedule} }`);
    assert.notEqual(edited, source, 'the tiny MLP fixture still ends its training with the loss');
    fs.writeFileSync(file, edited);
    const run = runCli(['train', file, '--epochs', '2', '--limit', '160', '--test-limit', '100', '--backend', 'cpu'], { timeoutMs: 120_000 });
    assert.equal(run.status, 0, run.stderr);
  }
  const list = runCli(['runs', 'list', '--json'], { cwd: root });
  assert.equal(list.status, 0, list.stderr);
  listed = JSON.parse(list.stdout);
  report = path.join(root, 'six-schedules.html');
  const written = runCli(['report', ...listed.map((r) => r.id), '-o', report], { cwd: root });
  assert.equal(written.status, 0, written.stderr);
  harness = await startHarness();
});
after(async () => {
  await harness?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

async function openReport(): Promise<{ page: Page; problems: string[] }> {
  const page = await harness.browser.newPage({ viewport: { width: 1280, height: 1100 } });
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(pathToFileURL(report).href);
  await page.locator('.runs-overlay [data-series^="compare-loss-"]').first().waitFor({ state: 'attached', timeout: 15_000 });
  await settled(page);
  return { page, problems };
}

const legend = (page: Page, chart: string) => page.locator(`[data-chart="${chart}"] .legend-label`).allTextContents();

describe('the six schedules of the course, side by side', () => {
  it('are listed by runs list --json with their schedule and final test accuracy', () => {
    assert.deepEqual(listed.map((r) => r.schedule?.type), Object.keys(SCHEDULES));
    for (const r of listed) {
      assert.equal(r.steps, 20);
      const accuracy = r.test.accuracy;
      assert.ok(accuracy !== undefined && accuracy >= 0 && accuracy <= 1, `${r.id}: ${accuracy}`);
    }
  });

  it('draw six named curves on the loss and learning-rate charts of one Training view', async () => {
    const { page, problems } = await openReport();
    for (const chart of ['compare-loss', 'compare-lr']) {
      const curves = page.locator(`.runs-overlay [data-series^="${chart}-"]`);
      assert.equal(await curves.count(), 6, chart);
      for (let i = 0; i < 6; i++) assert.equal(await curves.nth(i).getAttribute('data-x-last'), '20', `${chart} ${i} ends at step 20`);
      const labels = await legend(page, chart);
      assert.equal(labels.length, 6, `${chart} legend: ${labels.join(', ')}`);
      // Each run is named by what tells it apart: its schedule.
      for (const schedule of Object.keys(SCHEDULES)) assert.equal(labels.filter((l) => l.includes(` · ${schedule}`)).length, 1, `${chart}: ${schedule} in ${labels.join(', ')}`);
    }
    // Six different learning-rate curves: their paths differ.
    const paths = await page.locator('.runs-overlay [data-series^="compare-lr-"]').evaluateAll((els) => els.map((e) => [...e.querySelectorAll('path')].map((p) => p.getAttribute('d')).join(' ')));
    assert.equal(new Set(paths).size, 6);
    assert.deepEqual(problems, []);
    const png = await screenshot(page, 'compare-six-schedules');
    assert.ok(fs.statSync(png).size > 10_000);
    await page.close();
  });

  it('switches the x axis to epochs and to wall time', async () => {
    const { page } = await openReport();
    for (const [axis, last] of [['epoch', (x: number) => x === 2], ['elapsedSec', (x: number) => x > 0]] as const) {
      await page.evaluate((value) => {
        const select = document.querySelector('.overlay-x') as HTMLElement & { value: string };
        select.value = value;
        select.dispatchEvent(new Event('change'));
      }, axis);
      await settled(page);
      const curve = page.locator(`.runs-overlay [data-series="compare-loss-0-${axis}"]`);
      await curve.waitFor({ state: 'attached', timeout: 5_000 });
      assert.ok(last(Number(await curve.getAttribute('data-x-last'))), `${axis}: ${await curve.getAttribute('data-x-last')}`);
    }
    await page.close();
  });

  it('sorts the runs\' table by a result, best first, and by a parameter', async () => {
    const { page } = await openReport();
    const rows = page.locator('.overlay-table tbody tr');
    assert.equal(await rows.count(), 6);
    await page.click('.overlay-table th[data-column="result:test_accuracy"]');
    await settled(page);
    const order = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-run')));
    const byAccuracy = [...listed].sort((a, b) => (b.test.accuracy ?? 0) - (a.test.accuracy ?? 0));
    assert.deepEqual(order.map((id) => listed.find((r) => r.id === id)!.test.accuracy), byAccuracy.map((r) => r.test.accuracy));
    await page.click('.overlay-table th[data-column="param:schedule"]');
    await settled(page);
    const schedules = await page.locator('.overlay-table tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-run')));
    const expected = [...listed].sort((a, b) => a.schedule!.type.localeCompare(b.schedule!.type)).map((r) => r.id);
    assert.deepEqual(schedules, expected);
    await page.close();
  });
});
