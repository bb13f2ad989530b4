// The panel on a ResNet-18 built with helper functions (stages, blocks, conv+BN as groups), on a
// stage of identical blocks (folded ×N), on ResNet-50 (the minimap), on the partial graph of a
// model whose build failed, and the Summary at half a 1,400 px window: in real Chromium, with
// screenshots under artifacts/screenshots.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { loadExperiment } from '../../src/model/loadExperiment';
import { initInspectionRuntime } from '../../src/model/tfRuntime';
import { UserError } from '../../src/model/userError';
import type { ErrorMessage, ModelMessage } from '../../src/protocol/messages';
import type { ModelGraph } from '../../src/protocol/modelInfo';
import { buildModelGraph } from '../../src/model/modelGraph';
import { computeSummary } from '../../src/model/modelSummary';
import { modelMessage } from '../../src/trainer/runMessages';
import { resnet50 } from '../../bench/models/benchModels';
import { DEFAULT_DEPTH } from '../../webview/graph/visibleGraph';
import { fixture } from '../helpers/fixtures';
import { postToPanel, screenshot, settled, startHarness, type Harness, type Theme } from '../helpers/panelHarness';

const PANEL = { width: 700, height: 800 };

let harness: Harness;
let resnet: ModelMessage;
let repeats: ModelMessage;
before(async () => {
  harness = await startHarness();
  await initInspectionRuntime();
  const loaded = await loadExperiment(fixture('resnet18-helpers.ts'));
  resnet = modelMessage(loaded, {
    name: 'cifar10', source: 'test', trainCount: 0, testCount: 0, inputShape: [32, 32, 3], numClasses: 10, classNames: [], task: 'classification',
  }, {
    epochs: 1, batchSize: 128, stepsPerEpoch: 1, totalSteps: 1, gradientEvery: 1, histogramEvery: 1, optimizer: 'sgd', loss: 'categoricalCrossentropy',
    seed: 1, schedule: null, plannedLr: null,
  });
  repeats = modelMessage(await loadExperiment(fixture('resnet-repeats.ts')), undefined, undefined);
});
after(async () => { await harness.close(); });

async function openGraph(theme: Theme, messages: unknown[]): Promise<Page> {
  const page = await harness.open(theme, PANEL);
  await postToPanel(page, [{ type: 'snapshot', runId: 'r', file: '/resnet.ts', messages }]);
  await page.waitForSelector('g.node', { timeout: 20_000 });
  await settled(page);
  return page;
}

const topGroups = (g: ModelGraph) => g.nodes.filter((n) => n.kind === 'group' && n.parent === null).map((n) => n.name);

/** Each overview name on screen with its font size in screen pixels. */
const overviewNames = (page: Page) => page.$$eval('text.overview-name', (els) => els.map((e) => {
  const t = e as SVGTextElement;
  const scale = t.getScreenCTM()!.a;
  return { id: t.getAttribute('data-id'), text: t.textContent ?? '', px: scale * Number(t.getAttribute('font-size')) };
}));

async function fit(page: Page): Promise<void> {
  await page.focus('svg.graph-svg');
  await page.keyboard.press('0');
  await page.waitForFunction(() => document.querySelector('.graph-stage')!.classList.contains('zoomed-out'), undefined, { timeout: 5_000 });
  await page.waitForTimeout(400); // Fit animates for 300 ms
  await settled(page);
}

