// Export Run's summary.md: the rows and totals the CLI prints, as Markdown: a shared layer's second call
// "(recursive)", the totals with torchinfo's units.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initInspectionRuntime } from '../../src/model/tfRuntime';
import { computeSummary } from '../../src/model/modelSummary';
import { formatSummary } from '../../src/model/formatSummary';
import { summaryMarkdown } from '../../src/runs/summaryMarkdown';
import type { ModelMessage } from '../../src/protocol/messages';

before(async () => {
  await initInspectionRuntime();
});

describe('summary.md of Export Run', () => {
  it('marks a shared layer\'s second call (recursive) and prints the CLI\'s totals lines', () => {
    const shared = tf.layers.dense({ units: 5, activation: 'tanh', name: 'shared' });
    const x = tf.input({ shape: [5], name: 'x' });
    const mid = tf.layers.dense({ units: 5, name: 'mid' }).apply(shared.apply(x)) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 2, name: 'out' }).apply(shared.apply(mid)) as tf.SymbolicTensor;
    const summary = computeSummary(tf.model({ inputs: x, outputs: out, name: 'tied' }), { batchSize: 4 });
    const md = summaryMarkdown({ model: { name: 'tied', summary } as unknown as ModelMessage });
    const rows = md.split('\n').filter((l) => l.includes('(shared)'));
    assert.equal(rows.length, 2, md);
    assert.match(rows[0], /\| 30 \| /);
    assert.match(rows[1], /\| \(recursive\) \| \(recursive\) \|/);
    // Every totals line of the CLI's table, in its words and units.
    const cli = formatSummary(summary).split('\n').filter((l) => /^(Total|Trainable|Non-trainable|Input size|Forward|Params size|Estimated)/.test(l));
    assert.equal(cli.length, 8);
    for (const line of cli) assert.ok(md.includes(`${line}  `), `${line} in\n${md}`);
  });

  it('is empty without a model', () => {
    assert.equal(summaryMarkdown({ model: null }), '');
  });
});
