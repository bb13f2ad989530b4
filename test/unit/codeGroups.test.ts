import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { groupByCallStack, groupByNamePrefix, type CallFrame } from '../../src/model/codeGroups';
import { buildModelGraph } from '../../src/model/modelGraph';
import { computeSummary } from '../../src/model/modelSummary';
import { loadExperiment } from '../../src/model/loadExperiment';
import { initInspectionRuntime } from '../../src/model/tfRuntime';
import { UserError } from '../../src/model/userError';
import type { GraphNode, ModelGraph } from '../../src/protocol/modelInfo';
import { fixture, lineOf } from '../helpers/fixtures';

before(() => initInspectionRuntime());

const RESNET = fixture('resnet18-helpers.ts');

let built: Promise<{ graph: ModelGraph; loaded: Awaited<ReturnType<typeof loadExperiment>> }> | null = null;
/** The fixture is loaded once: building an 11M-parameter model is the slow part. */
function resnet() {
  built ??= loadExperiment(RESNET).then((loaded) => ({ graph: buildModelGraph(loaded.model, { locate: loaded.locate, stackOf: loaded.stackOf }), loaded }));
  return built;
}

const childrenOf = (g: ModelGraph, parent: string | null) => g.nodes.filter((n) => n.parent === parent);
const groups = (nodes: GraphNode[]) => nodes.filter((n) => n.kind === 'group');

describe('grouping layers by the helper calls that built them', () => {
  it('puts a helper-built ResNet-18 into four stage() groups of two basicBlock() groups each', async () => {
    const { graph } = await resnet();
    const top = groups(childrenOf(graph, null));
    // The stem's convBn() is a group too; then the four stages, in call order.
    assert.deepEqual(top.map((g) => g.type), ['convBn()', 'stage()', 'stage()', 'stage()', 'stage()']);
    for (const stage of top.filter((g) => g.type === 'stage()')) {
      const blocks = groups(childrenOf(graph, stage.id));
      assert.deepEqual(blocks.map((b) => b.type), ['basicBlock()', 'basicBlock()'], stage.id);
      for (const block of blocks) {
        const inner = childrenOf(graph, block.id);
        assert.ok(groups(inner).every((g) => g.type === 'convBn()'), block.id);
        assert.ok(groups(inner).length >= 2, `${block.id} holds its convBn() calls`);
        assert.ok(inner.some((n) => n.type === 'Add'), `${block.id} holds its residual add`);
      }
    }
  });

  it('gives every group the params of the layers inside it and the shapes crossing its border', async () => {
    const { graph, loaded } = await resnet();
    const stages = groups(childrenOf(graph, null)).filter((g) => g.type === 'stage()');
    const total = loaded.model.countParams();
    const outside = graph.nodes.filter((n) => n.kind === 'layer' && !stages.some((s) => isInside(graph, n, s.id)));
    const sum = stages.reduce((s, g) => s + g.params, 0) + outside.reduce((s, n) => s + n.params, 0);
    assert.equal(sum, total);
    assert.deepEqual(stages.map((s) => s.outputShape), [[null, 32, 32, 64], [null, 16, 16, 128], [null, 8, 8, 256], [null, 4, 4, 512]]);
    assert.deepEqual(stages[1].inputShapes, [[null, 32, 32, 64]]);
  });

  it('links a layer built in a helper to the caller line that built its block, with the whole call stack', async () => {
    const { graph } = await resnet();
    const conv = graph.nodes.find((n) => n.type === 'Conv2D' && n.parent !== null && graph.nodes.find((p) => p.id === n.parent)?.type === 'convBn()'
      && graph.nodes.find((p) => p.id === graph.nodes.find((q) => q.id === n.parent)!.parent)?.type === 'basicBlock()')!;
    assert.ok(conv, 'a conv inside a block');
    const names = conv.callStack!.map((f) => f.function);
    assert.deepEqual(names.slice(-3), ['stage', 'basicBlock', 'convBn']);
    // The source is the line in basicBlock() that called convBn(), not convBn()'s own line.
    assert.notEqual(conv.source!.line, lineOf(RESNET, 'tf.layers.conv2d('));
    assert.ok([lineOf(RESNET, 'let h = convBn('), lineOf(RESNET, 'h = convBn(h'), lineOf(RESNET, 'convBn(x, filters, 1, stride)')].includes(conv.source!.line));
    assert.equal(conv.callStack![conv.callStack!.length - 1].line, lineOf(RESNET, 'tf.layers.conv2d('));
  });

  it('nests the summary rows the same way: stages at depth 1, blocks at depth 2', async () => {
    const { loaded } = await resnet();
    const summary = computeSummary(loaded.model, { batchSize: 1, locate: loaded.locate, stackOf: loaded.stackOf, depth: 9 });
    const stageRows = summary.layers.filter((r) => r.type === 'stage()');
    assert.equal(stageRows.length, 4);
    assert.ok(stageRows.every((r) => r.depth === 1 && r.isContainer));
    const blockRows = summary.layers.filter((r) => r.type === 'basicBlock()');
    assert.equal(blockRows.length, 8);
    assert.ok(blockRows.every((r) => r.depth === 2 && stageRows.some((s) => s.name === r.parent)));
    assert.equal(summary.totals.totalParams, loaded.model.countParams());
  });

  it('tells two calls of a helper from one line apart in files without entry marks (the position restarts)', () => {
    const f = (fn: string | null, line: number): CallFrame => ({ function: fn, file: '/m.ts', line, column: 1, fnId: null, invocation: 0 });
    // Two calls of block() from line 30 (a loop), each making layers at its lines 20 and 21.
    const stack = (line: number) => [f(null, 30), f('block', line)];
    const g = groupByCallStack([stack(20), stack(21), stack(20), stack(21)]);
    assert.equal(g.groups.length, 2);
    assert.deepEqual(g.groupOf, [g.groups[0].name, g.groups[0].name, g.groups[1].name, g.groups[1].name]);
  });
});

