import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRandom, permutation, shuffleInPlace } from '../../src/data/seededRandom';

const take = (random: () => number, n: number) => Array.from({ length: n }, random);

describe('createRandom', () => {
  it('gives the same sequence for the same seed', () => {
    assert.deepEqual(take(createRandom(42), 100), take(createRandom(42), 100));
  });

  it('gives different sequences for different seeds, fractional seeds included', () => {
    assert.notDeepEqual(take(createRandom(1), 10), take(createRandom(2), 10));
    assert.notDeepEqual(take(createRandom(0.1), 10), take(createRandom(0.2), 10));
  });

  it('returns numbers in [0, 1), spread evenly', () => {
    const values = take(createRandom(7), 100_000);
    assert.ok(values.every((v) => v >= 0 && v < 1));
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    assert.ok(Math.abs(mean - 0.5) < 0.01, `mean ${mean}`);
    const deciles = new Array<number>(10).fill(0);
    for (const v of values) deciles[Math.floor(v * 10)]++;
    for (const d of deciles) assert.ok(Math.abs(d - 10_000) < 500, `decile count ${d}`);
  });

  it('rejects a seed that is not a finite number', () => {
    assert.throws(() => createRandom(Number.NaN), RangeError);
  });
});

describe('permutation and shuffleInPlace', () => {
  it('permutation(n) holds each of 0..n-1 exactly once', () => {
    const p = permutation(1000, createRandom(3));
    assert.equal(p.length, 1000);
    assert.deepEqual([...p].sort((a, b) => a - b), Array.from({ length: 1000 }, (_, i) => i));
    assert.notDeepEqual([...p], Array.from({ length: 1000 }, (_, i) => i));
  });

  it('is reproducible from the seed', () => {
    assert.deepEqual(permutation(500, createRandom(9)), permutation(500, createRandom(9)));
    assert.notDeepEqual(permutation(500, createRandom(9)), permutation(500, createRandom(10)));
  });

  it('shuffles number arrays and Uint32Arrays alike', () => {
    const a = [0, 1, 2, 3, 4, 5, 6, 7];
    const b = Uint32Array.from(a);
    shuffleInPlace(a, createRandom(5));
    shuffleInPlace(b, createRandom(5));
    assert.deepEqual(a, [...b]);
  });

  it('makes all 6 orders of 3 items about equally likely (Fisher–Yates, not a biased swap)', () => {
    const counts = new Map<string, number>();
    const random = createRandom(11);
    const trials = 60_000;
    for (let t = 0; t < trials; t++) {
      const items = [0, 1, 2];
      shuffleInPlace(items, random);
      counts.set(items.join(''), (counts.get(items.join('')) ?? 0) + 1);
    }
    assert.equal(counts.size, 6);
    // Chi-square with 5 degrees of freedom; 20.5 is the 0.1% critical value.
    const expected = trials / 6;
    const chi2 = [...counts.values()].reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
    assert.ok(chi2 < 20.5, `chi-square ${chi2}`);
  });
});
