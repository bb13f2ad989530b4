import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildModelGraph } from '../../src/model/modelGraph';
import { loadExperiment } from '../../src/model/loadExperiment';
import { initInspectionRuntime } from '../../src/model/tfRuntime';
import type { ModelGraph } from '../../src/protocol/modelInfo';
import { example, fixture, lineOf } from '../helpers/fixtures';

async function graphOf(file: string, depth?: number): Promise<ModelGraph> {
  const loaded = await loadExperiment(file);
  return buildModelGraph(loaded.model, { locate: loaded.locate, depth });
}

const byName = (g: ModelGraph, name: string) => {
  const n = g.nodes.find((x) => x.name === name && x.kind !== 'output');
  assert.ok(n, `node ${name}`);
  return n;
};
const into = (g: ModelGraph, id: string) => g.edges.filter((e) => e.to === id);

before(() => initInspectionRuntime());

describe('graph of a sequential model', () => {
  it('is a chain input → flatten → fc1 → fc2 → fc3 → output with the shapes each edge carries', async () => {
    const g = await graphOf(example('mnist-mlp.ts'));
    assert.deepEqual(g.nodes.map((n) => n.kind), ['input', 'layer', 'layer', 'layer', 'layer', 'output']);
    assert.deepEqual(g.nodes.slice(1, 5).map((n) => `${n.type}:${n.name}`), ['Flatten:flatten', 'Dense:fc1', 'Dense:fc2', 'Dense:fc3']);
    assert.deepEqual(g.edges.map((e) => e.shape), [[null, 28, 28, 1], [null, 784], [null, 512], [null, 128], [null, 10]]);
    const ids = g.nodes.map((n) => n.id);
    assert.deepEqual(g.edges.map((e) => [e.from, e.to]), ids.slice(0, -1).map((id, i) => [id, ids[i + 1]]));
    assert.equal(byName(g, 'fc1').params, 784 * 512 + 512);
  });

  it('fills the batch dimension when given one', async () => {
    const loaded = await loadExperiment(example('mnist-mlp.ts'));
    const g = buildModelGraph(loaded.model, { batchSize: 128 });
    assert.deepEqual(g.edges[0].shape, [128, 28, 28, 1]);
    assert.deepEqual(byName(g, 'fc3').outputShape, [128, 10]);
  });

  it('points every layer node at the line of the tf.layers call that made it', async () => {
    const file = example('mnist-mlp.ts');
    const g = await graphOf(file);
    for (const name of ['flatten', 'fc1', 'fc2', 'fc3']) {
      const n = byName(g, name);
      assert.equal(n.source?.file, file);
      assert.equal(n.source?.line, lineOf(file, `name: '${name}'`), name);
      assert.ok((n.source?.column ?? 0) > 1);
    }
  });
});

describe('graph of a functional model with branches and merges', () => {
  it('has one Add node with two incoming edges carrying its two operands’ shapes', async () => {
    const g = await graphOf(fixture('residual.ts'));
    const adds = g.nodes.filter((n) => n.type === 'Add');
    assert.equal(adds.length, 1);
    const incoming = into(g, adds[0].id);
    assert.deepEqual(incoming.map((e) => e.from).sort(), ['features', 'hidden']);
    assert.deepEqual(incoming.map((e) => e.shape), [[null, 16], [null, 16]]);
  });

  it('gives a Concatenate the two different shapes it joins', async () => {
    const g = await graphOf(fixture('residual.ts'));
    const incoming = into(g, byName(g, 'joined').id);
    assert.deepEqual(incoming.map((e) => [e.from, e.shape]), [['skip', [null, 16]], ['side', [null, 4]]]);
    assert.deepEqual(byName(g, 'joined').outputShape, [null, 20]);
  });

  it('fans one input out to every layer that reads it', async () => {
    const g = await graphOf(fixture('residual.ts'));
    assert.deepEqual(g.edges.filter((e) => e.from === 'features').map((e) => e.to).sort(), ['hidden', 'side', 'skip']);
  });

  it('locates layers made with .apply() and the input made with tf.input', async () => {
    const file = fixture('residual.ts');
    const g = await graphOf(file);
    assert.equal(byName(g, 'skip').source?.line, lineOf(file, "name: 'skip'"));
    assert.equal(byName(g, 'features').source?.line, lineOf(file, "name: 'features'"));
  });
});

