import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import * as tf from '@tensorflow/tfjs';
import { buildModelGraph } from '../../src/model/modelGraph';
import { computeSummary } from '../../src/model/modelSummary';
import { initInspectionRuntime } from '../../src/model/tfRuntime';
import type { GradientsMessage, ModelMessage, TrainerMessage } from '../../src/protocol/messages';
import { example } from '../helpers/fixtures';
import { postToPanel, screenshot, settled, startHarness, type Harness, type Theme } from '../helpers/panelHarness';
import { recordedRun, type RecordedRunName } from '../helpers/recordedRuns';
import { runCli } from '../helpers/runCli';

let harness: Harness;
before(async () => { harness = await startHarness(); });
after(async () => { await harness.close(); });

async function openRun(name: RecordedRunName, messages: TrainerMessage[] = recordedRun(name), theme: Theme = 'dark'): Promise<Page> {
  const page = await harness.open(theme);
  await postToPanel(page, [{ type: 'snapshot', runId: name, file: '/x.ts', messages }]);
  await page.waitForSelector('g.node', { timeout: 20_000 });
  await settled(page);
  return page;
}

const nodeInfo = (page: Page) => page.$$eval('g.node', (els) => els.map((e) => ({
  id: e.getAttribute('data-id'), kind: e.getAttribute('data-kind'), layer: e.getAttribute('data-layer'), type: e.getAttribute('data-type'),
  text: Array.from(e.querySelectorAll('text')).map((t) => t.textContent).join(' | '), l2: e.getAttribute('data-l2'),
  frozen: e.classList.contains('frozen'), fill: (e.querySelector('rect.node-heat') as SVGRectElement | null)?.style.fill ?? '',
})));
const edgeInfo = (page: Page) => page.$$eval('g.edge', (els) => els.map((e) => ({
  from: e.getAttribute('data-from'), to: e.getAttribute('data-to'), shape: JSON.parse(e.getAttribute('data-shape') ?? 'null'),
})));

