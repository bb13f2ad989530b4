import type * as tf from '@tensorflow/tfjs';
import type { ModelSummary, Shape, SourceLocation, SummaryRow, SummaryTotals, TrainableState } from '../protocol/modelInfo';
import { callGrouping, callTree, type CallTreeItem, type StackOf } from './callGrouping';
import { layerFacts } from './layerFacts';
import { kernelShape, layerMultAdds } from './multAdds';
import { modelCalls, type LayerCall } from './layerCalls';
import { groupSite } from './modelGraph';
import { BYTES_PER_ELEMENT, isModel, sizeOf, weightBytes, weightCount, withBatch, type LayerLike, type WeightLike } from './modelStructure';

export interface SummaryOptions {
  batchSize?: number;
  /** torchinfo's `depth` (default 3): rows deeper are not listed, and the panel opens the table at it; totals count them all. */
  depth?: number;
  /** List rows down to this depth instead (the panel's table and hover card reach every layer; its depth control starts at `depth`). */
  rowDepth?: number;
  locate?: (layerOrModel: object) => SourceLocation | null;
  /** The user's call stacks of layer calls: rows nest by the helper functions that built them. */
  stackOf?: StackOf;
  /** Measured forward times (ms) of the model's own layer calls, by `forwardTimeKey`, on `timedSamples` samples. */
  forwardMs?: ReadonlyMap<string, number>;
  timedSamples?: number;
}

/** The key of a layer call's forward time: the layer's name and its inbound node (-1 in a Sequential). */
export const forwardTimeKey = (layerName: string, nodeIndex: number) => `${layerName}\u0000${nodeIndex}`;

/** One row per layer call, in torchinfo's order, with the facts its totals are computed from. */
interface RowFacts extends SummaryRow {
  isLeaf: boolean;
  repeated: boolean;
  paramBytes: number;
  /** Bytes of all the call's outputs (the panel's activations). */
  outputBytes: number;
  /** Bytes of its first output: torchinfo's output_bytes (nested_list_size takes a tuple's first element). */
  firstOutputBytes: number;
}

function trainableState(params: number, trainableParams: number, flag: boolean): TrainableState {
  if (params === 0) return flag;
  if (trainableParams === 0) return false;
  return trainableParams === params ? true : 'partial';
}

function rootOutputShape(shapes: Shape[]): Shape | Shape[] {
  return shapes.length === 1 ? shapes[0] : shapes;
}

