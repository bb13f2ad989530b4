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
import type { TrainerMessage } from '../../src/protocol/messages';
import type { ComparedRun } from '../../src/protocol/runComparison';
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

/** The report as a browser in a light or dark system theme shows it (the report follows the system). */
async function openReport(colorScheme: 'dark' | 'light' = 'dark'): Promise<{ page: Page; problems: string[] }> {
  const page = await harness.browser.newPage({ viewport: { width: 1280, height: 1100 }, colorScheme });
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

  for (const theme of ['dark', 'light'] as const) {
    it(`give the six runs colours far apart from each other and readable on the background (${theme} theme)`, async () => {
      const { page, problems } = await openReport(theme);
      for (const chart of ['compare-loss', 'compare-lr']) {
        const { strokes, background } = await page.evaluate((id) => ({
          strokes: [...document.querySelectorAll(`.runs-overlay [data-series^="${id}-"] path.line`)].map((p) => getComputedStyle(p).stroke),
          background: getComputedStyle(document.body).backgroundColor,
        }), chart);
        assert.equal(strokes.length, 6, chart);
        const colours = strokes.map(rgb);
        for (let i = 0; i < 6; i++) {
          assert.ok(contrast(colours[i], rgb(background)) >= 3, `${chart} run ${i} (${strokes[i]}) on ${background}`);
          for (let j = i + 1; j < 6; j++) {
            const d = deltaE(colours[i], colours[j]);
            assert.ok(d >= 30, `${chart}: runs ${i} and ${j} (${strokes[i]}, ${strokes[j]}) are only ΔE ${d.toFixed(1)} apart`);
          }
        }
      }
      assert.deepEqual(problems, []);
      await screenshot(page, `compare-six-schedules-${theme}`);
      await page.close();
    });
  }

  it('draw one chart per figure the runs have: the batch metrics, the rate and the test figures per epoch', async () => {
    const { page } = await openReport();
    const charts = await page.$$eval('.runs-overlay [data-chart]', (els) => els.filter((e) => !(e as HTMLElement).hidden).map((e) => e.getAttribute('data-chart')));
    const embedded = JSON.parse(/<script type="application\/json" id="model-lens-runs">([\s\S]*?)<\/script>/.exec(fs.readFileSync(report, 'utf8'))![1]) as { messages: TrainerMessage[] }[];
    const all = embedded.flatMap((r) => r.messages);
    const batchNames = new Set(all.flatMap((m) => (m.type === 'batch' ? Object.keys(m.metrics) : [])));
    const testNames = new Set(all.flatMap((m) => (m.type === 'epochEnd' && m.test ? Object.keys(m.test) : [])));
    const expected = [...[...batchNames].map((n) => `compare-${n}`), 'compare-lr', ...[...testNames].map((n) => `compare-test-${n}`)];
    assert.deepEqual([...charts].sort(), expected.sort());
    await page.close();
  });
});

describe('the overlay of runs with other figures (regression metrics, validation, logged scalars)', () => {
  /** Two made-up runs posted as the host would: mae per batch, val mae and r2 per epoch, a logged scalar. */
  function run(i: number): ComparedRun {
    const steps = [1, 2, 3, 4];
    const series = (xs: number[], metrics: Record<string, number[]>) => ({ step: xs, epoch: xs.map((x) => x / 2), elapsedSec: xs.map((x) => x / 10), metrics });
    return {
      runId: `run-${i}`, label: `regressor · ${['cosine', 'step'][i]}`, file: '/x.ts', status: 'completed', params: { schedule: ['cosine', 'step'][i] }, results: {},
      steps: series(steps, { loss: steps.map((s) => 2 / s + i), mae: steps.map((s) => 1 / s + i), lr: steps.map(() => 0.1) }),
      epochs: series([2, 4], { val_mae: [0.8 - i / 10, 0.5], val_r2: [0.2, 0.6 + i / 10] }),
      scalars: series(steps, { reward: steps.map((s) => s * (i + 1)) }),
    };
  }

  it('draws a chart each for mae, val mae, val R² and the logged scalar, with both runs named in its legend', async () => {
    const page = await harness.open('dark');
    await page.evaluate((runs) => { window.postMessage({ type: 'compare', runs }, '*'); }, [run(0), run(1)]);
    await page.locator('.runs-overlay [data-chart="compare-scalar-reward"]').waitFor({ state: 'attached', timeout: 10_000 });
    await settled(page);
    for (const chart of ['compare-loss', 'compare-mae', 'compare-lr', 'compare-val-mae', 'compare-val-r2', 'compare-scalar-reward']) {
      assert.equal(await page.locator(`.runs-overlay [data-series^="${chart}-"]`).count(), 2, chart);
      assert.deepEqual(await legend(page, chart), ['regressor · cosine', 'regressor · step'], chart);
    }
    assert.equal(await page.locator('.runs-overlay [data-chart="compare-accuracy"]').count(), 0, 'no accuracy: no run has it');
    await screenshot(page, 'compare-named-metrics');
    await page.close();
  });
});

/** `rgb(r, g, b)` as numbers. */
function rgb(css: string): [number, number, number] {
  const m = /rgba?\((\d+), (\d+), (\d+)/.exec(css);
  assert.ok(m, `a colour: ${css}`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

const linear = (c: number) => { const v = c / 255; return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
const luminance = ([r, g, b]: number[]) => 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
/** WCAG's contrast ratio. */
const contrast = (a: number[], b: number[]) => { const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x); return (hi + 0.05) / (lo + 0.05); };

/** CIE76 ΔE between two sRGB colours (through XYZ, D65, and CIELAB). */
function deltaE(a: number[], b: number[]): number {
  const lab = ([r, g, bl]: number[]) => {
    const [R, G, B] = [linear(r), linear(g), linear(bl)];
    const xyz = [(0.4124 * R + 0.3576 * G + 0.1805 * B) / 0.95047, 0.2126 * R + 0.7152 * G + 0.0722 * B, (0.0193 * R + 0.1192 * G + 0.9505 * B) / 1.08883];
    const [fx, fy, fz] = xyz.map((t) => (t > 216 / 24389 ? Math.cbrt(t) : (24389 / 27 * t + 16) / 116));
    return [116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)];
  };
  const [p, q] = [lab(a), lab(b)];
  return Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]);
}