describe('graph view of the course MLP', () => {
  it('draws input, four layers and output with their types, names and shapes', async () => {
    const page = await openRun('mlp');
    const nodes = await nodeInfo(page);
    assert.deepEqual(nodes.map((n) => n.kind), ['input', 'layer', 'layer', 'layer', 'layer', 'output']);
    assert.deepEqual(nodes.slice(1, 5).map((n) => `${n.type}:${n.layer}`), ['Flatten:flatten', 'Dense:fc1', 'Dense:fc2', 'Dense:fc3']);
    const fc1 = nodes.find((n) => n.layer === 'fc1')!;
    assert.match(fc1.text, /Dense · fc1 \| \[B, 784\] → \[B, 512\] \| 401,920 params/);
    assert.deepEqual((await edgeInfo(page)).map((e) => e.shape), [[null, 28, 28, 1], [null, 784], [null, 512], [null, 128], [null, 10]]);
    await page.close();
  });

  it('shows the torchinfo row and the latest gradient figures in the hover card', async () => {
    const messages = recordedRun('mlp');
    const page = await openRun('mlp', messages);
    await page.hover('g.node[data-layer="fc1"]');
    await page.waitForSelector('.graph-card:not([hidden])');
    const fields = await page.$$eval('.graph-card dd', (dds) => Object.fromEntries(dds.map((d) => [d.getAttribute('data-field'), d.textContent])));
    const model = messages.find((m): m is ModelMessage => m.type === 'model')!;
    const row = model.summary.layers.find((r) => r.name === 'fc1')!;
    assert.equal(fields.Params, '401,920');
    assert.equal(fields['Param %'], `${row.paramPercent.toFixed(2)}%`);
    assert.equal(fields['Mult-adds'], '51,445,760');
    assert.equal(fields.Output, '[B, 512]');
    const last = messages.filter((m): m is GradientsMessage => m.type === 'gradients').pop()!;
    const g = last.layers.find((l) => l.layer === 'fc1')!;
    // Three significant digits, exponent form outside [1e-3, 1e4).
    const figure = (v: number) => (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e4 ? v.toExponential(2) : v.toPrecision(3));
    assert.equal(fields['‖g‖₂'], figure(g.l2!));
    assert.equal(fields['mean |g|'], figure(g.meanAbs!));
    assert.ok(await page.$('.graph-card svg.card-sparkline path'));
    await page.close();
  });

  it('asks the host to reveal the layer’s line when a node is clicked', async () => {
    const page = await openRun('mlp');
    await page.click('g.node[data-layer="fc2"]');
    const posted = await page.evaluate(() => (window as unknown as { __posted: unknown[] }).__posted);
    assert.deepEqual(posted.filter((m) => (m as { type: string }).type === 'reveal'), [{ type: 'reveal', layer: 'fc2' }]);
    await page.close();
  });

  it('colours nodes by gradient norm, changing as gradient messages arrive', async () => {
    const messages = recordedRun('mlp');
    const firstGradient = messages.findIndex((m) => m.type === 'gradients');
    const page = await openRun('mlp', messages.slice(0, firstGradient));
    const before = await nodeInfo(page);
    assert.ok(before.every((n) => n.l2 === null), 'no colour before any gradient');
    const gradients = messages.filter((m): m is GradientsMessage => m.type === 'gradients');
    await postToPanel(page, [{ type: 'messages', runId: 'mlp', messages: [gradients[0]] }]);
    await settled(page);
    const first = await nodeInfo(page);
    await postToPanel(page, [{ type: 'messages', runId: 'mlp', messages: [gradients[gradients.length - 1]] }]);
    await settled(page);
    const later = await nodeInfo(page);
    const dense = (ns: typeof first) => ns.filter((n) => n.type === 'Dense');
    assert.ok(dense(first).every((n) => n.l2 !== null && n.fill !== '' && n.fill !== 'transparent'));
    assert.notDeepEqual(dense(later).map((n) => n.l2), dense(first).map((n) => n.l2));
    assert.notDeepEqual(dense(later).map((n) => n.fill), dense(first).map((n) => n.fill));
    assert.ok(await page.$('svg.gradient-legend rect.legend-bar'));
    await page.close();
  });

  it('flags a vanishing and an exploding layer', async () => {
    const messages = recordedRun('mlp');
    const page = await openRun('mlp', messages);
    const step = 10_000;
    const layers = ['fc1', 'fc2', 'fc3'].map((layer, i) => ({ layer, frozen: false, l2: [1e-9, 0.5, 5e3][i], meanAbs: 1e-3, maxAbs: 1e-2, updateRatio: 1e-3 }));
    await postToPanel(page, [{ type: 'messages', runId: 'mlp', messages: [{ type: 'gradients', epoch: 2, step, layers }] }]);
    await settled(page);
    const flags = await page.$$eval('g.node[data-kind="layer"]', (els) => Object.fromEntries(els.map((e) => [e.getAttribute('data-layer'), e.getAttribute('data-flag')])));
    assert.deepEqual(flags, { flatten: null, fc1: 'vanishing', fc2: null, fc3: 'exploding' });
    await page.close();
  });
});

describe('graph view of a functional model with residual Adds', () => {
  it('gives each Add two incoming edges with the operands’ shapes', async () => {
    const page = await openRun('residual');
    const edges = await edgeInfo(page);
    for (const add of ['block1_add', 'block2_add']) {
      const incoming = edges.filter((e) => e.to === add);
      assert.equal(incoming.length, 2, add);
      assert.deepEqual(incoming.map((e) => e.shape), [[null, 64], [null, 64]]);
    }
    await screenshot(page, 'graph-residual-dark');
    await page.close();
  });
});

describe('graph view of a model with a frozen nested base', () => {
  it('draws the base as a frozen group that collapses to one node and expands again', async () => {
    const page = await openRun('frozenBase');
    assert.ok(await page.$('g.group[data-id="conv_base"].frozen'));
    const inside = (await nodeInfo(page)).filter((n) => n.id?.startsWith('conv_base/'));
    assert.deepEqual(inside.map((n) => n.layer), ['base_conv1', 'base_pool1', 'base_conv2', 'base_pool2']);
    assert.ok(inside.filter((n) => n.type === 'Conv2D').every((n) => n.frozen));
    await page.click('g.group[data-id="conv_base"] text.group-toggle');
    await page.waitForSelector('g.node[data-kind="collapsed"][data-id="conv_base"]');
    await settled(page);
    const collapsed = await nodeInfo(page);
    assert.equal(collapsed.filter((n) => n.id?.startsWith('conv_base/')).length, 0);
    const edges = await edgeInfo(page);
    assert.ok(edges.some((e) => e.to === 'conv_base') && edges.some((e) => e.from === 'conv_base'));
    assert.equal(await page.$eval('.view-graph', (el) => el.getAttribute('data-laid-out')), '1', 'only the top level is laid out again');
    await page.click('g.node[data-id="conv_base"]');
    await page.waitForSelector('g.group[data-id="conv_base"]');
    await page.close();
  });

  it('gives frozen layers no gradient colour while the head is coloured', async () => {
    const page = await openRun('frozenBase');
    const nodes = await nodeInfo(page);
    assert.ok(nodes.filter((n) => n.type === 'Conv2D').every((n) => n.l2 === null));
    assert.ok(nodes.filter((n) => n.type === 'Dense').every((n) => n.l2 !== null));
    await page.close();
  });
});

