// The Step through view in real headless Chromium, fed traces the CLI made for the course MLP and
// CNN and a residual CNN: its buttons post the checked commands, ←/→ walk every stage (forward per
// layer, loss, backward per layer in reverse topological order, update), and every stage is saved as
// a screenshot in dark and light (artifacts/screenshots/step-*.png).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { checkPanelToHost } from '../../src/protocol/panelMessages';
import type { TraceMessage, TrainerMessage } from '../../src/protocol/messages';
import { example, fixture } from '../helpers/fixtures';
import { screenshot, settled, startHarness, type Harness, type Theme } from '../helpers/panelHarness';
import { runCli } from '../helpers/runCli';

let harness: Harness;
const runs: Record<string, TrainerMessage[]> = {};

function tracedRun(file: string, limit: number): TrainerMessage[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-step-'));
  const run = runCli(['train', file, '--trace-step', '1', '--json', '--epochs', '1', '--limit', String(limit), '--test-limit', '20', '--backend', 'cpu', '--dir', dir],
    { timeoutMs: 300_000 });
  assert.equal(run.status, 0, run.stderr);
  const messages = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as TrainerMessage);
  const at = messages.findIndex((m) => m.type === 'trace');
  assert.ok(at > 0);
  const trace = messages[at] as TraceMessage;
  // As the panel sees a run paused after its traced step.
  return [...messages.slice(0, at + 1).filter((m) => m.type !== 'done'), { type: 'paused', epoch: trace.epoch, step: trace.step }];
}

before(async () => {
  runs.mlp = tracedRun(example('mnist-mlp.ts'), 256);
  runs.cnn = tracedRun(example('mnist-cnn.ts'), 64);
  runs.residual = tracedRun(fixture('residual-cnn.ts'), 64);
  harness = await startHarness();
});
after(async () => { await harness?.close(); });

async function show(messages: TrainerMessage[], theme: Theme): Promise<Page> {
  const page = await harness.open(theme, { width: 1280, height: 900 });
  await page.evaluate((json) => { window.postMessage(JSON.parse(json), '*'); }, JSON.stringify({ type: 'snapshot', runId: 'r1', file: '/x.ts', messages }));
  await page.click('[data-tab="step"]');
  await settled(page);
  return page;
}

const posted = (page: Page) => page.evaluate(() => (window as unknown as { __posted: unknown[] }).__posted);

