import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkTrainerCommand, checkTrainerMessage } from '../../src/protocol/messageChecks';
import { checkHostToPanel } from '../../src/protocol/panelMessages';
import { MAX_PLANNED_LR_POINTS } from '../../src/protocol/messages';
import { MAX_METRICS } from '../../src/protocol/metricNames';

const batch = { type: 'batch', epoch: 1, step: 3, batch: 3, metrics: { loss: 0.5, accuracy: 0.75 }, lr: 0.1, samplesPerSec: 900, elapsedSec: 1.2 };
const graph = {
  nodes: [
    { id: 'in', kind: 'input', name: 'in', type: 'Input', parent: null, inputShapes: [], outputShape: [null, 2], params: 0, trainable: false, source: null },
    { id: 'd', kind: 'layer', name: 'd', type: 'Dense', parent: null, inputShapes: [[null, 2]], outputShape: [null, 1], params: 3, trainable: true, source: { file: '/x.ts', line: 3, column: 5 } },
  ],
  edges: [{ from: 'in', to: 'd', shape: [null, 2] }],
};

describe('trainer message checks', () => {
  it('accept a well-formed batch message', () => {
    assert.deepEqual(checkTrainerMessage(batch), { ok: true, value: batch });
  });

  it('reject an unknown type, naming it', () => {
    const r = checkTrainerMessage({ type: 'explode' });
    assert.equal(r.ok, false);
    assert.match(!r.ok ? r.error : '', /unknown type "explode"/);
  });

  it('reject a missing field, naming the path', () => {
    const { lr: _lr, ...rest } = batch;
    const r = checkTrainerMessage(rest);
    assert.match(!r.ok ? r.error : '', /batch\.lr must be a finite number, got undefined/);
  });

  it('reject NaN and Infinity where a finite number is required', () => {
    for (const bad of [NaN, Infinity]) {
      const r = checkTrainerMessage({ ...batch, metrics: { loss: bad } });
      assert.match(!r.ok ? r.error : '', /batch\.metrics\.loss must be a finite number/);
    }
  });

  it('accept null gradient figures for a frozen layer and reject a string in their place', () => {
    const layer = { layer: 'd', frozen: true, l2: null, meanAbs: null, maxAbs: null, updateRatio: null };
    assert.equal(checkTrainerMessage({ type: 'gradients', epoch: 1, step: 1, layers: [layer] }).ok, true);
    const r = checkTrainerMessage({ type: 'gradients', epoch: 1, step: 1, layers: [{ ...layer, l2: 'big' }] });
    assert.match(!r.ok ? r.error : '', /gradients\.layers\[0\]\.l2 must be a finite number, got string/);
  });

  it('reject a graph with a dangling edge or an unknown parent', () => {
    const model = (g: unknown) => ({
      type: 'model', name: 'm', file: '/x.ts', graph: g, callSites: {},
      summary: { model: 'm', batchSize: 1, depth: 3, layers: [], totals: { totalParams: 0, trainableParams: 0, nonTrainableParams: 0, multAdds: 0, inputBytes: 0, forwardBackwardBytes: 0, paramBytes: 0, totalBytes: 0 } },
      dataset: { name: 'spiral', source: 'synthetic', trainCount: 1, testCount: 1, inputShape: [2], task: 'classification', numClasses: 2, classNames: ['a', 'b'] },
      plan: { epochs: 1, batchSize: 1, stepsPerEpoch: 1, totalSteps: 1, gradientEvery: 1, histogramEvery: 1, optimizer: 'sgd', loss: 'mse', seed: 1, schedule: null, plannedLr: null },
    });
    assert.equal(checkTrainerMessage(model(graph)).ok, true);
    const dangling = checkTrainerMessage(model({ ...graph, edges: [{ from: 'in', to: 'nowhere', shape: [1] }] }));
    assert.match(!dangling.ok ? dangling.error : '', /edge in → nowhere to a node that does not exist/);
    const orphan = checkTrainerMessage(model({ ...graph, nodes: [graph.nodes[0], { ...graph.nodes[1], parent: 'ghost' }] }));
    assert.match(!orphan.ok ? orphan.error : '', /names a parent ghost that does not exist/);
  });

  it('accept a planned schedule of matching points and reject one too long or with mismatched columns', () => {
    const model = (plannedLr: unknown) => ({
      type: 'model', name: 'm', file: '/x.ts', graph, callSites: {},
      summary: { model: 'm', batchSize: 1, depth: 3, layers: [], totals: { totalParams: 0, trainableParams: 0, nonTrainableParams: 0, multAdds: 0, inputBytes: 0, forwardBackwardBytes: 0, paramBytes: 0, totalBytes: 0 } },
      dataset: { name: 'spiral', source: 'synthetic', trainCount: 1, testCount: 1, inputShape: [2], task: 'classification', numClasses: 2, classNames: ['a', 'b'] },
      plan: { epochs: 1, batchSize: 1, stepsPerEpoch: 1, totalSteps: 1, gradientEvery: 1, histogramEvery: 1, optimizer: 'sgd', loss: 'mse', seed: 1, schedule: null, plannedLr },
    });
    assert.equal(checkTrainerMessage(model({ step: [1, 100], lr: [0.1, 0.01] })).ok, true);
    const mismatched = checkTrainerMessage(model({ step: [1, 100], lr: [0.1] }));
    assert.match(!mismatched.ok ? mismatched.error : '', /plannedLr\.step and .*plannedLr\.lr must have the same length/);
    const n = MAX_PLANNED_LR_POINTS + 1;
    const long = checkTrainerMessage(model({ step: Array.from({ length: n }, (_, i) => i + 1), lr: new Array(n).fill(0.1) }));
    assert.match(!long.ok ? long.error : '', new RegExp(`at most ${MAX_PLANNED_LR_POINTS} points, got ${n}`));
    const perStep = checkTrainerMessage(model([0.1, 0.1]));
    assert.match(!perStep.ok ? perStep.error : '', /plannedLr must be an object, got an array/, 'the old rate-per-step array');
  });

  it('check every field of a summary row, its container flag, source and output shapes included', () => {
    const row = {
      name: 'd', type: 'Dense', depthIndex: '1-1', depth: 1, parent: 'm', inputShapes: [[null, 2]], outputShape: [null, 1], params: 3,
      trainableParams: 3, paramPercent: 100, kernelShape: [2, 1], multAdds: 2, trainable: true, isContainer: false, source: null,
    };
    const model = (layer: unknown) => ({
      type: 'model', name: 'm', file: '/x.ts', graph, callSites: {},
      summary: { model: 'm', batchSize: 1, depth: 3, layers: [layer], totals: { totalParams: 3, trainableParams: 3, nonTrainableParams: 0, multAdds: 2, inputBytes: 8, forwardBackwardBytes: 8, paramBytes: 12, totalBytes: 28 } },
      dataset: { name: 'spiral', source: 'synthetic', trainCount: 1, testCount: 1, inputShape: [2], task: 'classification', numClasses: 2, classNames: ['a', 'b'] },
      plan: { epochs: 1, batchSize: 1, stepsPerEpoch: 1, totalSteps: 1, gradientEvery: 1, histogramEvery: 1, optimizer: 'sgd', loss: 'mse', seed: 1, schedule: null, plannedLr: null },
    });
    assert.equal(checkTrainerMessage(model(row)).ok, true);
    assert.equal(checkTrainerMessage(model({ ...row, outputShape: [[null, 1], [null, 4]] })).ok, true, 'a layer with two outputs');
    const { isContainer: _c, ...noFlag } = row;
    const flagless = checkTrainerMessage(model(noFlag));
    assert.match(!flagless.ok ? flagless.error : '', /model\.summary\.layers\[0\]\.isContainer must be a boolean, got undefined/);
    const badSource = checkTrainerMessage(model({ ...row, source: { file: '/x.ts', line: 'three', column: 1 } }));
    assert.match(!badSource.ok ? badSource.error : '', /layers\[0\]\.source\.line must be an integer/);
    const badShape = checkTrainerMessage(model({ ...row, outputShape: ['wide', 1] }));
    assert.match(!badShape.ok ? badShape.error : '', /layers\[0\]\.outputShape must be a shape or a list of shapes/);
  });

  it('reject something that is not an object', () => {
    assert.equal(checkTrainerMessage('batch').ok, false);
    assert.equal(checkTrainerMessage(null).ok, false);
  });
});