describe('graph view controls', () => {
  it('searches by name or type and lays out left to right', async () => {
    const page = await openRun('cnn');
    await page.fill('.graph-search input', 'conv2d');
    await settled(page);
    assert.equal(await page.$eval('.view-graph', (el) => el.getAttribute('data-matches')), '2');
    await page.click('.graph-direction');
    await page.getByRole('option', { name: 'Left to right' }).click();
    await page.waitForFunction(() => {
      const xs = Array.from(document.querySelectorAll('g.node')).map((g) => Number(/translate\(([-\d.]+)/.exec(g.getAttribute('transform') ?? '')?.[1]));
      return xs.length > 2 && xs[xs.length - 1] > xs[0] + 500;
    });
    await page.close();
  });

  it('moves the selection with the arrow keys and reveals with Enter', async () => {
    const page = await openRun('mlp');
    await page.focus('svg.graph-svg');
    await page.keyboard.press('ArrowDown'); // selects the first node
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    assert.equal(await page.$eval('g.node.selected', (e) => e.getAttribute('data-layer')), 'fc1');
    await page.keyboard.press('Enter');
    const posted = await page.evaluate(() => (window as unknown as { __posted: { type: string; layer?: string }[] }).__posted);
    assert.ok(posted.some((m) => m.type === 'reveal' && m.layer === 'fc1'));
    await page.close();
  });

  it('works from the keyboard: Tab through the toolbar, the direction from its dropdown', async () => {
    const page = await openRun('cnn');
    await page.focus('.graph-search input');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.classList.contains('graph-direction')), true, 'Tab reaches the dropdown');
    await page.keyboard.press('ArrowDown'); // opens the list
    await page.keyboard.press('ArrowDown'); // the next option
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => {
      const xs = Array.from(document.querySelectorAll('g.node')).map((g) => Number(/translate\(([-\d.]+)/.exec(g.getAttribute('transform') ?? '')?.[1]));
      return xs.length > 2 && xs[xs.length - 1] > xs[0] + 500;
    });
    const saved = await page.evaluate(() => (window as unknown as { acquireVsCodeApi(): { getState(): Record<string, unknown> } }).acquireVsCodeApi().getState());
    assert.equal(saved['graph.direction'], 'RIGHT');
    await page.close();
  });

  it('offers Freeze in a keyboard menu on a layer with weights, and none on one without', async () => {
    const page = await openRun('mlp');
    await page.click('g.node[data-layer="flatten"]', { button: 'right' });
    assert.equal(await page.$('.graph-menu:not([hidden])'), null, 'no menu: nothing to freeze');
    await page.click('g.node[data-layer="fc1"]', { button: 'right' });
    await page.waitForSelector('.graph-menu:not([hidden])');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('role')), 'menuitem', 'the first item has the focus');
    assert.equal(await page.getByRole('menuitem').textContent(), 'Freeze layer "fc1"');
    await page.keyboard.press('Enter');
    const posted = await page.evaluate(() => (window as unknown as { __posted: { type: string }[] }).__posted.filter((m) => m.type === 'freeze'));
    assert.deepEqual(posted, [{ type: 'freeze', layer: 'fc1', frozen: true }]);
    assert.ok(await page.$('.graph-menu[hidden]'), 'closed after choosing');
    await page.close();
  });

  it('keeps the whole graph in view when the panel is resized, until the user pans or zooms', async () => {
    const page = await openRun('cnn');
    const inside = () => page.evaluate(() => {
      const view = document.querySelector('svg.graph-svg')!.getBoundingClientRect();
      return Array.from(document.querySelectorAll('g.node')).every((n) => {
        const r = n.getBoundingClientRect();
        return r.top >= view.top - 0.5 && r.bottom <= view.bottom + 0.5 && r.left >= view.left - 0.5 && r.right <= view.right + 0.5;
      });
    });
    assert.equal(await inside(), true);
    await page.setViewportSize({ width: 900, height: 420 });
    await page.waitForFunction(() => {
      const view = document.querySelector('svg.graph-svg')!.getBoundingClientRect();
      return Array.from(document.querySelectorAll('g.node')).every((n) => n.getBoundingClientRect().bottom <= view.bottom + 0.5);
    }, undefined, { timeout: 5_000 }).catch(() => undefined);
    assert.equal(await inside(), true, 'refitted to the smaller panel');
    const box = (await page.locator('svg.graph-svg').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.wheel(0, -400);
    await settled(page);
    const zoomed = await page.$eval('g.viewport', (g) => g.getAttribute('transform'));
    await page.setViewportSize({ width: 1000, height: 700 });
    await settled(page);
    await settled(page);
    assert.equal(await page.$eval('g.viewport', (g) => g.getAttribute('transform')), zoomed, 'a view the user moved stays put');
    await page.close();
  });

  it('exports the graph as SVG through the host', async () => {
    const page = await openRun('mlp');
    await page.click('.graph-export-svg');
    await page.waitForFunction(() => (window as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'saveFile'));
    const saved = await page.evaluate(() => (window as unknown as { __posted: { type: string; name: string; base64: string }[] }).__posted.find((m) => m.type === 'saveFile')!);
    assert.equal(saved.name, 'model-graph.svg');
    const svg = Buffer.from(saved.base64, 'base64').toString('utf8');
    assert.match(svg, /^<svg[^>]+xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.match(svg, /fc1/);
    await page.close();
  });
});