/** torchinfo's summary of a LayersModel: rows (depth-limited) and totals (over every layer). */
export function computeSummary(model: tf.LayersModel, options: SummaryOptions = {}): ModelSummary {
  const batch = options.batchSize ?? 1;
  const maxDepth = options.depth ?? 3;
  const locate = options.locate ?? (() => null);
  const rows: RowFacts[] = [];
  const seen = new Set<LayerLike>();
  const depthCounters = new Map<number, number>();

  const root = model as unknown as LayerLike;
  const rootCalls = modelCalls(root);
  const rootParams = weightCount(root.weights);
  const rootTrainable = weightCount(root.trainableWeights);
  const rootRow: RowFacts = {
    name: root.name, type: root.getClassName(), depthIndex: '', depth: 0, parent: null,
    inputShapes: rootCalls.inputs.map((t) => withBatch(t.shape, batch)),
    outputShape: rootOutputShape(rootCalls.outputs.map((t) => withBatch(t.shape, batch))),
    params: rootParams, trainableParams: rootTrainable, paramPercent: 0, kernelShape: null, multAdds: 0,
    trainable: trainableState(rootParams, rootTrainable, root.trainable), isContainer: true, source: locate(root),
    isLeaf: false, repeated: false, paramBytes: 0, outputBytes: 0, firstOutputBytes: 0,
  };
  rows.push(rootRow);

  const timeOf = (name: string, nodeIndex: number) => {
    const ms = options.forwardMs?.get(forwardTimeKey(name, nodeIndex));
    return ms === undefined ? {} : { forwardMs: ms };
  };

  const nextIndex = (depth: number) => {
    const index = (depthCounters.get(depth) ?? 0) + 1;
    depthCounters.set(depth, index);
    return `${depth}-${index}`;
  };

  /** The row of one layer call (and, for a nested model, the rows inside it); returns its mult-adds. */
  function callRow(call: LayerCall, parent: string, depth: number, frozen: boolean, source: SourceLocation | null): number {
    const { layer } = call;
    const depthIndex = nextIndex(depth);
    const repeated = seen.has(layer);
    seen.add(layer);
    const params = weightCount(layer.weights);
    const trainableParams = weightCount(layer.trainableWeights);
    const inputShapes = call.inputs.map((t) => withBatch(t.shape, batch));
    const outputShapes = call.outputs.map((t) => withBatch(t.shape, batch));
    const outputShape = outputShapes.length === 1 ? outputShapes[0] : outputShapes;
    const nested = isModel(layer);
    const stack = options.stackOf?.(layer, call.nodeIndex);
    const row: RowFacts = {
      name: layer.name, type: layer.getClassName(), depthIndex, depth, parent,
      inputShapes, outputShape, params, trainableParams, paramPercent: 0,
      kernelShape: nested ? null : kernelShape(layer.weights), multAdds: 0,
      trainable: trainableState(params, trainableParams, layer.trainable && !frozen), isContainer: nested,
      source: source ?? locate(layer), isLeaf: !nested, repeated,
      ...timeOf(layer.name, call.nodeIndex),
      ...(stack?.length ? { callStack: stack.map((f) => ({ function: f.function, file: f.file, line: f.line, column: f.column })) } : {}),
      paramBytes: repeated ? 0 : weightBytes(layer.weights),
      outputBytes: outputShapes.reduce((n, sh, i) => n + sizeOf(sh) * (BYTES_PER_ELEMENT[call.outputs[i].dtype] ?? 4), 0),
      firstOutputBytes: outputShapes.length ? sizeOf(outputShapes[0]) * (BYTES_PER_ELEMENT[call.outputs[0].dtype] ?? 4) : 0,
    };
    rows.push(row);
    if (nested) {
      // tfjs freezes a nested model's weights but not its layers' own flags: pass the freeze down.
      row.multAdds = walk(layer, depth + 1, frozen || !layer.trainable);
    } else {
      const config = layer.getConfig();
      const facts = layerFacts(config);
      if (Object.keys(facts).length) row.facts = facts;
      row.multAdds = layerMultAdds({
        className: row.type, weights: layer.weights, inputShapes, outputShape: outputShapes[0] ?? [], batch,
        channelsFirst: config.dataFormat === 'channelsFirst' || config.data_format === 'channels_first',
      });
    }
    return row.multAdds;
  }

  /** Adds the rows of `owner`'s layer calls, nested in the groups of the user's helpers; returns their summed mult-adds. */
  function walk(owner: LayerLike, depth: number, frozen: boolean): number {
    const { calls, outputs } = modelCalls(owner);
    const grouping = callGrouping(calls, options.stackOf);
    const groups = new Map(grouping.groups.map((g) => [g.name, g]));
    const rowsOf = (items: CallTreeItem[], parent: string, level: number): number => {
      let multAdds = 0;
      for (const item of items) {
        if (item.kind === 'call') {
          const group = grouping.groupOf[item.index];
          multAdds += callRow(calls[item.index], parent, level, frozen, group === null ? null : groupSite(groups.get(group)));
          continue;
        }
        const g = groups.get(item.name)!;
        const members = indicesIn(item);
        const layers = [...new Set(members.map((i) => calls[i].layer))];
        const params = weightCount(layers.flatMap((l) => l.weights as WeightLike[]));
        // A helper called again on layers it already made: nothing new is counted in it.
        const repeated = layers.length > 0 && layers.every((l) => seen.has(l));
        const trainableParams = weightCount(layers.flatMap((l) => l.trainableWeights as WeightLike[]));
        const border = borderShapes(calls, members, outputs.map((o) => o.from), batch);
        const row: RowFacts = {
          name: g.name, type: g.type, depthIndex: nextIndex(level), depth: level, parent,
          inputShapes: border.inputs, outputShape: border.outputs.length === 1 ? border.outputs[0] : border.outputs,
          params, trainableParams, paramPercent: 0, kernelShape: null, multAdds: 0,
          trainable: trainableState(params, trainableParams, !frozen), isContainer: true, source: groupSite(g),
          ...(g.callStack.length ? { callStack: g.callStack } : {}),
          isLeaf: false, repeated, paramBytes: 0, outputBytes: 0, firstOutputBytes: 0,
        };
        rows.push(row);
        row.multAdds = rowsOf(item.items, g.name, level + 1);
        multAdds += row.multAdds;
      }
      return multAdds;
    };
    return rowsOf(callTree(grouping, calls.length), owner.name, depth);
  }
  rootRow.multAdds = walk(root, 1, !root.trainable);
  if (options.forwardMs) sumForwardTimes(rows);

  const leaves = rows.filter((r) => r.isLeaf);
  const unique = leaves.filter((r) => !r.repeated);
  const totalParams = unique.reduce((n, r) => n + r.params, 0);
  const trainableParams = unique.reduce((n, r) => n + r.trainableParams, 0);
  const inputBytes = rootCalls.inputs.reduce(
    (n, t) => n + sizeOf(withBatch(t.shape, batch)) * (BYTES_PER_ELEMENT[t.dtype] ?? 4), 0);
  // torchinfo: outputs of layers with parameters (of several, the first), ×2 because backprop keeps a gradient of each.
  const forwardBackwardBytes = leaves.filter((r) => r.params > 0).reduce((n, r) => n + 2 * r.firstOutputBytes, 0);
  const paramBytes = unique.reduce((n, r) => n + r.paramBytes, 0);
  const totals: SummaryTotals = {
    totalParams, trainableParams, nonTrainableParams: totalParams - trainableParams,
    multAdds: rootRow.multAdds, inputBytes, forwardBackwardBytes, paramBytes,
    totalBytes: inputBytes + forwardBackwardBytes + paramBytes,
  };
  const layers: SummaryRow[] = rows
    .filter((r) => r.depth <= (options.rowDepth ?? maxDepth))
    .map(({ isLeaf: _l, repeated: _r, paramBytes: _p, outputBytes: _o, firstOutputBytes: _f, ...row }) => ({
      ...row,
      ...(_l ? { activationBytes: _o } : {}),
      ...(_r ? { recursive: true } : {}),
      // As torchinfo's f"{params / total:.2%}" computes it (divide, then ×100), so ties fall the same way.
      paramPercent: totalParams === 0 || _r ? 0 : (row.params / totalParams) * 100,
    }));
  return {
    model: root.name, batchSize: batch, depth: maxDepth, layers, totals,
    ...(options.forwardMs && options.timedSamples ? { timedSamples: options.timedSamples } : {}),
  };
}