describe('Step through view', () => {
  it('posts pause-and-trace, step and resume commands that pass the host\'s check', async () => {
    const page = await show(runs.mlp, 'dark');
    await page.fill('.step-at', '7');
    await page.fill('.step-sample', '3');
    await page.click('.step-trace');
    await page.click('.step-one');
    await page.click('.step-resume');
    const commands = (await posted(page)).filter((m) => (m as { type: string }).type === 'stepControl');
    assert.deepEqual(commands, [
      { type: 'stepControl', command: { type: 'trace', step: 7, sample: 3 } },
      { type: 'stepControl', command: { type: 'step', count: 1 } },
      { type: 'stepControl', command: { type: 'resume' } },
    ]);
    for (const c of commands) assert.ok(checkPanelToHost(c).ok);
    await page.close();
  });

  for (const [model, layers] of [['mlp', 4], ['cnn', 7]] as const) {
    for (const theme of ['dark', 'light'] as const) {
      it(`walks every stage of the ${model.toUpperCase()}'s traced step with the keyboard (${theme}), saving each`, async () => {
        const page = await show(runs[model], theme);
        const stages = 2 * layers + 2;
        const titles: string[] = [];
        await page.focus('.view-step');
        for (let i = 0; i < stages; i++) {
          titles.push((await page.textContent('.step-stage-title')) ?? '');
          const kind = await page.getAttribute('.view-step', 'data-stage');
          await screenshot(page, `step-${model}-${theme}-${String(i + 1).padStart(2, '0')}-${kind}`);
          // Each stage lights its layer on the chain; a backward stage also lights the edges in reverse.
          assert.ok(await page.locator('.step-box[class*="lit-"]').count() >= 1, titles[i]);
          if (kind === 'backward') assert.ok(await page.locator('.step-edge.lit-backward').count() >= 1);
          await page.keyboard.press('ArrowRight');
          await settled(page);
        }
        assert.match(titles[0], /^1\/\d+ +Forward 1:/);
        assert.match(titles[layers], /Loss: categoricalCrossentropy/);
        assert.match(titles[layers + 1], new RegExp(`Backward 1: ${model === 'mlp' ? 'fc3' : 'fc2'} \\(Dense, softmax\\)`));
        assert.match(titles.at(-1)!, /Update/);
        // → at the last stage stays there; ← goes back one.
        assert.equal(await page.textContent('.step-stage-title'), titles.at(-1));
        await page.keyboard.press('ArrowLeft');
        await settled(page);
        assert.equal(await page.textContent('.step-stage-title'), titles.at(-2));
        assert.deepEqual((page as unknown as { problems: string[] }).problems, []);
        await page.close();
      });
    }
  }

  for (const theme of ['dark', 'light'] as const) {
    it(`walks the residual CNN backward in reverse topological order to the fork, where the two paths add up (${theme})`, async () => {
      const page = await show(runs.residual, theme);
      const trace = runs.residual.find((m): m is TraceMessage => m.type === 'trace')!;
      const names = trace.layers.map((l) => l.layer);
      await page.focus('.view-step');
      const backward: string[] = [];
      for (let i = 0; i <= 2 * names.length; i++) {
        const title = (await page.textContent('.step-stage-title')) ?? '';
        const match = /Backward \d+: (\S+)/.exec(title);
        if (match) backward.push(match[1]);
        if (match?.[1] === 'residual') await screenshot(page, `step-residual-${theme}-add-backward`);
        await page.keyboard.press('ArrowRight');
        await settled(page);
      }
      assert.deepEqual(backward, [...names].reverse());
      // The skip edge is drawn from the stem to the Add, beside the path through the block.
      assert.equal(await page.locator('path.step-edge[data-from="stem"][data-to="residual"]').count(), 1);
      assert.equal(await page.locator('path.step-edge[data-from="block_conv2"][data-to="residual"]').count(), 1);
      await page.keyboard.press('ArrowLeft');
      await settled(page);
      assert.match((await page.textContent('.step-stage-title')) ?? '', /Backward 8: stem \(Conv2D, relu\)/);
      await screenshot(page, `step-residual-${theme}-fork-backward`);
      // At the fork: both edges to its consumers and the one to its source carry the gradient back.
      const lit = await page.locator('path.step-edge.lit-backward').evaluateAll((es) => es.map((e) => `${e.getAttribute('data-from')}→${e.getAttribute('data-to')}`));
      assert.deepEqual(lit.sort(), ['image→stem', 'stem→block_conv1', 'stem→residual']);
      assert.equal(await page.textContent('.step-sum'), 'Σ of 2 paths');
      assert.match((await page.textContent('.step-filled')) ?? '', /dL\/d\(output\) = sum of 2 paths: (block_conv1 and residual|residual and block_conv1)/);
      assert.equal(await page.locator('.trace-tensor-head', { hasText: 'dL/d(output) = sum of the 2 paths' }).count(), 1);
      assert.deepEqual((page as unknown as { problems: string[] }).problems, []);
      await page.close();
    });
  }

  it('fills the loss stage with the sample\'s numbers: −log p[y] and p − y', async () => {
    const page = await show(runs.mlp, 'dark');
    const trace = runs.mlp.find((m): m is TraceMessage => m.type === 'trace')!;
    for (let i = 0; i < trace.layers.length; i++) await page.click('.step-next');
    const text = (await page.textContent('.step-filled')) ?? '';
    assert.match(text, new RegExp(`L = −log p\\[${trace.loss.targetClass}\\]`));
    assert.match(text, /dL\/dz = p − y = \[/);
    // Says which sample it is exactly: its place in the step's batch, not an index into the data set.
    const label = (await page.locator('p.note', { hasText: 'shuffled order' }).first().textContent()) ?? '';
    assert.ok(label.startsWith(`Sample ${trace.sample} (from 0) of the ${trace.batchSize} in the batch of step ${trace.step} (epoch ${trace.epoch}, batch ${trace.batch}; ` +
      `#${trace.sampleIndex} in the epoch's shuffled order).`), label);
    assert.doesNotMatch(label, /training item/);
    await page.close();
  });

  it('shows conv feature maps as images on the CNN\'s first forward stage', async () => {
    const page = await show(runs.cnn, 'dark');
    // The input image, then 8 of conv1's 32 maps before ReLU (z) and after it (a).
    assert.equal(await page.locator('.trace-map').count(), 1 + 8 + 8);
    await page.close();
  });
});