describe('grouping by name prefixes where no helper was used', () => {
  it('groups names the user gave by their shared prefixes and leaves generated names alone', () => {
    const layers = ['block1_conv', 'block1_bn', 'block2_conv', 'block2_bn', 'dense_Dense1'].map((name) => ({
      name, className: name.startsWith('dense') ? 'Dense' : 'Conv2D',
    }));
    const g = groupByNamePrefix(layers);
    assert.deepEqual(g.groups.map((x) => x.name), ['block1', 'block2']);
    assert.deepEqual(g.groupOf, ['block1', 'block1', 'block2', 'block2', null]);
  });

  it('leaves alone every name tfjs generates, for classes whose names hold digits and capitals (Conv2D, MaxPooling2D, …)', () => {
    const layers = [
      tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 2, kernelSize: 3 }), tf.layers.batchNormalization(), tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 2, kernelSize: 1 }), tf.layers.upSampling2d({}), tf.layers.conv1d({ filters: 1, kernelSize: 1 }),
      tf.layers.globalAveragePooling2d({}), tf.layers.zeroPadding2d({}), tf.layers.dense({ units: 2 }), tf.layers.reLU(),
    ].map((l) => ({ name: l.name, className: l.getClassName() }));
    assert.ok(layers.some((l) => l.name.startsWith('conv2d_Conv2D')), layers.map((l) => l.name).join(', '));
    const g = groupByNamePrefix(layers);
    assert.deepEqual(g.groups, [], g.groups.map((x) => x.name).join(', '));
    assert.ok(g.groupOf.every((x) => x === null));
  });
});

describe('a partial graph when a layer call fails while the model is built', () => {
  it('holds the layers that built, marks the failing layer and carries both mismatched shapes on its incoming edges', async () => {
    const file = fixture('shape-mismatch.ts');
    const error = await loadExperiment(file).then(() => null, (e: unknown) => e);
    assert.ok(error instanceof UserError, String(error));
    const graph = error.partialGraph;
    assert.ok(graph, 'the error carries a partial graph');
    const failed = graph.nodes.filter((n) => n.failed);
    assert.deepEqual(failed.map((n) => n.name), ['bad_add']);
    assert.ok(graph.nodes.some((n) => n.name === 'wide') && graph.nodes.some((n) => n.name === 'narrow'));
    const incoming = graph.edges.filter((e) => e.to === failed[0].id).map((e) => e.shape);
    assert.deepEqual(incoming, [[null, 4], [null, 3]]);
    assert.equal(error.location?.line, lineOf(file, "tf.layers.add({ name: 'bad_add' })"));
  });
});

function isInside(graph: ModelGraph, node: GraphNode, group: string): boolean {
  for (let p = node.parent; p !== null; p = graph.nodes.find((n) => n.id === p)?.parent ?? null) if (p === group) return true;
  return false;
}
