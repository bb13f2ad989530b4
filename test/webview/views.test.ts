// The Training, Gradients and Data views in real headless Chromium, fed recorded runs: charts grow
// with live messages, controls change and persist what they should, the figures equal the run's
// numbers, and every view stays inside the panel without overlapping text in every theme
// (screenshots under artifacts/screenshots/views-*.png).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type {
  BatchMessage, EvaluationMessage, GradientsMessage, ModelMessage, SamplesMessage, TrainerMessage,
} from '../../src/protocol/messages';
import { screenshot, settled, startHarness, type Harness, type Theme } from '../helpers/panelHarness';
import { recordedRun } from '../helpers/recordedRuns';
import { syntheticLoss, syntheticModelMessage } from '../helpers/syntheticRun';
import { runStateFrom } from '../../src/protocol/runState';
import { plannedLrCurve } from '../../src/trainer/plannedLr';
import { MAX_PLANNED_LR_POINTS } from '../../src/protocol/messages';

let harness: Harness;
before(async () => { harness = await startHarness(); });
after(async () => { await harness.close(); });

type ViewId = 'training' | 'gradients' | 'data';

/** Posts a host message as VS Code would; as JSON text, which crosses into the page much faster
 *  than a structured argument when a snapshot holds tens of thousands of messages. */
async function post(page: Page, message: unknown): Promise<void> {
  await page.evaluate((json) => { window.postMessage(JSON.parse(json), '*'); }, JSON.stringify(message));
}

/** A panel showing `view` after a snapshot of `messages`. */
async function show(view: ViewId, messages: TrainerMessage[], theme: Theme = 'dark', size?: { width: number; height: number }): Promise<Page> {
  const page = await harness.open(theme, size);
  await post(page, { type: 'snapshot', runId: 'r1', file: '/x.ts', messages });
  await page.click(`[data-tab="${view}"]`);
  await settled(page);
  return page;
}

async function more(page: Page, messages: TrainerMessage[]): Promise<void> {
  await post(page, { type: 'messages', runId: 'r1', messages });
  await settled(page);
}

const attr = (page: Page, selector: string, name: string) => page.getAttribute(selector, name);
const count = (page: Page, selector: string) => page.locator(selector).count();
const numberAttr = async (page: Page, selector: string, name: string) => Number(await attr(page, selector, name));

/** The messages up to and including the n-th one of `type` (the rest of the run is still to come). */
function until(messages: TrainerMessage[], type: TrainerMessage['type'], n: number): [TrainerMessage[], TrainerMessage[]] {
  let seen = 0;
  const cut = messages.findIndex((m) => m.type === type && ++seen === n);
  assert.ok(cut >= 0, `the run has ${n} ${type} messages`);
  return [messages.slice(0, cut + 1), messages.slice(cut + 1)];
}

const ofType = <T extends TrainerMessage['type']>(messages: TrainerMessage[], type: T) =>
  messages.filter((m): m is Extract<TrainerMessage, { type: T }> => m.type === type);

/** TensorBoard's smoothing, written out independently of the webview's. */
function tensorBoardSmoothing(values: number[], w: number): number[] {
  let last = 0;
  let numAccum = 0;
  const constant = values.every((v) => v === values[0]);
  return values.map((v) => {
    if (constant || !Number.isFinite(v)) return v;
    last = last * w + (1 - w) * v;
    numAccum++;
    return last / (1 - Math.pow(w, numAccum));
  });
}

/** Nothing wider than the panel, and no two pieces of text drawn over each other. */
async function assertLaidOut(page: Page, view: ViewId): Promise<void> {
  const problems = await page.evaluate((id) => {
    const root = document.querySelector<HTMLElement>(`[data-view="${id}"]`)!;
    const out: string[] = [];
    if (root.scrollWidth > root.clientWidth + 1) out.push(`content ${root.scrollWidth}px wide in a ${root.clientWidth}px view`);
    const panel = root.getBoundingClientRect();
    const texts = [...root.querySelectorAll<Element>('text, .figure, .chart-title, .legend-item, figcaption span, .chart-subtitle')]
      .map((e) => ({ e, r: e.getBoundingClientRect(), t: (e.textContent ?? '').trim() }))
      .filter(({ r, t }) => t !== '' && r.width > 0 && r.height > 0);
    for (const { r, t } of texts) {
      if (r.left < panel.left - 1 || r.right > panel.right + 1) out.push(`"${t}" is cut off at the panel's edge`);
    }
    for (let i = 0; i < texts.length; i++) {
      for (let j = i + 1; j < texts.length; j++) {
        const a = texts[i], b = texts[j];
        if (a.e.contains(b.e) || b.e.contains(a.e)) continue;
        const w = Math.min(a.r.right, b.r.right) - Math.max(a.r.left, b.r.left);
        const h = Math.min(a.r.bottom, b.r.bottom) - Math.max(a.r.top, b.r.top);
        if (w > 1.5 && h > 1.5) out.push(`"${a.t}" overlaps "${b.t}"`);
      }
    }
    return { out, checked: texts.length };
  }, view);
  assert.ok(problems.checked > 20, `the check saw the view's text (${problems.checked} pieces)`);
  assert.deepEqual(problems.out, [], `the ${view} view is laid out cleanly`);
  const errors = (page as unknown as { problems: string[] }).problems.filter((p) => !p.includes('404'));
  assert.deepEqual(errors, [], 'no page errors');
  const warnings = await page.evaluate(() => (window as unknown as { __warnings: string[] }).__warnings);
  assert.deepEqual(warnings.filter((w) => /failed to draw/.test(w)), [], 'no view failed to draw');
}