describe('named metrics in trainer messages', () => {
  const epochEnd = { type: 'epochEnd', epoch: 1, metrics: { loss: 0.4, mae: 0.3 }, lr: 0.1, epochSec: 2, elapsedSec: 2 };

  it('accept an epoch with only training figures, and with validation and test records', () => {
    assert.equal(checkTrainerMessage(epochEnd).ok, true);
    assert.equal(checkTrainerMessage({ ...epochEnd, val: { loss: 0.5, r2: 0.8 }, test: { loss: 0.6 } }).ok, true);
  });

  it('accept tfjs\'s names and a custom metric\'s own name', () => {
    assert.equal(checkTrainerMessage({ ...batch, metrics: { loss: 1, acc: 0.5, myMetric: 2 } }).ok, true);
  });

  it('reject a figure that is not a number, naming the record and the figure', () => {
    const r = checkTrainerMessage({ ...epochEnd, val: { loss: 'low' } });
    assert.match(!r.ok ? r.error : '', /epochEnd\.val\.loss must be a finite number, got string/);
    const t = checkTrainerMessage({ ...epochEnd, test: null });
    assert.match(!t.ok ? t.error : '', /epochEnd\.test must be an object, got null/);
  });

  it('reject names a record could not carry and records with too many figures', () => {
    for (const name of ['', '1st', 'has space', '__proto__', 'x'.repeat(65)]) {
      const r = checkTrainerMessage({ ...batch, metrics: { loss: 1, [name]: 2 } });
      assert.match(!r.ok ? r.error : '', /batch\.metrics has a figure named/, JSON.stringify(name));
    }
    const many = Object.fromEntries(Array.from({ length: MAX_METRICS + 1 }, (_, i) => [`m${i}`, i]));
    const r = checkTrainerMessage({ ...batch, metrics: many });
    assert.match(!r.ok ? r.error : '', new RegExp(`at most ${MAX_METRICS} figures, got ${MAX_METRICS + 1}`));
  });

  it('check a scalars message: a whole step and named values', () => {
    assert.equal(checkTrainerMessage({ type: 'scalars', step: 4, values: { gradNorm: 1.5 } }).ok, true);
    const r = checkTrainerMessage({ type: 'scalars', step: 1.5, values: {} });
    assert.match(!r.ok ? r.error : '', /scalars\.step must be an integer/);
  });

  it('check an evaluation\'s test figures', () => {
    const evaluation = { type: 'evaluation', epoch: 1, test: { loss: 0.2, accuracy: 0.9 }, perClassAccuracy: [0.9], classNames: ['a'], confusion: [[1]] };
    assert.equal(checkTrainerMessage(evaluation).ok, true);
    const r = checkTrainerMessage({ ...evaluation, test: { accuracy: Infinity } });
    assert.match(!r.ok ? r.error : '', /evaluation\.test\.accuracy must be a finite number/);
  });
});

