// The order backprop reaches the graph's boxes: a box's gradient is complete once every box it feeds
// has sent its share back, so its rank is its longest path (in edges) to an output. Boxes of equal
// rank (parallel branches) light together; a fork lights after all its paths. Pure: no DOM.

/** Each id's rank: 0 for outputs, 1 + the largest rank among the boxes it feeds otherwise. */
export function backpropRanks(ids: readonly string[], edges: readonly { from: string; to: string }[]): Map<string, number> {
  const known = new Set(ids);
  const feeds = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const e of edges) if (known.has(e.from) && known.has(e.to) && e.from !== e.to) feeds.get(e.from)!.push(e.to);
  const rank = new Map<string, number>();
  const visiting = new Set<string>();
  const rankOf = (id: string): number => {
    const done = rank.get(id);
    if (done !== undefined) return done;
    if (visiting.has(id)) return 0; // a cycle cannot happen in a model's graph; stop rather than loop
    visiting.add(id);
    const r = Math.max(-1, ...feeds.get(id)!.map(rankOf)) + 1;
    visiting.delete(id);
    rank.set(id, r);
    return r;
  };
  for (const id of ids) rankOf(id);
  return rank;
}