describe('summary view', () => {
  it('shows the same totals as model-lens summary', async () => {
    const cli = runCli(['summary', example('mnist-cnn.ts')]).stdout;
    const page = await openRun('cnn');
    await page.click('[data-tab="summary"]');
    await settled(page);
    // Each total line of the CLI's table ("Total mult-adds (M): 1.23") is a dt/dd pair of the panel's.
    const panel = await page.$$eval('.summary-totals dt', (dts) => dts.map((dt) => `${dt.textContent}: ${dt.nextElementSibling?.textContent}`));
    const printed = cli.split('\n').filter((l) => /^(Total|Trainable|Non-trainable|Input size|Forward\/backward|Params size|Estimated)/.test(l));
    assert.equal(printed.length, 8);
    assert.deepEqual(panel, printed);
    await page.close();
  });

  it('folds a nested model’s rows and sorts by params', async () => {
    const page = await openRun('frozenBase');
    await page.click('[data-tab="summary"]');
    await settled(page);
    const names = () => page.$$eval('.summary-table tbody tr', (trs) => trs.map((t) => t.getAttribute('data-layer')));
    assert.ok((await names()).includes('base_conv1'));
    await page.click('.summary-table tr[data-layer="conv_base"] button.fold');
    assert.ok(!(await names()).includes('base_conv1'));
    await page.click('.summary-table th[data-column="params"]');
    const sorted = await names();
    assert.equal(sorted[0], 'transfer');
    await page.close();
  });
});

describe('bad messages', () => {
  it('are ignored with a logged warning and the view keeps working', async () => {
    const page = await openRun('mlp');
    const model = recordedRun('mlp').find((m): m is ModelMessage => m.type === 'model')!;
    await postToPanel(page, [
      { type: 'nonsense' },
      { type: 'messages', runId: 'mlp', messages: [{ type: 'batch', epoch: 1 }] },
      { type: 'messages', runId: 'mlp', messages: [{ type: 'batch', epoch: 1, step: 99, batch: 1, metrics: { loss: NaN, accuracy: 0.5 }, lr: 0.1, samplesPerSec: 1, elapsedSec: 1 }] },
      { type: 'messages', runId: 'mlp', messages: [{ ...model, graph: { ...model.graph, edges: [...model.graph.edges, { from: 'fc1', to: 'ghost', shape: [1] }] } }] },
    ]);
    await settled(page);
    const warnings = await page.evaluate(() => (window as unknown as { __warnings: string[] }).__warnings);
    assert.equal(warnings.length, 4, warnings.join('\n'));
    assert.match(warnings.join('\n'), /unknown type "nonsense"/);
    assert.match(warnings.join('\n'), /batch\.step must be/);
    assert.match(warnings.join('\n'), /batch\.metrics\.loss must be a finite number/);
    assert.match(warnings.join('\n'), /to a node that does not exist/);
    assert.equal((await nodeInfo(page)).length, 6);
    assert.deepEqual((page as unknown as { problems: string[] }).problems.filter((p) => !/favicon|404/.test(p)), []);
    await page.close();
  });
});

