import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkTrainerCommand, checkTrainerMessage } from '../../src/protocol/messageChecks';
import { checkPanelToHost } from '../../src/protocol/panelMessages';
import { MAX_TRACE_VALUES } from '../../src/protocol/traceMessages';
import { mapLimits, tensorView } from '../../src/trainer/tensorViews';

describe('step-through commands from the panel', () => {
  it('pass the check when well formed', () => {
    for (const command of [{ type: 'pause' }, { type: 'resume' }, { type: 'step', count: 1 }, { type: 'trace', step: null, sample: 0 }, { type: 'trace', step: 40, sample: 3 }]) {
      const checked = checkPanelToHost({ type: 'stepControl', command });
      assert.ok(checked.ok, checked.ok ? '' : checked.error);
    }
  });

  it('are refused when malformed, saying which field, and a start cannot pass as one', () => {
    const cases: [unknown, RegExp][] = [
      [{ type: 'step', count: 0 }, /count must be ≥ 1/],
      [{ type: 'step', count: 1.5 }, /count must be an integer/],
      [{ type: 'trace', step: 0, sample: 0 }, /step must be ≥ 1/],
      [{ type: 'trace', step: null, sample: -1 }, /sample must be ≥ 0/],
      [{ type: 'start', request: { file: '/etc/passwd' } }, /unknown type "start"/],
      [{ type: 'stop' }, /unknown type "stop"/],
    ];
    for (const [command, error] of cases) {
      const checked = checkPanelToHost({ type: 'stepControl', command });
      assert.equal(checked.ok, false);
      if (!checked.ok) assert.match(checked.error, error);
    }
  });

  it('reach the trainer as commands it checks too', () => {
    assert.ok(checkTrainerCommand({ type: 'step', count: 5 }).ok);
    assert.equal(checkTrainerCommand({ type: 'trace', step: null }).ok, false);
    assert.ok(checkTrainerMessage({ type: 'paused', epoch: 1, step: 7 }).ok);
    assert.equal(checkTrainerMessage({ type: 'resumed' }).ok, false);
  });
});

describe('tensor views in a trace', () => {
  it('list every value of a small tensor and give its figures', () => {
    const v = tensorView([3, -4, 0, 1], [4]);
    assert.deepEqual(v.values, [3, -4, 0, 1]);
    assert.equal(v.l2, Math.sqrt(26));
    assert.equal(v.mean, 0);
    assert.equal(v.min, -4);
    assert.equal(v.max, 3);
  });

  it('give a big matrix as figures, a histogram of every value and its top-left corner only', () => {
    const rows = 100;
    const cols = 50;
    const values = Float32Array.from({ length: rows * cols }, (_, i) => i % 7);
    const v = tensorView(values, [rows, cols]);
    assert.equal(v.values, undefined);
    assert.equal(v.histogram!.counts.reduce((a, b) => a + b, 0), rows * cols);
    assert.equal(v.corner!.values.length, 16 * 16);
    assert.equal(v.corner!.values[16 + 2], values[cols + 2]);
    assert.ok(JSON.stringify(v).length < 4000);
    assert.ok(MAX_TRACE_VALUES < rows * cols);
  });

  it('give an image-like tensor as at most 8 maps, each subsampled to at most 32 pixels a side', () => {
    const [h, w, c] = [64, 40, 12];
    const values = Float32Array.from({ length: h * w * c }, (_, i) => i);
    const v = tensorView(values, [h, w, c]);
    assert.equal(v.maps!.data.length, 8);
    assert.equal(v.maps!.stride, 2);
    assert.equal(v.maps!.height, 32);
    assert.equal(v.maps!.width, 20);
    // Pixel (y=1, x=3) of map 5 is the source's (2, 6) in channel 5.
    assert.equal(v.maps!.data[5][1 * 20 + 3], values[(2 * w + 6) * c + 5]);
  });

  it('keep a big graph\'s maps within one budget: fewer maps, then smaller ones, never above the caps', () => {
    assert.deepEqual(mapLimits(10, 1e9), { maps: 8, side: 32 });
    assert.deepEqual(mapLimits(100, 100 * 3 * 1024), { maps: 3, side: 32 });
    const tight = mapLimits(1000, 1000 * 256);
    assert.deepEqual(tight, { maps: 1, side: 16 });
    const v = tensorView(Float32Array.from({ length: 64 * 64 * 4 }, (_, i) => i), [64, 64, 4], tight);
    assert.equal(v.maps!.data.length, 1);
    assert.equal(v.maps!.stride, 4);
    assert.equal(v.maps!.width, 16);
  });

  it('count non-finite values and leave them out of the figures', () => {
    const v = tensorView([1, NaN, Infinity, 3], [4]);
    assert.equal(v.nonFinite, 2);
    assert.equal(v.max, 3);
    assert.equal(v.mean, 2);
    assert.deepEqual(v.values, [1, 0, 0, 3]);
  });
});
