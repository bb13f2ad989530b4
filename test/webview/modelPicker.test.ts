// A script that trains two models (test/fixtures/scripts/fit-two-models.ts, run for real by the
// CLI) in the panel in real headless Chromium: a Model dropdown appears, the views show the model
// training last until another is picked, and then Graph, Summary, Training and Gradients all show
// the picked one (screenshots artifacts/screenshots/model-picker-*.png).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import type { TrainerMessage } from '../../src/protocol/messages';
import { screenshot, settled, startHarness, type Harness, type Theme } from '../helpers/panelHarness';
import { fixture } from '../helpers/fixtures';
import { recordedRun } from '../helpers/recordedRuns';
import { runCli } from '../helpers/runCli';

let harness: Harness;
let messages: TrainerMessage[];
before(async () => {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-picker-'));
  const run = runCli(['run', '--json', '--backend', 'cpu', '--gradient-every', '1', '--dir', path.join(cwd, 'runs'), fixture('scripts/fit-two-models.ts')],
    { cwd, timeoutMs: 120_000 });
  assert.equal(run.status, 0, run.stderr);
  messages = run.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as TrainerMessage);
  harness = await startHarness();
});
after(async () => { await harness?.close(); });

async function show(theme: Theme, shown: TrainerMessage[]): Promise<Page> {
  const page = await harness.open(theme);
  await page.evaluate((json) => { window.postMessage(JSON.parse(json), '*'); }, JSON.stringify({ type: 'snapshot', runId: 'r1', file: '/x.ts', messages: shown }));
  await settled(page);
  return page;
}

async function pick(page: Page, name: string): Promise<void> {
  const model = messages.find((m) => m.type === 'model' && m.name === name) as Extract<TrainerMessage, { type: 'model' }>;
  await page.evaluate((value) => {
    const select = document.querySelector('.model-choice') as HTMLElement & { value: string };
    select.value = value;
    select.dispatchEvent(new Event('change'));
  }, String(model.modelId));
  await settled(page);
}

async function tab(page: Page, view: string): Promise<void> {
  await page.click(`[data-tab="${view}"]`);
  await settled(page);
}

const layersIn = (page: Page, selector: string) => page.$$eval(selector, (els) => [...new Set(els.map((e) => e.getAttribute('data-layer')))].sort());
const batchesOf = (name: string) => {
  const id = (messages.find((m) => m.type === 'model' && m.name === name) as { modelId?: number }).modelId;
  return messages.filter((m) => m.type === 'batch' && m.modelId === id).length;
};

describe('Model picker: a script that trains two models', () => {
  it('is hidden for a run of one model', async () => {
    const page = await show('dark', recordedRun('mlp'));
    assert.equal(await page.locator('.model-picker').isVisible(), false);
    await page.close();
  });

  it('lists both models, shows the one that trained last, and every view follows the model picked', async () => {
    const page = await show('dark', messages);
    assert.equal(await page.locator('.model-picker').isVisible(), true);
    const options = await page.$$eval('.model-choice vscode-option', (os) => os.map((o) => o.textContent ?? ''));
    assert.equal(options.length, 2);
    assert.ok(options.some((o) => /small/.test(o)) && options.some((o) => /wide/.test(o)), options.join(' | '));

    await tab(page, 'graph');
    await page.waitForSelector('g.node[data-kind="layer"]');
    assert.deepEqual(await layersIn(page, 'g.node[data-kind="layer"]'), ['small_hidden', 'small_out'], 'the model that trained last');

    await pick(page, 'wide');
    await page.waitForSelector('g.node[data-layer="wide_first"]');
    assert.deepEqual(await layersIn(page, 'g.node[data-kind="layer"]'), ['wide_first', 'wide_out', 'wide_second']);
    await screenshot(page, 'model-picker-graph-dark');

    await tab(page, 'summary');
    const rows = await layersIn(page, '[data-view="summary"] [data-layer]');
    assert.ok(rows.includes('wide_second') && !rows.includes('small_hidden'), rows.join(' '));

    await tab(page, 'training');
    assert.equal(Number(await page.getAttribute('[data-series="loss-raw"]', 'data-points')), batchesOf('wide'));

    await tab(page, 'gradients');
    assert.deepEqual(await layersIn(page, '[data-view="gradients"] .layer-row'), ['wide_first', 'wide_out', 'wide_second']);

    await pick(page, 'small');
    assert.deepEqual(await layersIn(page, '[data-view="gradients"] .layer-row'), ['small_hidden', 'small_out']);
    await tab(page, 'training');
    assert.equal(Number(await page.getAttribute('[data-series="loss-raw"]', 'data-points')), batchesOf('small'));
    assert.deepEqual((page as unknown as { problems: string[] }).problems, []);
    await page.close();
  });

  it('looks like a VS Code dropdown in the light theme too', async () => {
    const page = await show('light', messages);
    await tab(page, 'graph');
    await page.waitForSelector('g.node[data-kind="layer"]');
    const png = await screenshot(page, 'model-picker-graph-light');
    assert.ok(fs.statSync(png).size > 5_000);
    await page.close();
  });
});
