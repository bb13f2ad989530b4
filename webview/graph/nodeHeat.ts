// What the graph's gradient colours stand for: per visible node, the combined L2 norm of the layers it
// stands for at the latest sampled step, and whether one of them was not finite. Pure: the canvas
// turns these into colours and flags.
import type { GradientsMessage } from '../../src/protocol/messages';
import type { VisibleNode } from './visibleGraph';

export interface NodeHeat {
  /** null: no trainable layer of the node has a finite gradient (frozen, no params, or none yet). */
  l2: number | null;
  nonFinite: boolean;
  /** The share of dead units, when one of its ReLU layers is flagged dead (deadLayers in runState.ts). */
  dead?: number;
}

/** Node id → heat, for every drawn box (not groups: their layers are boxes of their own). */
export function nodeHeat(nodes: readonly VisibleNode[], latest: GradientsMessage | null, anomalyLayer: string | null,
  dead: ReadonlyMap<string, number> = new Map()): Map<string, NodeHeat> {
  const heat = new Map<string, NodeHeat>();
  if (!latest) return heat;
  const byLayer = new Map(latest.layers.map((l) => [l.layer, l]));
  for (const v of nodes) {
    if (v.kind === 'group') continue;
    let sum = 0;
    let any = false;
    let nonFinite = anomalyLayer !== null && v.layers.includes(anomalyLayer);
    for (const name of v.layers) {
      const g = byLayer.get(name);
      if (!g || g.frozen) continue;
      if (g.l2 === null) { nonFinite = true; continue; }
      sum += g.l2 * g.l2;
      any = true;
    }
    const deadShares = v.layers.map((name) => dead.get(name)).filter((d): d is number => d !== undefined);
    heat.set(v.id, { l2: any ? Math.sqrt(sum) : null, nonFinite, ...(deadShares.length ? { dead: Math.max(...deadShares) } : {}) });
  }
  return heat;
}
