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
});
