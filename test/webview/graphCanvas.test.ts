// The graph canvas on its own, in headless Chromium: the canvas module is bundled by this test and
// driven through its API (no panel, no toolbar), as the graph view drives it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import type { Page } from 'playwright-core';
import type { GraphEdge, GraphNode, ModelGraph } from '../../src/protocol/modelInfo';
import { ROOT } from '../helpers/fixtures';
import { settled, startHarness, type Harness } from '../helpers/panelHarness';

let harness: Harness;
let kit: string;
before(async () => {
  harness = await startHarness();
  const elkWorker = fs.readFileSync(createRequire(path.join(ROOT, 'package.json')).resolve('elkjs/lib/elk-worker.min.js'), 'utf8');
  const out = await esbuild.build({
    stdin: {
      contents: `import { GraphCanvas } from './webview/graph/graphCanvas';
        import { GraphLayout } from './webview/graph/graphLayout';
        import { computeVisibleGraph } from './webview/graph/visibleGraph';
        window.canvasKit = { GraphCanvas, GraphLayout, computeVisibleGraph };`,
      resolveDir: ROOT, loader: 'ts',
    },
    bundle: true, write: false, format: 'iife', platform: 'browser', target: 'es2022', logLevel: 'silent',
    define: { LAYOUT_WORKER_SOURCE: JSON.stringify(elkWorker) },
  });
  kit = out.outputFiles[0].text;
});
after(async () => { await harness.close(); });

/** input → d0 → … → d(n-1) → output; consecutive layers differ in width, so nothing folds. */
function chain(n: number): ModelGraph {
  const node = (id: string, kind: GraphNode['kind'], type: string, width: number): GraphNode =>
    ({ id, kind, name: id, type, parent: null, inputShapes: [[null, width]], outputShape: [null, width], params: kind === 'layer' ? 20 : 0, trainable: true, source: null });
  const nodes = [node('input', 'input', 'Input', 4)];
  const edges: GraphEdge[] = [];
  for (let i = 0; i < n; i++) {
    nodes.push(node(`d${i}`, 'layer', 'Dense', 4 + (i % 3)));
    edges.push({ from: nodes[i].id, to: `d${i}`, shape: [null, 4] });
  }
  nodes.push(node('output', 'output', 'Output', 4));
  edges.push({ from: `d${n - 1}`, to: 'output', shape: [null, 4] });
  return { nodes, edges };
}

interface CanvasWindow {
  canvasKit: { GraphCanvas: new (stage: HTMLElement, handlers: object) => unknown; GraphLayout: new () => { layout(v: unknown, d: string): Promise<unknown> }; computeVisibleGraph(g: ModelGraph, ui: object): unknown };
  canvas: {
    setGraph(g: unknown, o: { reframe: boolean }): boolean; fit(animate: boolean): void; nodeAt(x: number, y: number): { id: string } | null;
    setHeat(heat: Map<string, { l2: number | null; nonFinite: boolean }>, flash?: boolean): void; highlight(ids: string[]): void; exportSvg(): string;
    rehearse(g: unknown): void; onViewport(listener: (s: { level: string; moved: boolean; framing: string }) => void): () => void;
    viewportState(): { transform: { x: number; y: number; k: number } };
  };
  graph: { placed: { nodes: Map<string, { x: number; y: number; width: number; height: number }> } };
  events: [string, string | null][];
  viewports: { level: string; moved: boolean; framing: string }[];
}

/** A page with only a stage, the panel's styles and the canvas showing `graph` framed afresh. */
async function openCanvas(graph: ModelGraph): Promise<{ page: Page; whole: boolean }> {
  const page = await harness.browser.newPage({ viewport: { width: 1000, height: 700 } });
  const css = ['themes.css', 'panel.css'].map((f) => fs.readFileSync(path.join(ROOT, 'media', f), 'utf8')).join('\n');
  await page.setContent(`<!doctype html><html data-theme="dark"><head><style>${css}</style></head>
    <body style="display:block"><div class="graph-stage" style="position:relative;width:1000px;height:700px"></div></body></html>`);
  await page.addScriptTag({ content: kit });
  const whole = await page.evaluate(async (g) => {
    const w = window as unknown as CanvasWindow;
    const events: CanvasWindow['events'] = w.events = [];
    const record = (name: string) => (v: { id: string } | null) => { events.push([name, v ? v.id : null]); };
    w.canvas = new w.canvasKit.GraphCanvas(document.querySelector('.graph-stage') as HTMLElement, {
      activate: record('activate'), toggleGroup: record('toggle'), contextMenu: record('menu'), hover: record('hover'), hoverMove: () => undefined,
    }) as CanvasWindow['canvas'];
    const visible = w.canvasKit.computeVisibleGraph(g, { collapsed: new Set(), expanded: new Set(), unfolded: new Set(), depth: 3 });
    const placed = await new w.canvasKit.GraphLayout().layout(visible, 'DOWN');
    w.graph = { visible, placed, direction: 'DOWN' } as unknown as CanvasWindow['graph'];
    return w.canvas.setGraph(w.graph, { reframe: true });
  }, graph);
  await settled(page);
  return { page, whole };
}