describe('screenshots of every view', () => {
  for (const theme of ['dark', 'light', 'hc'] as Theme[]) {
    it(`are written for the ${theme} theme`, async () => {
      const page = await openRun('cnn', recordedRun('cnn'), theme);
      for (const view of ['graph', 'summary', 'training', 'gradients', 'data']) {
        await page.click(`[data-tab="${view}"]`);
        await settled(page);
        await page.waitForTimeout(150);
        await screenshot(page, `view-${view}-${theme}`);
        // Nothing spills out of the panel sideways.
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        assert.ok(overflow <= 0, `${view} overflows by ${overflow}px`);
      }
      await page.close();
    });
  }
});

describe('big graphs', () => {
  /** A model message for a Sequential chain of `n` Dense layers whose widths differ (nothing folds). */
  async function chainMessage(n: number): Promise<ModelMessage> {
    await initInspectionRuntime();
    const layers: tf.layers.Layer[] = [tf.layers.dense({ inputShape: [4], units: 4, name: 'd0' })];
    for (let i = 1; i < n; i++) layers.push(tf.layers.dense({ units: 4 + (i % 3), name: `d${i}` }));
    const model = tf.sequential({ layers });
    return {
      type: 'model', name: 'chain', file: '/chain.ts', graph: buildModelGraph(model), summary: computeSummary(model), callSites: {},
      dataset: { name: 'none', source: 'test', trainCount: 0, testCount: 0, inputShape: [4], task: 'classification', numClasses: 1, classNames: ['a'] },
      plan: { epochs: 1, batchSize: 1, stepsPerEpoch: 1, totalSteps: 1, gradientEvery: 1, histogramEvery: 1, optimizer: 'sgd', loss: 'mse', seed: 1, schedule: null, plannedLr: null },
    };
  }
  const labelled = (page: Page) => page.$$eval('g.node', (els) => els.filter((e) => e.querySelector('g.node-label')?.getAttribute('display') === 'inline')
    .map((e) => ({ layer: e.getAttribute('data-layer'), text: e.querySelector('text.node-title')?.textContent ?? '', top: e.getBoundingClientRect().top })));

  it('opens a 300-layer chain at its input end with only the nodes near the screen drawn, fits with all of them and no texts, and exports every label', async () => {
    const page = await harness.open('dark', { width: 1200, height: 800 });
    await postToPanel(page, [{ type: 'snapshot', runId: 'chain', file: '/chain.ts', messages: [await chainMessage(300)] }]);
    await page.waitForSelector('g.node', { timeout: 20_000 });
    await settled(page);
    assert.equal(await page.$eval('.view-graph', (e) => (e as HTMLElement).dataset.nodes), '302');
    const drawn = await page.locator('g.node').count();
    assert.ok(drawn >= 5 && drawn <= 40, `${drawn} nodes drawn at the input end`);
    const start = await labelled(page);
    assert.ok(start.length >= 5 && start.length <= 40, `${start.length} nodes with texts`);
    assert.ok(start.some((n) => n.text === 'Dense · d0'), 'the input end is on screen, readable');
    assert.ok(!start.some((n) => n.layer === 'd299'), 'the far end has no texts');
    assert.ok(start.every((n) => n.top < 800 * 2), 'texts only within a screen of the view');
    assert.match(await page.locator('.graph-info').innerText(), /Fit \(0\) shows all/);

    await page.focus('svg.graph-svg');
    await page.keyboard.press('0');
    // Fit animates for 300 ms; every node is drawn once the view reaches the far end.
    await page.waitForFunction(() => document.querySelector('.graph-stage')!.classList.contains('lod-far') && document.querySelectorAll('g.node').length === 302, undefined, { timeout: 5_000 })
      .catch(() => undefined);
    await settled(page);
    assert.equal(await page.locator('g.node').count(), 302, 'fitted: every node is drawn');
    assert.equal(await page.locator('g.edge').count(), 301);
    assert.equal((await labelled(page)).length, 0, 'no texts when fitted: they would be under 1 px');

    await page.click('.graph-export-svg');
    await page.waitForFunction(() => (window as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'saveFile'));
    const saved = await page.evaluate(() => (window as unknown as { __posted: { type: string; base64: string }[] }).__posted.find((m) => m.type === 'saveFile')!);
    const svg = Buffer.from(saved.base64, 'base64').toString('utf8');
    for (const name of ['d0', 'd150', 'd299']) assert.match(svg, new RegExp(`Dense · ${name}<`), `the export has ${name}'s title`);
    assert.equal((await labelled(page)).length, 0, 'the view is back to no texts after the export');
    await page.close();
  });
});
