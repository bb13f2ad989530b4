// The one vocabulary of metric names: tfjs's and Keras's names turned into it, tfjs logs split
// into training and validation figures, views' order and formatting.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatMetric, metricInfo, metricName, METRICS, metricsFromLogs, normalizeMetrics, orderedMetricNames } from '../../src/protocol/metricNames';

describe('metric names: aliases', () => {
  it('turns tfjs\'s accuracy names into accuracy', () => {
    for (const alias of ['acc', 'accuracy', 'categoricalAccuracy', 'binaryAccuracy', 'sparseCategoricalAccuracy', 'categorical_accuracy']) {
      assert.equal(metricName(alias), 'accuracy', alias);
    }
  });
  it('turns tfjs\'s and Keras\'s regression names into mae, mse, mape and r2', () => {
    assert.equal(metricName('meanAbsoluteError'), 'mae');
    assert.equal(metricName('mean_absolute_error'), 'mae');
    assert.equal(metricName('meanSquaredError'), 'mse');
    assert.equal(metricName('MAPE'), 'mape');
    assert.equal(metricName('r2Score'), 'r2');
  });
  it('keeps a name outside the vocabulary, and an inherited property name, as it is', () => {
    assert.equal(metricName('myMetric'), 'myMetric');
    assert.equal(metricName('constructor'), 'constructor');
    assert.equal(metricName('toString'), 'toString');
  });
  it('every vocabulary name is its own name (no alias points away from it)', () => {
    for (const m of METRICS) assert.equal(metricName(m.name), m.name);
  });
});

describe('metric names: normalising a record', () => {
  it('renames aliases and drops what is not a finite number or not a name', () => {
    assert.deepEqual(
      normalizeMetrics({ loss: 0.5, acc: 0.8, mae: NaN, mse: Infinity, note: 'x', '1bad': 2, custom: 3 }),
      { loss: 0.5, accuracy: 0.8, custom: 3 },
    );
  });
  it('splits a tfjs log into training and validation figures', () => {
    assert.deepEqual(metricsFromLogs({ loss: 0.4, acc: 0.9, val_loss: 0.5, val_acc: 0.85 }), {
      metrics: { loss: 0.4, accuracy: 0.9 }, val: { loss: 0.5, accuracy: 0.85 },
    });
  });
  it('leaves val out when a log has no validation figures', () => {
    const split = metricsFromLogs({ loss: 0.4, meanAbsoluteError: 0.2 });
    assert.deepEqual(split, { metrics: { loss: 0.4, mae: 0.2 } });
    assert.equal('val' in split, false);
  });
  it('keeps a bare "val_" as a training figure name, not an empty validation one', () => {
    assert.deepEqual(metricsFromLogs({ val_: 1 }), { metrics: { val_: 1 } });
  });
});

describe('metric names: order and format', () => {
  it('lists the vocabulary\'s names first, in its order, then others as first seen', () => {
    assert.deepEqual(orderedMetricNames([{ zeta: 1, accuracy: 1 }, null, { loss: 1, alpha: 2 }]), ['loss', 'accuracy', 'zeta', 'alpha']);
  });
  it('shows fractions as percentages and other figures as numbers', () => {
    assert.equal(formatMetric('accuracy', 0.9123), '91.2%');
    assert.equal(formatMetric('loss', 0.31234), '0.3123');
    assert.equal(formatMetric('mae', 2), '2');
    assert.equal(formatMetric('loss', null), '—');
  });
  it('titles a name outside the vocabulary by itself, with no direction', () => {
    assert.deepEqual(metricInfo('myMetric'), { name: 'myMetric', label: 'myMetric', description: 'a custom metric', short: 'myMetric', format: 'number', better: null });
    assert.equal(metricInfo('r2').better, 'higher');
    assert.equal(metricInfo('mae').better, 'lower');
  });
});