const drawnIds = (page: Page) => page.$$eval('g.node', (els) => els.map((e) => e.getAttribute('data-id')!));
const labelled = (page: Page) => page.$$eval('g.node g.node-label[display="inline"]', (els) => els.length);
/** Fits without animation and waits for the frame that updates the detail. */
const fit = async (page: Page) => { await page.evaluate(() => (window as unknown as CanvasWindow).canvas.fit(false)); await settled(page); };

/** Where a node's centre is on the page (client coordinates), from the layout and the zoom. */
function clientCentre(page: Page, id: string): Promise<{ x: number; y: number }> {
  return page.evaluate((nodeId) => {
    const w = window as unknown as CanvasWindow;
    const p = w.graph.placed.nodes.get(nodeId)!;
    const { x, y, k } = w.canvas.viewportState().transform;
    const box = document.querySelector('svg.graph-svg')!.getBoundingClientRect();
    return { x: box.left + x + (p.x + p.width / 2) * k, y: box.top + y + (p.y + p.height / 2) * k };
  }, id);
}

describe('graph canvas drawing', () => {
  it('opens a long chain at its input end with only nearby boxes in the DOM, and draws them all when fitted', async () => {
    const { page, whole } = await openCanvas(chain(300));
    assert.equal(whole, false, 'not the whole graph');
    const start = await drawnIds(page);
    assert.ok(start.includes('input') && start.includes('d0') && !start.includes('d299'), start.join());
    assert.ok(start.length < 40, `${start.length} boxes drawn`);
    await fit(page);
    assert.equal((await drawnIds(page)).length, 302);
    assert.equal(await labelled(page), 0, 'no texts when too small to read');
    await page.close();
  });

  it('exports every label whatever the zoom and leaves the view as it was', async () => {
    const { page } = await openCanvas(chain(120));
    await fit(page);
    const svg = await page.evaluate(() => (window as unknown as CanvasWindow).canvas.exportSvg());
    for (const id of ['d0', 'd60', 'd119']) assert.match(svg, new RegExp(`Dense · ${id}<`));
    assert.ok(await page.$('.graph-stage.lod-far'), 'still the far level of detail');
    assert.equal(await labelled(page), 0);
    await page.close();
  });

  it('rehearses a graph unseen without touching the one on screen', async () => {
    const { page } = await openCanvas(chain(20));
    const before = await drawnIds(page);
    await page.evaluate(async (g) => {
      const w = window as unknown as CanvasWindow;
      const visible = w.canvasKit.computeVisibleGraph(g, { collapsed: new Set(), expanded: new Set(), unfolded: new Set(), depth: 3 });
      w.canvas.rehearse({ visible, placed: await new w.canvasKit.GraphLayout().layout(visible, 'RIGHT'), direction: 'RIGHT' });
    }, chain(50));
    assert.deepEqual(await drawnIds(page), before);
    assert.equal(await page.$('.graph-warm-up'), null, 'the scratch drawing is gone');
    await page.close();
  });
});

describe('graph canvas hit-testing', () => {
  it('finds the node at a page point, drawn or not, and reports a click on a box as activate', async () => {
    const { page } = await openCanvas(chain(300));
    assert.ok(!(await drawnIds(page)).includes('d299'));
    const far = await clientCentre(page, 'd299');
    assert.equal(await page.evaluate(({ x, y }) => (window as unknown as CanvasWindow).canvas.nodeAt(x, y)?.id, far), 'd299');
    const d2 = await clientCentre(page, 'd2');
    await page.mouse.click(d2.x, d2.y);
    const events = await page.evaluate(() => (window as unknown as CanvasWindow).events);
    assert.deepEqual(events.filter((e) => e[0] === 'activate'), [['activate', 'd2']]);
    assert.ok(events.some((e) => e[0] === 'hover' && e[1] === 'd2'), 'hovered on the way');
    assert.deepEqual(await page.$$eval('g.node.selected', (els) => els.map((e) => e.getAttribute('data-id'))), ['d2']);
    await page.mouse.click(5, 690); // empty canvas
    assert.deepEqual(await page.$$eval('g.node.selected', (els) => els.length), 0, 'a click beside the boxes clears the selection');
    await page.close();
  });
});