describe('trainer command checks', () => {
  it('accept start with a request and stop', () => {
    assert.equal(checkTrainerCommand({ type: 'start', request: { file: '/a.ts', epochs: 2, backend: 'wasm' } }).ok, true);
    assert.equal(checkTrainerCommand({ type: 'stop' }).ok, true);
  });

  it('accept an inspection request with a depth and a batch size, and reject a negative depth', () => {
    assert.equal(checkTrainerCommand({ type: 'start', request: { file: '/a.ts', inspect: true, depth: 0, batchSize: 4 } }).ok, true);
    assert.match(JSON.stringify(checkTrainerCommand({ type: 'start', request: { file: '/a.ts', inspect: true, depth: -1 } })), /depth must be ≥ 0/);
  });

  it('reject a start with a bad epoch count or backend', () => {
    assert.match(JSON.stringify(checkTrainerCommand({ type: 'start', request: { file: '/a.ts', epochs: 0 } })), /epochs must be ≥ 1/);
    assert.match(JSON.stringify(checkTrainerCommand({ type: 'start', request: { file: '/a.ts', backend: 'gpu' } })), /backend must be one of/);
  });
});

describe('host → panel message checks', () => {
  const columns = { modelId: [0, 0], step: [1, 2], epoch: [1, 1], batch: [1, 2], metrics: { loss: [0.9, 0.8], accuracy: [null, 0.2] }, lr: [0.1, 0.1], samplesPerSec: [900, 950], elapsedSec: [0.1, 0.2] };
  const snapshot = (batches: unknown) => ({ type: 'snapshot', runId: 'r', file: '/x.ts', messages: [], batches });

  it('accept a snapshot with or without batch columns', () => {
    assert.equal(checkHostToPanel(snapshot(columns)).ok, true);
    assert.equal(checkHostToPanel({ type: 'snapshot', runId: 'r', file: '/x.ts', messages: [batch] }).ok, true);
  });

  it('reject batch columns of different lengths, a missing column or a non-finite value', () => {
    const short = checkHostToPanel(snapshot({ ...columns, metrics: { loss: [0.9] } }));
    assert.match(!short.ok ? short.error : '', /columns must all have the same length/);
    const shortStep = checkHostToPanel(snapshot({ ...columns, step: [1] }));
    assert.match(!shortStep.ok ? shortStep.error : '', /columns must all have the same length/);
    const { lr: _lr, ...noLr } = columns;
    const missing = checkHostToPanel(snapshot(noLr));
    assert.match(!missing.ok ? missing.error : '', /batches\.lr must be an array/);
    const nan = checkHostToPanel(snapshot({ ...columns, metrics: { loss: [0.9, Number.NaN] } }));
    assert.match(!nan.ok ? nan.error : '', /batches\.metrics\.loss\[1\] must be a finite number/);
    const badName = checkHostToPanel(snapshot({ ...columns, metrics: { '__proto__x': [1, 2] } }));
    assert.match(!badName.ok ? badName.error : '', /metrics must have at most \d+ columns with metric names/);
    const fractional = checkHostToPanel(snapshot({ ...columns, step: [1, 2.5] }));
    assert.match(!fractional.ok ? fractional.error : '', /batches\.step\[1\] must be an integer/);
  });
});