describe('a ResNet-18 built with helpers, grouped by its code', () => {
  for (const theme of ['dark', 'light'] as Theme[]) {
    it(`names every top-level group readably at Fit (${theme})`, async () => {
      const page = await openGraph(theme, [resnet]);
      const groups = topGroups(resnet.graph);
      assert.ok(groups.filter((g) => g.startsWith('stage_')).length === 4, groups.join(', '));
      await fit(page);
      const names = await overviewNames(page);
      for (const group of groups) {
        const label = names.find((n) => n.id === group);
        assert.ok(label, `${group} is named at Fit: ${JSON.stringify(names)}`);
        assert.ok(label.px >= 10, `${group} at ${label.px.toFixed(1)} px`);
        assert.match(label.text, /params/);
      }
      await screenshot(page, `groups-resnet18-fit-${theme}`);
      await page.close();
    });
  }

  it('collapses the stages at depth 1 and shows a stage’s blocks when it is expanded', async () => {
    const page = await openGraph('dark', [resnet]);
    await page.locator('.graph-depth input').fill('1');
    await page.locator('.graph-depth input').press('Tab');
    await page.waitForSelector('g.node[data-kind="collapsed"][data-layer="stage_2"]');
    await page.focus('svg.graph-svg');
    await page.keyboard.press('0');
    await page.waitForTimeout(400);
    await settled(page);
    const collapsed = await page.$$eval('g.node[data-kind="collapsed"]', (els) => els.map((e) => e.getAttribute('data-layer')));
    for (const stage of ['stage_1', 'stage_2', 'stage_3', 'stage_4']) assert.ok(collapsed.includes(stage), `${stage} collapsed: ${collapsed}`);
    await screenshot(page, 'groups-resnet18-depth1-dark');
    const box = (await page.locator('g.node[data-layer="stage_2"] rect.node-box').boundingBox())!;
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await page.waitForSelector('g.group[data-layer="stage_2"]');
    await settled(page);
    const blocks = resnet.graph.nodes.filter((n) => n.parent === 'stage_2' && n.kind === 'group').map((n) => n.name);
    assert.equal(blocks.length, 2);
    const shown = await page.$$eval('g.node, g.group', (els) => els.map((e) => e.getAttribute('data-layer')));
    for (const block of blocks) assert.ok(shown.includes(block), `${block} shown once stage_2 is expanded`);
    await screenshot(page, 'groups-resnet18-stage2-expanded-dark');
    await page.close();
  });

  for (const theme of ['dark', 'light'] as Theme[]) {
    it(`shows the call stack that built a conv in its hover card, gone after a click (${theme})`, async () => {
      const page = await openGraph(theme, [resnet]);
      const names = resnet.graph.nodes.map((n) => n.name);
      // A conv in a block whose name is no other's prefix, so the search finds it alone.
      const conv = resnet.graph.nodes.find((n) => n.type === 'Conv2D' && n.callStack?.some((f) => f.function === 'basicBlock')
        && names.filter((m) => m.startsWith(n.name)).length === 1)!;
      // Depth 4 opens stage → block → convBn down to the conv itself.
      await page.locator('.graph-depth input').fill('4');
      await page.locator('.graph-depth input').press('Tab');
      await page.waitForFunction(() => Number((document.querySelector('.view-graph') as HTMLElement).dataset.nodes) > 60);
      await page.fill('.graph-search input', conv.name);
      await page.press('.graph-search input', 'Enter');
      await page.waitForTimeout(400);
      await settled(page);
      const node = page.locator(`g.node[data-layer="${conv.name}"] rect.node-box`);
      const box = (await node.boundingBox())!;
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.waitForSelector('.graph-card:not([hidden])');
      const items = await page.$$eval('.graph-card .card-stack li', (lis) => lis.map((l) => l.textContent ?? ''));
      assert.ok(items[0].startsWith('convBn'), items.join(' / '));
      assert.ok(items.some((t) => t.startsWith('basicBlock')) && items.some((t) => t.startsWith('stage')), items.join(' / '));
      // The conv sits below the table's default depth (stage → block → convBn → conv): its summary row still reaches the card.
      const mult = await page.$eval('.graph-card dd[data-field="Mult-adds"]', (dd) => dd.textContent ?? '');
      assert.match(mult, /^[\d,]+$/);
      await screenshot(page, `groups-resnet18-hover-${theme}`);
      await page.mouse.down();
      await page.mouse.up();
      await settled(page);
      assert.equal(await page.$eval('.graph-card', (e) => (e as HTMLElement).hidden), true, 'the card is gone after the click');
      await page.close();
    });
  }
});