describe('graph canvas viewport', () => {
  it('tells its listeners the level of detail and whether the user moved the view, until they unsubscribe', async () => {
    const { page } = await openCanvas(chain(300));
    await page.evaluate(() => {
      const w = window as unknown as CanvasWindow;
      w.viewports = [];
      const stop = w.canvas.onViewport((s) => { w.viewports.push({ level: s.level, moved: s.moved, framing: s.framing }); });
      (w as unknown as { stopViewports: () => void }).stopViewports = stop;
    });
    await fit(page);
    const viewports = () => page.evaluate(() => (window as unknown as CanvasWindow).viewports);
    assert.deepEqual((await viewports()).at(-1), { level: 'far', moved: false, framing: 'whole' });
    const box = (await page.locator('svg.graph-svg').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + 100);
    for (let i = 0; i < 8; i++) await page.mouse.wheel(0, -300);
    await settled(page);
    const zoomed = (await viewports()).at(-1)!;
    assert.equal(zoomed.moved, true, 'a wheel zoom is the user’s');
    assert.notEqual(zoomed.level, 'far', 'zoomed in far enough for texts');
    const count = (await viewports()).length;
    await page.evaluate(() => (window as unknown as { stopViewports: () => void }).stopViewports());
    await fit(page);
    assert.equal((await viewports()).length, count, 'no calls after unsubscribing');
    await page.close();
  });
});

describe('graph canvas paint', () => {
  it('colours boxes from their heat, flags non-finite ones, and clears both', async () => {
    const { page } = await openCanvas(chain(6));
    await page.evaluate(() => (window as unknown as CanvasWindow).canvas.setHeat(new Map([
      ['d0', { l2: 0.5, nonFinite: false }], ['d1', { l2: null, nonFinite: true }], ['d2', { l2: 1e-9, nonFinite: false }],
    ])));
    type Paint = { l2: string | null; flag: string | null; fill: string | null; tab: string | null };
    const paint = () => page.$$eval('g.node', (els): Record<string, Paint> => Object.fromEntries(els.map((e) => [e.getAttribute('data-id'), {
      l2: e.getAttribute('data-l2'), flag: e.getAttribute('data-flag'), fill: (e.querySelector('rect.node-heat') as SVGRectElement | null)?.style.fill ?? null,
      tab: e.querySelector('text.node-flag')?.textContent ?? null,
    }])));
    const painted = await paint();
    assert.equal(painted.d0.l2, '0.5');
    assert.ok(painted.d0.fill && painted.d0.fill !== 'transparent', 'd0 coloured');
    assert.deepEqual([painted.d1.l2, painted.d1.flag, painted.d1.fill], [null, 'exploding', null]);
    assert.match(painted.d1.tab ?? '', /exploding/);
    assert.equal(painted.d2.flag, 'vanishing');
    assert.equal(painted.d3.fill, null, 'no heat, no colour');
    await page.evaluate(() => (window as unknown as CanvasWindow).canvas.setHeat(new Map()));
    assert.ok(Object.values(await paint()).every((p) => p.l2 === null && p.flag === null && p.fill === null && p.tab === null));
    await page.close();
  });

  it('keeps highlights on boxes drawn later, and clears them', async () => {
    const { page } = await openCanvas(chain(300));
    await page.evaluate(() => (window as unknown as CanvasWindow).canvas.highlight(['d1', 'd250']));
    const marks = () => page.$$eval('g.node', (els) => ({
      match: els.filter((e) => e.classList.contains('match')).map((e) => e.getAttribute('data-id')),
      dimmed: els.filter((e) => e.classList.contains('dimmed')).length, drawn: els.length,
    }));
    const start = await marks();
    assert.deepEqual(start.match, ['d1']);
    assert.equal(start.dimmed, start.drawn - 1);
    await fit(page);
    const fitted = await marks();
    assert.deepEqual(fitted.match, ['d1', 'd250'], 'd250 is marked once it is drawn');
    assert.equal(fitted.dimmed, 300);
    await page.evaluate(() => (window as unknown as CanvasWindow).canvas.highlight([]));
    assert.deepEqual(await marks(), { match: [], dimmed: 0, drawn: 302 });
    await page.close();
  });
});
