import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { postToPanel, screenshot, settled, startHarness, type Harness } from '../helpers/panelHarness';
import { recordedRun } from '../helpers/recordedRuns';

let harness: Harness;
before(async () => { harness = await startHarness(); });
after(async () => { await harness.close(); });

describe('panel smoke', () => {
  it('shows the summary of a recorded MLP run', async () => {
    const messages = recordedRun('mlp');
    const page = await harness.open('dark');
    await postToPanel(page, [{ type: 'snapshot', runId: 'r1', file: '/x.ts', messages }]);
    await page.click('[data-tab="summary"]');
    await settled(page);
    const total = await page.textContent('[data-total="Total params"]');
    assert.equal(total, '468,874');
    await screenshot(page, 'smoke-summary-dark');
  });

  it('warms up an unseen training view while waiting, and leaves no trace once the run arrives', async () => {
    const page = await harness.open('dark');
    // Before any run: the made-up run is drawn off screen, into charts nobody sees.
    await page.waitForFunction(() => document.documentElement.dataset.trainingWarmUp, undefined, { timeout: 15_000 });
    const warmUp = JSON.parse(await page.evaluate(() => document.documentElement.dataset.trainingWarmUp!));
    assert.equal(warmUp.finished, true, 'with no run coming, the warm-up draws the whole made-up run');
    assert.ok(warmUp.renders >= 20, `${warmUp.renders} renders`);
    assert.equal(warmUp.offScreen, true, 'always off screen');
    // The host's first snapshot comes while the trainer loads; the model and batches follow.
    const run = recordedRun('mlp');
    await postToPanel(page, [{ type: 'snapshot', runId: 'r1', file: '/x.ts', messages: run.filter((m) => m.type === 'ready') }]);
    await postToPanel(page, [{ type: 'messages', runId: 'r1', messages: run.filter((m) => m.type !== 'ready') }]);
    await page.waitForFunction(() => !document.querySelector('.view-training[aria-hidden="true"]'), undefined, { timeout: 5_000 });
    const saved = await page.evaluate(() => (window as unknown as { acquireVsCodeApi(): { getState(): unknown } }).acquireVsCodeApi().getState());
    assert.ok(!JSON.stringify(saved ?? {}).includes('warm-up'), 'nothing of the warm-up in the saved UI state');
    await page.click('[data-tab="training"]');
    await settled(page);
    assert.equal(await page.$$eval('.view-training', (els) => els.length), 1);
    assert.ok(await page.$('.view-training [data-series="loss-raw"]'), 'the real loss chart is drawn');
  });
});