/** A long run made from a recorded one: `steps` batches (the recorded ones repeated, steps renumbered),
 *  gradients every `every` steps, over a plan of `steps + extra` steps. */
function longRun(base: TrainerMessage[], steps: number, every: number, extra: number) {
  const model = ofType(base, 'model')[0];
  const batches = ofType(base, 'batch');
  const grads = ofType(base, 'gradients');
  const total = steps + extra;
  const rates = Array.from({ length: total }, (_, i) => 0.05 * 0.5 * (1 + Math.cos((Math.PI * i) / total)));
  const plan = { ...model.plan!, epochs: 10, stepsPerEpoch: total / 10, totalSteps: total, gradientEvery: every, plannedLr: plannedLrCurve(rates) };
  const batch = (step: number): BatchMessage => ({ ...batches[step % batches.length], step, epoch: Math.ceil(step / plan.stepsPerEpoch), lr: rates[step - 1] });
  const gradients = (step: number): GradientsMessage => {
    const g = grads[(step / every) % grads.length | 0];
    const withHistograms = step % (every * 20) === 0;
    return {
      ...g, step, epoch: Math.ceil(step / plan.stepsPerEpoch),
      layers: g.layers.map(({ histogram: _h, ...l }, i) => {
        const histogram = grads[0].layers[i]?.histogram;
        return withHistograms && histogram ? { ...l, histogram } : l;
      }),
    };
  };
  const messages: TrainerMessage[] = [ofType(base, 'ready')[0], { ...model, plan }];
  for (let step = 1; step <= steps; step++) {
    messages.push(batch(step));
    if (step % every === 0) messages.push(gradients(step));
  }
  return { messages, batch, gradients };
}

let sharedLongRun: ReturnType<typeof longRun> | null = null;
const fiftyThousandSteps = () => (sharedLongRun ??= longRun(recordedRun('mlp'), 50_000, 20, 2_000));

/** Streams 20 batch and 5 gradients messages a second for `seconds` and times each frame the panel
 *  renders on the main thread: from its animation-frame callback through style, layout and paint (a
 *  message posted in the callback runs as the next task, after the frame's rendering). */
async function streamAndTime(page: Page, batches: TrainerMessage[], gradients: TrainerMessage[], seconds: number): Promise<number[]> {
  return page.evaluate(({ batches, gradients, seconds }) => new Promise<number[]>((resolve) => {
    const times: number[] = [];
    const raf = window.requestAnimationFrame.bind(window);
    const channel = new MessageChannel();
    let started = 0;
    channel.port1.onmessage = () => times.push(performance.now() - started);
    window.requestAnimationFrame = (cb) => raf((t) => { started = performance.now(); cb(t); channel.port2.postMessage(0); });
    let b = 0, g = 0;
    const post = (m: unknown) => window.postMessage({ type: 'messages', runId: 'r1', messages: [m] }, '*');
    const bt = setInterval(() => { if (b < batches.length) post(batches[b++]); }, 50);
    const gt = setInterval(() => { if (g < gradients.length) post(gradients[g++]); }, 200);
    // Stop once everything was posted and drawn (two frames later).
    const done = () => {
      if (b < batches.length || g < gradients.length) { setTimeout(done, 50); return; }
      clearInterval(bt); clearInterval(gt);
      raf(() => raf(() => { window.requestAnimationFrame = raf; resolve(times); }));
    };
    setTimeout(done, seconds * 1000);
  }), { batches, gradients, seconds });
}

const percentile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? 0;

/** Dark and light at full width, high contrast in a narrow panel: laid out cleanly, with screenshots. */
function layoutTests(view: ViewId, run: () => TrainerMessage[]): void {
  for (const theme of ['dark', 'light'] as Theme[]) {
    it(`stays inside the panel without overlapping text (${theme} theme)`, async () => {
      const page = await show(view, run(), theme);
      await assertLaidOut(page, view);
      await screenshot(page, `views-${view}-${theme}`);
      await page.close();
    });
  }
  it('stays inside a narrow panel and redraws to a resized one (high contrast)', async () => {
    const page = await show(view, run(), 'hc', { width: 480, height: 900 });
    await assertLaidOut(page, view);
    await screenshot(page, `views-${view}-hc-narrow`);
    await page.setViewportSize({ width: 1000, height: 800 });
    await settled(page);
    await settled(page);
    await assertLaidOut(page, view);
    const misfits = await page.$$eval(`[data-view="${view}"] .chart-body > svg.chart-svg`, (ss) => ss
      .filter((s) => (s as unknown as HTMLElement).getBoundingClientRect().width > 0)
      .map((s) => ({ svg: Number(s.getAttribute('width')), body: s.parentElement!.clientWidth }))
      .filter(({ svg, body }) => Math.abs(svg - body) > 1));
    assert.deepEqual(misfits, [], 'every chart was redrawn to its new width');
    await page.close();
  });
}