describe('a stage of identical blocks', () => {
  it('shows the blocks after the first as one ×4 node that unfolds into them on a click', async () => {
    const page = await openGraph('dark', [repeats]);
    const stage = repeats.graph.nodes.find((n) => n.name === 'stage_1')!;
    const blocks = repeats.graph.nodes.filter((n) => n.parent === stage.id && n.kind === 'group');
    const folded = page.locator('g.node[data-kind="repeat"]');
    assert.equal(await folded.count(), 1);
    assert.match(await folded.locator('text.node-title').textContent() ?? '', /×4/);
    const shown = () => page.$$eval('g.node, g.group', (els) => els.map((e) => e.getAttribute('data-layer')));
    assert.ok(!(await shown()).includes(blocks[2].name), 'a folded block is not drawn on its own');
    await screenshot(page, 'groups-repeats-folded-dark');
    const count = () => page.$eval('.view-graph', (e) => Number((e as HTMLElement).dataset.nodes));
    const before = await count();
    const box = (await folded.locator('rect.node-box').boundingBox())!;
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await page.waitForFunction(() => !document.querySelector('g.node[data-kind="repeat"]'), undefined, { timeout: 10_000 });
    await settled(page);
    // Four blocks (each with its layers) stand where the one ×4 node stood; those near the view are drawn.
    assert.ok(await count() >= before + 3, `${before} → ${await count()} nodes`);
    const after = await shown();
    for (const block of blocks.slice(0, 3)) assert.ok(after.includes(block.name), `${block.name} shown once unfolded: ${after.join(', ')}`);
    await screenshot(page, 'groups-repeats-unfolded-dark');
    await page.close();
  });
});

describe('the minimap on ResNet-50', () => {
  for (const theme of ['dark', 'light'] as Theme[]) {
    it(`shows the whole graph in the corner with the view framed, and a click there moves the view (${theme})`, async () => {
      await initInspectionRuntime();
      const model = resnet50();
      const message: ModelMessage = { type: 'model', name: 'resnet50', file: '/resnet50.ts', graph: buildModelGraph(model), summary: computeSummary(model), callSites: {} };
      const page = await openGraph(theme, [message]);
      // A model this big opens shallower than the default: its stages open, their blocks collapsed.
      assert.ok(Number(await page.inputValue('.graph-depth input')) < DEFAULT_DEPTH, 'the depth field shows the shallower depth');
      assert.ok(await page.locator('g.node[data-kind="collapsed"]').count() > 0, 'blocks are drawn collapsed');
      const minimap = page.locator('canvas.graph-minimap');
      await page.waitForFunction(() => !(document.querySelector('canvas.graph-minimap') as HTMLCanvasElement).hidden, undefined, { timeout: 5_000 });
      const area = (await minimap.boundingBox())!;
      const panel = await page.evaluate(() => ({ w: document.documentElement.clientWidth, h: document.documentElement.clientHeight }));
      assert.ok(area.x + area.width <= panel.w && area.y + area.height <= panel.h, `the minimap is inside the panel: ${JSON.stringify(area)}`);
      // It draws something: pixels of more than one colour.
      const colours = await minimap.evaluate((c) => {
        const canvas = c as HTMLCanvasElement;
        const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
        const seen = new Set<string>();
        for (let i = 0; i < data.length; i += 4 * 7) seen.add(`${data[i]},${data[i + 1]},${data[i + 2]},${data[i + 3]}`);
        return seen.size;
      });
      assert.ok(colours >= 3, `${colours} colours in the minimap`);
      await screenshot(page, `minimap-resnet50-${theme}`);
      const transform = () => page.$eval('svg.graph-svg g.viewport', (g) => g.getAttribute('transform'));
      const before = await transform();
      await page.mouse.click(area.x + area.width / 2, area.y + area.height - 4);
      await page.waitForTimeout(400);
      await settled(page);
      assert.notEqual(await transform(), before, 'the view moved to the point clicked');
      await screenshot(page, `minimap-resnet50-moved-${theme}`);
      await page.close();
    });
  }
});