describe('graph with several inputs and outputs', () => {
  it('draws one input node per model input and one output node per model output', async () => {
    const g = await graphOf(fixture('multi-io.ts'));
    assert.deepEqual(g.nodes.filter((n) => n.kind === 'input').map((n) => n.name), ['a', 'b']);
    const outputs = g.nodes.filter((n) => n.kind === 'output');
    assert.equal(outputs.length, 2);
    assert.deepEqual(outputs.map((o) => into(g, o.id)[0].from), ['out1', 'out2']);
    assert.deepEqual(outputs.map((o) => o.outputShape), [[null, 2], [null, 1]]);
  });
});

describe('graph of nested models', () => {
  it('shows a nested model as a group whose children name it as parent', async () => {
    const g = await graphOf(fixture('nested-frozen.ts'));
    const group = byName(g, 'base');
    assert.equal(group.kind, 'group');
    const children = g.nodes.filter((n) => n.parent === group.id);
    assert.deepEqual(children.map((n) => n.name), ['base_conv', 'base_bn', 'base_pool']);
    assert.equal(group.params, children.reduce((s, n) => s + n.params, 0));
    assert.equal(group.trainable, false);
    assert.ok(children.every((n) => n.params === 0 || n.trainable === false));
  });

  it('wires edges through the group to the layers inside it', async () => {
    const g = await graphOf(fixture('nested-frozen.ts'));
    const input = g.nodes.find((n) => n.kind === 'input')!;
    assert.deepEqual(g.edges.filter((e) => e.from === input.id).map((e) => e.to), ['base/base_conv']);
    assert.deepEqual(into(g, 'flat').map((e) => [e.from, e.shape]), [['base/base_pool', [null, 5, 5, 4]]]);
    // No edge ends at a group: groups are boxes, the tensors flow between layers.
    assert.equal(g.edges.filter((e) => e.to === 'base' || e.from === 'base').length, 0);
  });

  it('wires a functional block applied in the middle of a model', async () => {
    const g = await graphOf(fixture('multi-io.ts'));
    assert.equal(byName(g, 'block').kind, 'group');
    assert.deepEqual(into(g, 'block/block_dense').map((e) => e.from), ['mix']);
    assert.deepEqual(into(g, 'out1').map((e) => e.from), ['block/block_dense']);
  });

  it('draws a nested model as one node below the depth limit', async () => {
    const g = await graphOf(fixture('nested-frozen.ts'), 1);
    const base = byName(g, 'base');
    assert.equal(base.kind, 'layer');
    assert.equal(g.nodes.filter((n) => n.parent !== null).length, 0);
    assert.deepEqual(into(g, 'flat').map((e) => e.from), ['base']);
  });

  it('locates the nested model at its tf.sequential call', async () => {
    const file = fixture('nested-frozen.ts');
    const g = await graphOf(file);
    assert.equal(byName(g, 'base').source?.line, lineOf(file, 'const base = tf.sequential'));
  });
});

describe('graph of a shared layer or nested model called again further down a chain', () => {
  /** Every layer node is fed and every node that is not an output feeds something: no edge lost. */
  const assertWired = (g: ModelGraph) => {
    for (const n of g.nodes.filter((x) => x.kind === 'layer' || x.kind === 'output')) assert.ok(into(g, n.id).length > 0, `${n.id} has an input`);
    for (const n of g.nodes.filter((x) => x.kind === 'layer' || x.kind === 'input')) assert.ok(g.edges.some((e) => e.from === n.id), `${n.id} feeds something`);
  };

  it('draws mid → shared:1 (x → shared → mid → shared → out)', async () => {
    const g = await graphOf(fixture('shared-order.mjs'));
    assert.deepEqual(g.edges.map((e) => `${e.from}->${e.to}`).sort(),
      ['mid->shared:1', 'out->output:0', 'shared:0->mid', 'shared:1->out', 'x->shared:0']);
    assertWired(g);
  });

  it('draws mid → block:1 at every depth', async () => {
    const full = await graphOf(fixture('shared-submodel-order.mjs'));
    assert.deepEqual(full.edges.map((e) => `${e.from}->${e.to}`).sort(),
      ['block:0/blk_fc->mid', 'block:1/blk_fc->out', 'mid->block:1/blk_fc', 'out->output:0', 'x->block:0/blk_fc']);
    assertWired(full);
    const flat = await graphOf(fixture('shared-submodel-order.mjs'), 1);
    assert.deepEqual(flat.edges.map((e) => `${e.from}->${e.to}`).sort(),
      ['block:0->mid', 'block:1->out', 'mid->block:1', 'out->output:0', 'x->block:0']);
    assertWired(flat);
  });
});