describe('Training view', () => {
  it('shows an empty state until the first batch', async () => {
    const run = recordedRun('mlp');
    const [head] = until(run, 'model', 1);
    const page = await show('training', head);
    const text = await page.locator('[data-view="training"] .empty').textContent();
    assert.match(text ?? '', /first batch/);
    assert.equal(await page.locator('[data-view="training"] .chart-grid').first().isVisible(), false);
    await page.close();
  });

  it('grows the loss and accuracy curves as batch messages arrive', async () => {
    const run = recordedRun('mlp');
    const [head, rest] = until(run, 'batch', 6);
    const page = await show('training', head);
    for (const s of ['loss-raw', 'loss-smoothed', 'accuracy-raw', 'accuracy-smoothed', 'lr-actual']) {
      assert.equal(await numberAttr(page, `[data-series="${s}"]`, 'data-points'), 6, s);
    }
    const before = (await attr(page, '[data-series="loss-raw"] path.line', 'd')) ?? '';
    const batches = ofType(rest, 'batch');
    await more(page, batches);
    const total = 6 + batches.length;
    for (const s of ['loss-raw', 'loss-smoothed', 'accuracy-raw', 'accuracy-smoothed', 'lr-actual']) {
      assert.equal(await numberAttr(page, `[data-series="${s}"]`, 'data-points'), total, s);
      assert.equal(await numberAttr(page, `[data-series="${s}"]`, 'data-drawn'), total, `${s} draws every point of a short run`);
    }
    const after = (await attr(page, '[data-series="loss-raw"] path.line', 'd')) ?? '';
    assert.ok(after.length > before.length, 'the raw loss path got longer');
    assert.equal(await attr(page, '[data-series="loss-raw"]', 'data-x-last'), String(batches[batches.length - 1].step));
    await page.close();
  });

  it('draws the same charts from a snapshot of batch columns (as the host sends it) as from every message', async () => {
    const run = recordedRun('mlp');
    const [head, rest] = until(run, 'batch', 10);
    const folded = runStateFrom(head);
    const full = await show('training', head);
    const compact = await harness.open('dark');
    await post(compact, { type: 'snapshot', runId: 'r1', file: '/x.ts', batches: folded.batches, messages: head.filter((m) => m.type !== 'batch') });
    await compact.click('[data-tab="training"]');
    await settled(compact);
    for (const s of ['loss-raw', 'loss-smoothed', 'accuracy-raw', 'lr-actual']) {
      assert.equal(await numberAttr(compact, `[data-series="${s}"]`, 'data-points'), 10, s);
      assert.equal(await attr(compact, `[data-series="${s}"] path.line`, 'd'), await attr(full, `[data-series="${s}"] path.line`, 'd'), s);
    }
    // Live batches after it append to the columns.
    const batches = ofType(rest, 'batch').slice(0, 5);
    await more(compact, batches);
    assert.equal(await numberAttr(compact, '[data-series="loss-raw"]', 'data-points'), 15);
    assert.equal(await attr(compact, '[data-series="loss-raw"]', 'data-x-last'), String(batches[4].step));
    await full.close();
    await compact.close();
  });

  it("smooths with TensorBoard's debiased EMA and the slider changes (and persists) the weight", async () => {
    const run = recordedRun('mlp');
    const losses = ofType(run, 'batch').map((b) => b.metrics.loss);
    const page = await show('training', run);
    const lastSmoothed = () => numberAttr(page, '[data-series="loss-smoothed"]', 'data-last');
    const expected = tensorBoardSmoothing(losses, 0.6);
    assert.ok(Math.abs((await lastSmoothed()) - expected[expected.length - 1]) < 1e-12, 'default weight 0.6');
    const before = await attr(page, '[data-series="loss-smoothed"] path.line', 'd');

    await page.$eval('[data-control="smoothing"]', (el) => {
      (el as HTMLInputElement).value = '0.9';
      el.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await settled(page);
    const at09 = tensorBoardSmoothing(losses, 0.9);
    assert.ok(Math.abs((await lastSmoothed()) - at09[at09.length - 1]) < 1e-12, 'weight 0.9');
    assert.notEqual(await attr(page, '[data-series="loss-smoothed"] path.line', 'd'), before, 'the smoothed line moved');
    assert.equal(await attr(page, '[data-series="loss-raw"] path.line', 'd') !== null, true);
    assert.equal(await page.textContent('.smoothing-value'), '0.90');
    const saved = await page.evaluate(() => (window as unknown as { acquireVsCodeApi(): { getState(): Record<string, unknown> } }).acquireVsCodeApi().getState());
    assert.equal(saved['training.smoothing'], 0.9, 'the weight is kept in the webview state');

    await page.$eval('[data-control="smoothing"]', (el) => {
      (el as HTMLInputElement).value = '0';
      el.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await settled(page);
    assert.equal(await lastSmoothed(), losses[losses.length - 1], 'weight 0 is the raw series');
    await page.close();
  });

  it('plots one train and one test point per finished epoch, at the step the epoch ended', async () => {
    const run = recordedRun('mlp');
    const plan = ofType(run, 'model')[0].plan!;
    const [head, rest] = until(run, 'epochEnd', 1);
    const page = await show('training', head);
    for (const s of ['loss-epoch-train', 'loss-epoch-test', 'accuracy-epoch-train', 'accuracy-epoch-test']) {
      assert.equal(await count(page, `[data-series="${s}"] path.point`), 1, s);
    }
    await more(page, rest);
    const epochs = ofType(run, 'epochEnd');
    for (const s of ['loss-epoch-train', 'loss-epoch-test', 'accuracy-epoch-train', 'accuracy-epoch-test']) {
      assert.equal(await count(page, `[data-series="${s}"] path.point`), epochs.length, s);
    }
    assert.equal(await attr(page, '[data-series="loss-epoch-test"]', 'data-x-last'), String(epochs.length * plan.stepsPerEpoch));
    assert.equal(await numberAttr(page, '[data-series="loss-epoch-test"]', 'data-last'), epochs[epochs.length - 1].test?.loss);
    assert.equal(await numberAttr(page, '[data-series="accuracy-epoch-train"]', 'data-last'), epochs[epochs.length - 1].metrics.accuracy);
    await page.close();
  });

  it('draws the whole planned learning-rate schedule ahead of the rates used so far', async () => {
    const run = recordedRun('cnn');
    const plan = ofType(run, 'model')[0].plan!;
    assert.ok(plan.plannedLr && plan.plannedLr.step[plan.plannedLr.step.length - 1] === plan.totalSteps);
    const [head] = until(run, 'batch', 5);
    const page = await show('training', head);
    assert.equal(await numberAttr(page, '[data-series="lr-planned"]', 'data-points'), plan.plannedLr.step.length);
    assert.equal(await attr(page, '[data-series="lr-planned"]', 'data-x-first'), '1');
    assert.equal(await attr(page, '[data-series="lr-planned"]', 'data-x-last'), String(plan.totalSteps));
    assert.equal(await attr(page, '[data-series="lr-actual"]', 'data-x-last'), '5');
    assert.ok(await page.locator('[data-series="lr-planned"].series-dashed').count(), 'the plan is dashed');
    await page.close();
  });

  it('shows samples/s, elapsed time and an ETA from the remaining steps and the latest rate', async () => {
    const run = recordedRun('mlp');
    const plan = ofType(run, 'model')[0].plan!;
    const [head] = until(run, 'batch', 4);
    const page = await show('training', head);
    const b = ofType(head, 'batch').pop() as BatchMessage;
    const figure = (k: string) => page.textContent(`[data-figure="${k}"] .figure-value`);
    assert.equal(await figure('step'), `4 / ${plan.totalSteps}`);
    assert.equal(await figure('samples-per-sec'), Math.round(b.samplesPerSec).toLocaleString('en-US'));
    assert.match((await figure('elapsed')) ?? '', /^\d+(\.\d)? s$/);
    const eta = ((plan.totalSteps - 4) * plan.batchSize) / b.samplesPerSec;
    assert.equal(await figure('eta'), eta < 10 ? `${eta.toFixed(1)} s` : `${eta.toFixed(0)} s`);
    await more(page, run.slice(head.length));
    assert.equal(await figure('eta'), 'done');
    await page.close();
  });

  it('shows a tooltip with the exact values at the hovered step', async () => {
    const run = recordedRun('mlp');
    const page = await show('training', run);
    const box = (await page.locator('[data-chart="loss"] .overlay').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.5);
    await settled(page);
    const tip = page.locator('[data-chart="loss"] .chart-tooltip');
    assert.equal(await tip.isVisible(), true);
    const text = (await tip.textContent()) ?? '';
    assert.match(text, /step \d+ · epoch \d/);
    const step = Number(/step (\d+)/.exec(text)![1]);
    const raw = ofType(run, 'batch').find((b) => b.step === step)!.metrics.loss;
    assert.ok(text.includes(String(Number(raw.toPrecision(4)))), `the tooltip shows the raw loss ${raw} at step ${step}: ${text}`);
    await page.close();
  });

  it('draws every series of a 50,000-step run downsampled to at most two points per pixel (frame times: npm run bench -- webview)', async () => {
    const { messages, batch, gradients } = fiftyThousandSteps();
    const page = await show('training', messages);
    for (const [chart, s] of [['loss', 'loss-raw'], ['loss', 'loss-smoothed'], ['accuracy', 'accuracy-raw'], ['lr', 'lr-actual']]) {
      const width = await numberAttr(page, `[data-chart="${chart}"] svg`, 'width');
      assert.ok(await numberAttr(page, `[data-series="${s}"]`, 'data-points') >= 50_000, s);
      assert.ok(await numberAttr(page, `[data-series="${s}"]`, 'data-drawn') <= 2 * width + 2, `${s} is drawn with at most two points per pixel`);
    }
    // The plan comes as at most MAX_PLANNED_LR_POINTS points over the whole run.
    const plan = ofType(messages, 'model')[0].plan!;
    assert.ok(await numberAttr(page, '[data-series="lr-planned"]', 'data-points') <= MAX_PLANNED_LR_POINTS);
    assert.equal(await attr(page, '[data-series="lr-planned"]', 'data-x-last'), String(plan.totalSteps));
    const times = await streamAndTime(page, Array.from({ length: 60 }, (_, k) => batch(50_001 + k)), Array.from({ length: 15 }, (_, k) => gradients(50_020 + 20 * k)), 3);
    assert.equal(await numberAttr(page, '[data-series="loss-raw"]', 'data-points'), 50_060, 'every streamed batch arrived');
    const p95 = percentile(times, 0.95);
    console.log(`training view, 50k steps: ${times.length} frames, frame p50 ${percentile(times, 0.5).toFixed(2)} ms, p95 ${p95.toFixed(2)} ms`);
    await page.close();
  });

  layoutTests('training', () => until(recordedRun('cnn'), 'batch', 10)[0]);
});

/** The recorded run as a regression run would report it: loss, mae and r2 where accuracy was, validation figures per epoch. */
function asRegression(run: TrainerMessage[]): TrainerMessage[] {
  return run.map((m): TrainerMessage => {
    if (m.type === 'batch') return { ...m, metrics: { loss: m.metrics.loss, mae: m.metrics.loss / 2, r2: m.metrics.accuracy } };
    if (m.type === 'epochEnd') {
      const { test: _t, ...rest } = m;
      return { ...rest, metrics: { loss: m.metrics.loss, mae: 0.3, r2: 0.5 }, val: { loss: m.metrics.loss * 1.2, mae: 0.5 - 0.1 * m.epoch, r2: 0.4 + 0.1 * m.epoch } };
    }
    return m;
  }).filter((m) => m.type !== 'evaluation' && m.type !== 'samples');
}

describe('Training view: named metrics', () => {
  it('draws one chart per metric: a regression run shows mae and r2 where accuracy would be', async () => {
    const run = asRegression(recordedRun('mlp'));
    const page = await show('training', run);
    // The runs overlay's charts (compare-*) sit in the same view, hidden until runs are compared.
    const charts = (await page.locator('[data-view="training"] [data-chart]').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.chart)))
      .filter((id) => !id?.startsWith('compare-'));
    assert.deepEqual(charts, ['loss', 'mae', 'r2', 'lr'], 'the vocabulary\'s order, the rate last');
    const batches = ofType(run, 'batch');
    for (const name of ['mae', 'r2']) {
      assert.equal(await numberAttr(page, `[data-series="${name}-raw"]`, 'data-points'), batches.length, name);
      assert.equal(await count(page, `[data-series="${name}-epoch-val"] path.point`), ofType(run, 'epochEnd').length, `${name} validation points`);
    }
    assert.equal(await numberAttr(page, '[data-series="r2-epoch-val"]', 'data-last'), ofType(run, 'epochEnd').at(-1)!.val!.r2);
    assert.equal(await count(page, '[data-series="loss-epoch-test"]'), 0, 'no test split, no test series');
    const epochs = ofType(run, 'epochEnd');
    const best = await page.textContent('[data-figure="best"]');
    assert.match(best ?? '', new RegExp(`Best val MAE.*\\(ep\\. ${epochs.length}\\)`), `the best validation mae is the lowest, the last epoch's: ${best}`);
    await screenshot(page, 'views-training-regression');
    await page.close();
  });

  it('says which figure every loss is: batch, smoothed, epoch mean, validation or test', async () => {
    const run = recordedRun('mlp');
    const page = await show('training', run);
    const legend = await page.locator('[data-chart="loss"] .legend-label').allTextContents();
    assert.deepEqual(legend, ['batch', 'batch, smoothed (0.60)', 'epoch mean (train)', 'test (epoch end)']);
    assert.equal(await page.textContent('[data-figure="loss"] .figure-label'), 'Loss (batch, smoothed)');
    assert.equal(await page.textContent('[data-figure="accuracy"] .figure-label'), 'Accuracy (batch, smoothed)');
    await page.close();
  });

  it('says how often the rate steps and marks each plateau cut with the rates and the epoch', async () => {
    const run = recordedRun('mlp');
    const model = ofType(run, 'model')[0];
    const plateau = { type: 'plateau' as const, factor: 0.5, patience: 0 };
    // the rate halved after epoch 1 (what the trainer's plateau did), as the batches of epoch 2 used it
    const cut = run.map((m): TrainerMessage => (m.type === 'model' ? { ...model, plan: { ...model.plan!, schedule: plateau, plannedLr: null } }
      : m.type === 'batch' ? { ...m, lr: m.epoch === 1 ? 0.1 : 0.05 } : m));
    const page = await show('training', cut);
    assert.match((await page.textContent('[data-chart="lr"] .chart-subtitle')) ?? '', /plateau: the rate steps once per epoch/);
    const firstOfEpoch2 = ofType(cut, 'batch').find((b) => b.epoch === 2)!;
    assert.deepEqual(await page.locator('[data-chart="lr"] [data-cut]').evaluateAll((els) => els.map((e) => e.getAttribute('data-cut'))), [String(firstOfEpoch2.step)]);
    assert.equal(await page.textContent('[data-chart="lr"] [data-cut] text'), 'plateau: 0.1 → 0.05 after epoch 1');
    await page.close();

    const perBatch = run.map((m): TrainerMessage => (m.type === 'model' ? { ...model, plan: { ...model.plan!, schedule: { type: 'oneCycle', maxLr: 0.1 } } } : m));
    const oneCycle = await show('training', perBatch);
    assert.match((await oneCycle.textContent('[data-chart="lr"] .chart-subtitle')) ?? '', /oneCycle: the rate steps once per batch/);
    assert.equal(await oneCycle.locator('[data-chart="lr"] [data-cut]').count(), 0, 'only plateau cuts are marked');
    await oneCycle.close();
  });

  it('draws custom scalars (lens.log) as charts of their own, growing live', async () => {
    const run = recordedRun('mlp');
    const scalars = (from: number, to: number): TrainerMessage[] => Array.from({ length: to - from + 1 }, (_, i) => ({ type: 'scalars', step: from + i, values: { gradNorm: 1 / (from + i), temperature: 2 } }));
    const page = await show('training', [...run, ...scalars(1, 5)]);
    assert.equal(await numberAttr(page, '[data-series="scalar-gradNorm"]', 'data-points'), 5);
    assert.equal(await numberAttr(page, '[data-series="scalar-temperature"]', 'data-points'), 5);
    assert.match((await page.textContent('[data-chart="scalar-gradNorm"] .chart-title')) ?? '', /gradNorm/);
    await more(page, scalars(6, 8));
    assert.equal(await numberAttr(page, '[data-series="scalar-gradNorm"]', 'data-last'), 1 / 8);
    await page.close();
  });
});

describe('Training view: a custom loop (a script\'s own minimize: batches of its loss, no epochs, no plan)', () => {
  it('charts the loss across the row, and names no epoch rather than epoch 0', async () => {
    const model: ModelMessage = { ...syntheticModelMessage(), plan: undefined, dataset: undefined };
    const batches: BatchMessage[] = Array.from({ length: 40 }, (_, i) => ({
      type: 'batch', modelId: 1, epoch: 1, step: i + 1, batch: i + 1, metrics: { loss: syntheticLoss(i + 1) }, lr: 0.05, samplesPerSec: 900, elapsedSec: (i + 1) * 0.01,
    }));
    const run: TrainerMessage[] = [{ type: 'ready', backend: 'cpu', reason: 'made up', versions: { tfjs: '4.22.0', node: '20', modelLens: 'test' } },
      { ...model, modelId: 1 }, ...batches, { type: 'done', stopped: false, reason: 'completed', steps: 40, elapsedSec: 0.4, savedTo: null }];
    for (const theme of ['dark', 'light'] as Theme[]) {
      const page = await show('training', run, theme);
      assert.equal(await page.textContent('[data-figure="epoch"] .figure-value'), '—');
      assert.equal(await page.textContent('[data-figure="step"] .figure-value'), '40 / 40');
      const status = (await page.textContent('#status')) ?? '';
      assert.match(status, /step 40/);
      assert.doesNotMatch(status, /epoch/, status);
      assert.equal(await numberAttr(page, '[data-series="loss-raw"]', 'data-points'), 40);
      const [loss, lr] = await Promise.all(['loss', 'lr'].map((c) => page.locator(`[data-view="training"] [data-chart="${c}"]`).boundingBox()));
      assert.ok(loss && lr && Math.abs(loss.width - lr.width) <= 1, `the lone loss chart spans the row as the rate chart does: ${loss?.width} vs ${lr?.width}`);
      await screenshot(page, `views-training-custom-loop-${theme}`);
      await page.close();
    }
  });
});

describe('Gradients view', () => {
  it('shows an empty state until the first sampled step', async () => {
    const run = recordedRun('mlp');
    const [head] = until(run, 'model', 1);
    const page = await show('gradients', head);
    assert.match((await page.locator('[data-view="gradients"] .empty').first().textContent()) ?? '', /first sampled step/);
    await page.close();
  });

  it('draws mean and max |g| bars and the update ratio for every layer with weights, from the latest step', async () => {
    const run = recordedRun('mlp');
    const page = await show('gradients', run);
    const latest = ofType(run, 'gradients').pop() as GradientsMessage;
    assert.ok(latest.layers.length >= 3);
    for (const l of latest.layers) {
      for (const [metric, value] of [['meanAbs', l.meanAbs], ['maxAbs', l.maxAbs], ['updateRatio', l.updateRatio]] as const) {
        assert.equal(await numberAttr(page, `rect.bar[data-layer="${l.layer}"][data-metric="${metric}"]`, 'data-value'), value, `${l.layer} ${metric}`);
      }
    }
    assert.equal(await count(page, '[data-chart="gradient-flow"] .layer-row'), latest.layers.length);
    assert.equal(await count(page, '[data-chart="update-ratio"] .guide line'), 1, 'the 1e-3 guide line');
    await page.close();
  });

  it('updates the bars live and grows the heatmap as gradients messages arrive', async () => {
    const run = recordedRun('mlp');
    const [head, rest] = until(run, 'gradients', 4);
    const page = await show('gradients', head);
    const heatmap = '[data-chart="gradient-heatmap"]';
    assert.equal(await numberAttr(page, heatmap, 'data-columns'), 4);
    const layers = (ofType(head, 'gradients')[0]).layers.length;
    assert.equal(await numberAttr(page, heatmap, 'data-rows'), layers);
    assert.equal(await numberAttr(page, heatmap, 'data-cells'), 4 * layers);
    await more(page, rest);
    const all = ofType(run, 'gradients');
    assert.equal(await numberAttr(page, heatmap, 'data-columns'), all.length);
    assert.equal(await numberAttr(page, heatmap, 'data-cells'), all.length * layers);
    const latest = all[all.length - 1].layers[0];
    assert.equal(await numberAttr(page, `rect.bar[data-layer="${latest.layer}"][data-metric="meanAbs"]`, 'data-value'), latest.meanAbs);
    await page.close();
  });

  it('marks frozen layers in the bars and the heatmap and gives them no bars or cells', async () => {
    const run = recordedRun('frozenBase');
    const page = await show('gradients', run);
    const latest = ofType(run, 'gradients').pop() as GradientsMessage;
    const frozen = latest.layers.filter((l) => l.frozen).map((l) => l.layer);
    const trainable = latest.layers.filter((l) => !l.frozen).map((l) => l.layer);
    assert.ok(frozen.length >= 1 && trainable.length >= 1, 'the run has frozen and trainable layers');
    for (const name of frozen) {
      assert.equal(await attr(page, `[data-chart="gradient-heatmap"] .row-label[data-layer="${name}"]`, 'data-frozen'), 'true');
      assert.match((await page.textContent(`[data-chart="gradient-heatmap"] .row-label[data-layer="${name}"]`)) ?? '', /frozen/);
      assert.match((await page.textContent(`[data-chart="gradient-flow"] .layer-row[data-layer="${name}"] .row-note`)) ?? '', /frozen/);
      assert.equal(await count(page, `rect.bar[data-layer="${name}"]`), 0, `${name} has no bars`);
    }
    for (const name of trainable) {
      assert.equal(await attr(page, `[data-chart="gradient-heatmap"] .row-label[data-layer="${name}"]`, 'data-frozen'), 'false');
      assert.equal(await count(page, `[data-chart="gradient-flow"] rect.bar[data-layer="${name}"]`), 2, `${name} has mean and max bars`);
    }
    const steps = ofType(run, 'gradients').length;
    assert.equal(await numberAttr(page, '[data-chart="gradient-heatmap"]', 'data-cells'), steps * trainable.length, 'frozen rows stay empty');
    await page.close();
  });

  it("shows the chosen layer's gradient histograms as ridges and keeps the choice", async () => {
    const run = recordedRun('mlp');
    const page = await show('gradients', run);
    const withHistograms = [...new Set(ofType(run, 'gradients').flatMap((g) => g.layers.filter((l) => l.histogram).map((l) => l.layer)))];
    assert.ok(withHistograms.length >= 2);
    const options = await page.$$eval('[data-control="histogram-layer"] vscode-option', (os) => os.map((o) => (o as HTMLOptionElement).value));
    assert.deepEqual(options, withHistograms);
    const samples = (layer: string) => ofType(run, 'gradients').filter((g) => g.layers.some((l) => l.layer === layer && l.histogram));
    assert.equal(await numberAttr(page, '.ridge-plot', 'data-ridges'), samples(withHistograms[0]).length);
    await page.click('[data-control="histogram-layer"]');
    await page.getByRole('option', { name: withHistograms[1], exact: true }).click();
    await settled(page);
    const newest = samples(withHistograms[1]).pop()!;
    assert.equal(await attr(page, '.ridge-plot path.ridge.newest', 'data-step'), String(newest.step));
    const saved = await page.evaluate(() => (window as unknown as { acquireVsCodeApi(): { getState(): Record<string, unknown> } }).acquireVsCodeApi().getState());
    assert.equal(saved['gradients.histogramLayer'], withHistograms[1]);
    await page.close();
  });


  layoutTests('gradients', () => recordedRun('frozenBase'));

  it('lays out a residual network in high contrast', async () => {
    const page = await show('gradients', recordedRun('residual'), 'hc');
    await assertLaidOut(page, 'gradients');
    await screenshot(page, 'views-gradients-hc');
    await page.close();
  });
});

describe('Data view', () => {
  it('shows an empty state until the data is loaded, then the samples with their labels before step 1', async () => {
    const run = recordedRun('mlp');
    const page = await show('data', run.slice(0, run.findIndex((m) => m.type === 'samples')));
    assert.match((await page.locator('[data-view="data"] > .empty').textContent()) ?? '', /when the data is loaded/);
    await page.close();
    const [head] = until(run, 'batch', 1);
    const loaded = ofType(head, 'samples') as SamplesMessage[];
    assert.equal(loaded.length, 1);
    assert.equal(loaded[0].epoch, 0);
    const before = await show('data', head);
    assert.equal(await count(before, '.image-grid .sample-tile'), 32);
    const captions = await before.$$eval('[data-chart="samples"] .sample-tile figcaption', (cs) => cs.map((c) => c.textContent));
    captions.forEach((c, i) => assert.equal(c, loaded[0].classNames[loaded[0].labels[i]], 'the label alone'));
    assert.equal(await count(before, '[data-chart="misclassified"]:not([hidden])'), 0);
    await before.close();
  });

  it('shows the misclassified samples with the probability of the class predicted', async () => {
    const run = recordedRun('mlp');
    const s = ofType(run, 'samples').pop() as SamplesMessage;
    const wrong = s.labels.flatMap((l, i) => (l !== s.predictions[i] ? [i] : []));
    const page = await show('data', run);
    assert.equal(await count(page, '[data-chart="misclassified"] .sample-tile'), wrong.length);
    const captions = await page.$$eval('[data-chart="misclassified"] .sample-tile figcaption', (cs) => cs.map((c) => c.textContent ?? ''));
    captions.forEach((c, k) => {
      const i = wrong[k];
      assert.ok(c.includes(`${s.classNames[s.predictions[i]]} (p ${s.probabilities![i][s.predictions[i]].toFixed(2)})`), c);
    });
    await page.close();
  });

  it("shows a table's first rows, and a regression's predictions against the truth with the diagonal instead of class figures", async () => {
    const base = recordedRun('mlp').filter((m) => m.type !== 'samples' && m.type !== 'evaluation');
    const truth = [1, 2, 3, 4, 5];
    const predicted = [1.1, 1.8, 3.2, 4.1, 4.7];
    const run: TrainerMessage[] = [
      ...base.map((m) => (m.type === 'model' ? { ...m, dataset: { ...m.dataset!, name: 'csv', task: 'regression' as const, inputShape: [2], targetNames: ['price'] } } : m)),
      { type: 'sampleRows', columns: ['a', 'colour', 'price'], rows: [['1.5', 'red', '3'], ['', 'blue', '4']] },
      { type: 'regression', epoch: 1, test: { loss: 0.05, mae: 0.18, r2: 0.98 }, target: 'price', truth, predicted },
    ];
    const page = await show('data', run);
    const cells = await page.$$eval('.sample-rows tr', (rs) => rs.map((r) => Array.from(r.children, (c) => c.textContent)));
    assert.deepEqual(cells, [['a', 'colour', 'price'], ['1.5', 'red', '3'], ['—', 'blue', '4']]);
    assert.equal(await count(page, '.scatter-plot .dots circle'), truth.length);
    assert.equal(await count(page, '.scatter-plot .diagonal'), 1);
    const diagonal = await page.$eval('.scatter-plot .diagonal', (l) => ['x1', 'y1', 'x2', 'y2'].map((a) => Number(l.getAttribute(a))));
    assert.ok(diagonal[0] < diagonal[2] && diagonal[1] > diagonal[3], 'rising from bottom left');
    assert.match((await page.textContent('[data-chart="predicted-vs-true"]')) ?? '', /R² 0\.980/);
    assert.equal(await count(page, '[data-chart="confusion"]:not([hidden])'), 0);
    await page.close();
  });

  it('tiles the 32 sample images with their true labels and predictions, marking wrong ones', async () => {
    const run = recordedRun('mlp');
    const page = await show('data', run);
    // The grid before step 1 carries training images; of the test samples, only the first evaluation's
    // message carries the images, and the panel keeps them for later epochs.
    const [training, withImages, ...later] = ofType(run, 'samples') as SamplesMessage[];
    assert.equal(training.epoch, 0);
    assert.equal(withImages.epoch, 1);
    assert.ok(later.length > 0 && later.every((m) => m.images === undefined));
    const s = { ...later[later.length - 1], images: withImages.images ?? [] };
    assert.equal(s.images.length, 32);
    assert.equal(await count(page, '[data-chart="samples"] .sample-tile'), 32);
    assert.equal(await count(page, '[data-chart="samples"] .sample-tile canvas'), 32);
    const tiles = await page.$$eval('[data-chart="samples"] .sample-tile', (ts) => ts.map((t) => ({
      label: (t as HTMLElement).dataset.label, prediction: (t as HTMLElement).dataset.prediction,
      caption: t.querySelector('figcaption')?.textContent ?? '', wrong: t.classList.contains('wrong'),
      width: (t.querySelector('canvas') as HTMLCanvasElement).width,
    })));
    tiles.forEach((t, i) => {
      assert.equal(t.label, s.classNames[s.labels[i]]);
      assert.equal(t.prediction, s.classNames[s.predictions[i]]);
      assert.ok(t.caption.startsWith(t.label!) && t.caption.includes(t.prediction!), `tile ${i} caption "${t.caption}"`);
      assert.equal(t.wrong, s.labels[i] !== s.predictions[i]);
      assert.equal(t.width, s.width);
    });
    // The canvas holds the image's own pixels: its top-left pixel is the first byte of the image.
    const pixel = await page.$eval('.sample-tile canvas', (c) => Array.from((c as HTMLCanvasElement).getContext('2d')!.getImageData(0, 0, 1, 1).data));
    const first = Buffer.from(s.images[0], 'base64')[0];
    assert.deepEqual(pixel, [first, first, first, 255]);
    await page.close();
  });

  it('draws a confusion matrix whose cells sum to the test count, and per-class bars equal to the evaluation', async () => {
    const run = recordedRun('mlp');
    const page = await show('data', run);
    const ev = ofType(run, 'evaluation').pop() as EvaluationMessage;
    const dataset = (ofType(run, 'model')[0] as ModelMessage).dataset!;
    const cells = await page.$$eval('.confusion rect[data-count]', (rs) => rs.map((r) => ({
      t: Number(r.getAttribute('data-true')), p: Number(r.getAttribute('data-pred')), n: Number(r.getAttribute('data-count')),
    })));
    assert.equal(cells.length, ev.classNames.length ** 2);
    assert.equal(cells.reduce((a, c) => a + c.n, 0), dataset.testCount);
    for (const c of cells) assert.equal(c.n, ev.confusion[c.t][c.p]);
    for (let i = 0; i < ev.perClassAccuracy.length; i++) {
      assert.equal(await numberAttr(page, `.class-bars .bar[data-class="${i}"]`, 'data-value'), ev.perClassAccuracy[i], `class ${i}`);
      assert.equal(await attr(page, `.class-bars .bar[data-class="${i}"]`, 'data-name'), ev.classNames[i]);
    }
    assert.match((await page.textContent('.confusion')) ?? '', /true.*predicted|predicted.*true/s);
    await page.close();
  });

  it('says briefly that a non-image data set has no sample images', async () => {
    const run = recordedRun('mlp').filter((m) => m.type !== 'samples').map((m) => (m.type === 'model'
      ? { ...m, dataset: { ...m.dataset!, name: 'spiral', inputShape: [2] } }
      : m));
    const page = await show('data', run);
    assert.match((await page.textContent('[data-chart="samples"] .empty')) ?? '', /not an image data set/);
    assert.equal(await count(page, '.sample-tile'), 0);
    assert.ok(await count(page, '.confusion rect[data-count]') > 0, 'the confusion matrix still shows');
    await page.close();
  });

  layoutTests('data', () => recordedRun('cnn'));
});