/** A group's (and the model's) forward time is its layers': children come after their parent, so sum from the end. */
function sumForwardTimes(rows: RowFacts[]): void {
  const containers = new Map(rows.filter((r) => r.isContainer).map((r) => [r.name, r]));
  const timed = new Set(rows.filter((r) => r.forwardMs !== undefined));
  for (let i = rows.length - 1; i >= 0; i--) {
    const row = rows[i];
    const parent = row.parent === null ? undefined : containers.get(row.parent);
    // A nested model timed as one call keeps its own figure.
    if (row.forwardMs === undefined || !parent || timed.has(parent)) continue;
    parent.forwardMs = (parent.forwardMs ?? 0) + row.forwardMs;
  }
}

function indicesIn(item: CallTreeItem): number[] {
  return item.kind === 'call' ? [item.index] : item.items.flatMap(indicesIn);
}

/** Shapes of the tensors that enter a group of calls from outside it and that leave it. */
function borderShapes(calls: readonly LayerCall[], members: number[], modelOutputs: (LayerCall['inputs'][number]['from'])[], batch: number):
  { inputs: Shape[]; outputs: Shape[] } {
  const inside = new Set(members);
  const inputs = new Map<string, Shape>();
  const used = new Set<string>();
  calls.forEach((call, i) => {
    for (const t of call.inputs) {
      const from = t.from;
      const key = from ? (from.kind === 'input' ? `input:${from.index}` : `${from.call}:${from.tensor}`) : '?';
      const fromInside = from?.kind === 'call' && inside.has(from.call);
      if (inside.has(i) && !fromInside && !inputs.has(key)) inputs.set(key, withBatch(t.shape, batch));
      if (!inside.has(i) && fromInside) used.add(key);
    }
  });
  for (const o of modelOutputs) if (o?.kind === 'call' && inside.has(o.call)) used.add(`${o.call}:${o.tensor}`);
  const outputs: Shape[] = [];
  for (const i of members) {
    calls[i].outputs.forEach((t, k) => { if (used.has(`${i}:${k}`)) outputs.push(withBatch(t.shape, batch)); });
  }
  return { inputs: [...inputs.values()], outputs };
}