describe('the partial graph of a build that failed', () => {
  it('draws the layers that built, the failing layer marked and both mismatched shapes on its incoming edges', async () => {
    const error = await loadExperiment(fixture('shape-mismatch.ts')).then(() => null, (e: unknown) => e);
    assert.ok(error instanceof UserError && error.partialGraph);
    const message: ErrorMessage = { type: 'error', message: error.message, location: error.location, hint: error.hint, graph: error.partialGraph };
    const page = await openGraph('dark', [message]);
    const failed = await page.$$eval('g.node.failed', (els) => els.map((e) => ({ layer: e.getAttribute('data-layer'), id: e.getAttribute('data-id'), text: e.textContent })));
    assert.deepEqual(failed.map((f) => f.layer), ['bad_add']);
    assert.match(failed[0].text ?? '', /\[B, 4\] \+ \[B, 3\]/);
    const incoming = await page.$$eval(`g.edge[data-to="${failed[0].id}"]`, (els) => els.map((e) => ({ shape: JSON.parse(e.getAttribute('data-shape')!), label: e.querySelector('text.edge-label')?.textContent })));
    assert.deepEqual(incoming.map((e) => e.shape), [[null, 4], [null, 3]]);
    const drawn = await page.$$eval('g.node', (els) => els.map((e) => e.getAttribute('data-layer')));
    assert.ok(drawn.includes('wide') && drawn.includes('narrow'), drawn.join(', '));
    await screenshot(page, 'partial-graph-shape-mismatch-dark');
    await page.close();
  });
});

describe('the Summary at half a 1,400 px window', () => {
  it('shows Output Shape and Param # by default with every number whole, more columns from the chooser', async () => {
    const page = await openGraph('dark', [resnet]);
    await page.click('[data-tab="summary"]');
    await settled(page);
    const headers = await page.$$eval('[data-view="summary"] .summary-table th', (ths) => ths.map((t) => t.getAttribute('data-column')));
    assert.deepEqual(headers, ['layer', 'output', 'params']);
    const params = await page.$$eval('[data-view="summary"] .summary-table td.col-params', (tds) => tds.map((td) => ({
      right: td.getBoundingClientRect().right, cut: td.scrollWidth > td.clientWidth, text: td.textContent,
    })));
    const width = await page.evaluate(() => document.documentElement.clientWidth);
    for (const p of params) {
      assert.ok(p.right <= width, `Param # ${p.text} ends at ${p.right} of ${width}`);
      assert.equal(p.cut, false, `${p.text} is cut`);
    }
    await screenshot(page, 'summary-700px-dark');
    await page.click('.column-chooser > summary');
    await page.check('.column-chooser input[data-column="multAdds"]');
    await settled(page);
    const more = await page.$$eval('[data-view="summary"] .summary-table th', (ths) => ths.map((t) => t.getAttribute('data-column')));
    assert.deepEqual(more, ['layer', 'output', 'params', 'multAdds']);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `the summary overflows by ${overflow}px`);
    await page.close();
  });

  it('shows each layer’s approximate forward time from the chooser, and in the hover card', async () => {
    // Times as the trainer sends them (measuring is the trainer's test): a made-up figure per leaf row.
    const timed: ModelMessage = structuredClone(resnet);
    timed.summary.timedSamples = 8;
    timed.summary.layers.forEach((r, i) => { if (!r.isContainer) r.forwardMs = 0.5 + i / 10; });
    const page = await openGraph('dark', [timed]);
    await page.click('[data-tab="summary"]');
    await page.click('.column-chooser > summary');
    await page.check('.column-chooser input[data-column="fwdTime"]');
    await settled(page);
    const header = await page.$eval('[data-view="summary"] th.col-fwdTime', (th) => th.textContent ?? '');
    assert.match(header, /Fwd time \(approx\.\)/);
    const dense = timed.summary.layers.find((r) => r.type === 'Dense')!;
    const cell = await page.$eval(`[data-view="summary"] tr[data-layer="${dense.name}"] td.col-fwdTime`, (td) => td.textContent ?? '');
    assert.match(cell, new RegExp(`^${dense.forwardMs!.toPrecision(3).replace('.', '\\.')} ms$`));
    assert.match(await page.locator('[data-view="summary"] .note').innerText(), /approximate.*8 random samples/);
    await screenshot(page, 'summary-fwd-time-dark');
    await page.click('[data-tab="graph"]');
    await page.fill('.graph-search input', dense.name);
    await page.press('.graph-search input', 'Enter');
    await page.waitForTimeout(400);
    await settled(page);
    const box = (await page.locator(`g.node[data-layer="${dense.name}"] rect.node-box`).first().boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.waitForSelector('.graph-card:not([hidden])');
    const time = await page.$eval('.graph-card dd[data-field="Fwd time"]', (dd) => dd.textContent ?? '');
    assert.match(time, /^≈ [\d.]+ ms on 8 samples \(approx\.\)$/);
    await page.close();
  });
});
