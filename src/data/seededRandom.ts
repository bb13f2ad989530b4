// A small seeded PRNG for everything in src/data that must be reproducible from the experiment's
// `seed`: synthetic points, the train/test split of synthetic sets and the order of train samples.

/** Returns numbers uniformly in [0, 1), like Math.random. */
export type Random = () => number;

/**
 * mulberry32 (Tommy Ettinger's 32-bit generator): tiny, fast, and well distributed for this use.
 * Integer seeds are used as their low 32 bits; other finite numbers are mixed from their float64
 * bits, so 0.1 and 0.2 give different streams.
 */
export function createRandom(seed: number): Random {
  let state = seedToUint32(seed);
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function seedToUint32(seed: number): number {
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
  if (Number.isInteger(seed)) return seed >>> 0;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, seed);
  return (view.getUint32(0) ^ Math.imul(view.getUint32(4), 0x9e3779b1)) >>> 0;
}

/** Fisher–Yates: every order is equally likely (given a uniform `random`). */
export function shuffleInPlace(indices: Uint32Array | number[], random: Random): void {
  for (let i = indices.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = indices[i];
    indices[i] = indices[j];
    indices[j] = t;
  }
}

/** A random order of 0..n-1. */
export function permutation(n: number, random: Random): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  shuffleInPlace(order, random);
  return order;
}

/**
 * `--limit`'s subset: `keep` of 0..n-1 drawn from `seed` (the first `keep` of a seeded permutation),
 * in increasing order so a file or a dataset is still read front to back. All of them when keep ≥ n.
 */
export function randomSubset(n: number, keep: number, seed: number): Uint32Array {
  if (keep >= n) return Uint32Array.from({ length: n }, (_, i) => i);
  return permutation(n, createRandom(seed)).subarray(0, keep).sort();
}

/**
 * A seed for one independent stream, e.g. `deriveSeed(seed, epoch)` or `deriveSeed(seed, epoch, sample)`:
 * streams that need no state carried between epochs or samples (a worker can start anywhere).
 */
export function deriveSeed(seed: number, ...parts: number[]): number {
  let h = seedToUint32(seed) ^ 0x9e3779b9;
  for (const part of parts) {
    h = Math.imul(h ^ seedToUint32(part), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}
