// A made-up residual network the graph view lays out and draws (unseen) while the panel waits for
// the first model: the trainer needs seconds to load tfjs and build the model, and in that time the
// layout worker and the drawing code get compiled, so the real first render runs at full speed.
import type { GraphEdge, GraphNode, ModelGraph, Shape } from '../../src/protocol/modelInfo';

export function warmUpGraph(blocks: number, seed: number): ModelGraph {
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const shape: Shape = [null, 16, 16, 32 + seed];
  const node = (id: string, kind: GraphNode['kind'], type: string, parent: string | null = null): string => {
    nodes.push({ id, kind, name: id, type, parent, inputShapes: [shape], outputShape: shape, params: kind === 'layer' ? 9248 + seed : 0, trainable: true, source: null });
    return id;
  };
  const link = (from: string, to: string) => edges.push({ from, to, shape });
  let x = node('input', 'input', 'Input');
  const group = node('stem', 'group', 'Sequential');
  let y = x;
  for (const [i, type] of ['Conv2D', 'BatchNormalization', 'ReLU'].entries()) { const id = node(`stem_${i}`, 'layer', type, group); link(y, id); y = id; }
  x = y;
  for (let b = 0; b < blocks; b++) {
    let m = x;
    for (const [i, type] of ['Conv2D', 'BatchNormalization', 'ReLU', 'Conv2D', 'BatchNormalization'].entries()) { const id = node(`b${b}_${i}`, 'layer', type); link(m, id); m = id; }
    let skip = x;
    if (b % 3 === 0) { skip = node(`b${b}_proj`, 'layer', 'Conv2D'); link(x, skip); }
    const add = node(`b${b}_add`, 'layer', 'Add');
    link(m, add);
    link(skip, add);
    x = node(`b${b}_out`, 'layer', 'ReLU');
    link(add, x);
  }
  link(x, node('output', 'output', 'Output'));
  return { nodes, edges };
}
