import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadDataset, type LoadedDataset } from '../../src/data/dataset';
import { SYNTHETIC_SETS } from '../../src/data/syntheticSets';
import { throwsUserError } from './idxTestFiles';

interface P {
  x: number;
  y: number;
  label: number;
}

const load = (dataset: string, extra: Record<string, unknown> = {}, seed = 1): LoadedDataset =>
  loadDataset({ dataset, ...extra }, { baseDir: '.', seed });

/** Train and test points together. */
function allPoints(set: LoadedDataset): P[] {
  const points: P[] = [];
  for (const split of [set.train, set.test]) {
    for (let i = 0; i < split.count; i++) {
      points.push({ x: split.inputs[2 * i], y: split.inputs[2 * i + 1], label: split.labels[i] });
    }
  }
  return points;
}

const countLabel = (points: P[], label: number) => points.filter((p) => p.label === label).length;
const TOL = 1e-5; // float32 storage

describe('synthetic sets: shape, counts and classes', () => {
  for (const name of SYNTHETIC_SETS) {
    it(`${name}: 500 points by default, split half/half, 2-D inputs, classes 0 and 1`, () => {
      const set = load(name);
      assert.equal(set.name, name);
      assert.equal(set.source, 'synthetic');
      assert.deepEqual(set.inputShape, [2]);
      assert.equal(set.numClasses, 2);
      assert.deepEqual(set.classNames, ['-1', '+1']);
      assert.equal(set.train.count, 250);
      assert.equal(set.test.count, 250);
      assert.equal(set.train.inputs.length, 500);
      assert.equal(set.testPixels, undefined);
      const points = allPoints(set);
      assert.ok(points.every((p) => p.label === 0 || p.label === 1));
      assert.ok(points.every((p) => Number.isFinite(p.x) && Number.isFinite(p.y)));
      assert.ok(countLabel(points, 0) > 100 && countLabel(points, 1) > 100);
    });
  }

  it('circle, gauss and spiral have exactly half the points in each class (at noise 0)', () => {
    for (const name of ['circle', 'gauss', 'spiral']) {
      const points = allPoints(load(name));
      assert.equal(countLabel(points, 0), 250, name);
      assert.equal(countLabel(points, 1), 250, name);
    }
  });

  it('numSamples and percTrainData set the sizes, like the playground sliders', () => {
    const set = load('xor', { numSamples: 200, percTrainData: 70 });
    assert.equal(set.train.count, 140);
    assert.equal(set.test.count, 60);
  });

  it("keeps playground's rounding: an odd numSamples gives one extra point per class for half-and-half sets", () => {
    assert.equal(allPoints(load('spiral', { numSamples: 501 })).length, 502);
    assert.equal(allPoints(load('circle', { numSamples: 501 })).length, 502);
    assert.equal(allPoints(load('xor', { numSamples: 501 })).length, 501);
  });

  it('limit and testLimit keep the first samples of each split', () => {
    const full = load('spiral');
    const cut = loadDataset({ dataset: 'spiral', limit: 10 }, { baseDir: '.', seed: 1, testLimit: 5 });
    assert.equal(cut.train.count, 10);
    assert.equal(cut.test.count, 5);
    assert.deepEqual(cut.train.inputs, full.train.inputs.slice(0, 20));
    assert.deepEqual(cut.test.labels, full.test.labels.slice(0, 5));
  });

  it('applies normalize to the coordinates', () => {
    const raw = load('gauss');
    const norm = load('gauss', { normalize: { mean: 1, std: 2 } });
    for (let i = 0; i < 20; i++) assert.ok(Math.abs(norm.train.inputs[i] - (raw.train.inputs[i] - 1) / 2) < TOL);
  });
});

describe('synthetic sets: seeded', () => {
  for (const name of SYNTHETIC_SETS) {
    it(`${name}: the same seed gives the same points and split, another seed others`, () => {
      const a = load(name, { noise: 20 }, 5);
      const b = load(name, { noise: 20 }, 5);
      const c = load(name, { noise: 20 }, 6);
      assert.deepEqual(a.train, b.train);
      assert.deepEqual(a.test, b.test);
      assert.notDeepEqual(a.train.inputs, c.train.inputs);
    });
  }

  it('the train split is a shuffled mix of both classes, not class 1 then class 0', () => {
    const labels = [...load('spiral').train.labels];
    const firstHalfOnes = labels.slice(0, 125).filter((l) => l === 1).length;
    assert.ok(firstHalfOnes > 40 && firstHalfOnes < 85, `${firstHalfOnes} of the first 125 are class 1`);
  });
});

describe('synthetic sets: geometry (checked from the definitions)', () => {
  it('circle: class 1 (+1) lies inside radius 2.5, class 0 (-1) on the ring 3.5..5', () => {
    for (const p of allPoints(load('circle'))) {
      const r = Math.hypot(p.x, p.y);
      if (p.label === 1) assert.ok(r < 2.5 + TOL, `class 1 at r=${r}`);
      else assert.ok(r > 3.5 - TOL && r < 5 + TOL, `class 0 at r=${r}`);
    }
  });

  it("circle with noise: points stay put but labels come from jittered positions (playground's behaviour)", () => {
    const points = allPoints(load('circle', { noise: 50 }));
    const radii = points.map((p) => Math.hypot(p.x, p.y));
    assert.ok(radii.every((r) => r < 2.5 + TOL || (r > 3.5 - TOL && r < 5 + TOL)));
    const outerLabelledInside = points.filter((p, i) => p.label === 1 && radii[i] > 3.5).length;
    const innerLabelledOutside = points.filter((p, i) => p.label === 0 && radii[i] < 2.5).length;
    assert.ok(outerLabelledInside > 0 && innerLabelledOutside > 0);
  });

  it('xor: class 1 where x·y ≥ 0, and points keep 0.3 away from both axes', () => {
    for (const p of allPoints(load('xor'))) {
      assert.equal(p.label, p.x * p.y >= 0 ? 1 : 0);
      assert.ok(Math.abs(p.x) >= 0.3 - TOL && Math.abs(p.x) <= 5.3 + TOL);
      assert.ok(Math.abs(p.y) >= 0.3 - TOL && Math.abs(p.y) <= 5.3 + TOL);
    }
  });

  it('gauss: class 1 centred on (2, 2), class 0 on (-2, -2), variance 0.5 at noise 0 and 4 at noise 50', () => {
    for (const [noise, variance, tol] of [[0, 0.5, 0.1], [50, 4, 0.6]]) {
      const points = allPoints(load('gauss', { numSamples: 4000, noise }));
      for (const [label, centre] of [[1, 2], [0, -2]]) {
        const cls = points.filter((p) => p.label === label);
        const mx = cls.reduce((s, p) => s + p.x, 0) / cls.length;
        const my = cls.reduce((s, p) => s + p.y, 0) / cls.length;
        const vx = cls.reduce((s, p) => s + (p.x - mx) ** 2, 0) / (cls.length - 1);
        const vy = cls.reduce((s, p) => s + (p.y - my) ** 2, 0) / (cls.length - 1);
        assert.ok(Math.abs(mx - centre) < 0.15 && Math.abs(my - centre) < 0.15, `mean (${mx}, ${my})`);
        assert.ok(Math.abs(vx - variance) < tol && Math.abs(vy - variance) < tol, `variance ${vx}, ${vy}`);
      }
    }
  });

  it('spiral: each point lies on its arm, r = 5·i/n at angle 1.75·2π·r/5 (+π for class 0)', () => {
    const points = allPoints(load('spiral'));
    const n = 250;
    for (const label of [0, 1]) {
      const steps: number[] = [];
      for (const p of points.filter((q) => q.label === label)) {
        const r = Math.hypot(p.x, p.y);
        const t = 1.75 * 2 * Math.PI * (r / 5) + (label === 1 ? 0 : Math.PI);
        assert.ok(Math.abs(p.x - r * Math.sin(t)) < 1e-4 && Math.abs(p.y - r * Math.cos(t)) < 1e-4, `(${p.x}, ${p.y})`);
        steps.push(Math.round((r / 5) * n));
        assert.ok(Math.abs((r / 5) * n - Math.round((r / 5) * n)) < 1e-3);
      }
      // One point per step i = 0..n-1 along each arm.
      assert.deepEqual(steps.sort((a, b) => a - b), Array.from({ length: n }, (_, i) => i));
    }
  });

  it('spiral with noise: each point moves from its noise-free place by at most noise/100 per coordinate', () => {
    // Same seed: both draw the same random numbers in the same order (the jitter is scaled by the
    // noise), so the two sets match point for point, in the same shuffled order.
    const clean = allPoints(load('spiral'));
    const noisy = allPoints(load('spiral', { noise: 30 }));
    assert.equal(noisy.length, clean.length);
    let largest = 0;
    noisy.forEach((p, i) => {
      assert.equal(p.label, clean[i].label);
      const d = Math.max(Math.abs(p.x - clean[i].x), Math.abs(p.y - clean[i].y));
      assert.ok(d <= 0.3 + TOL, `moved ${d}`);
      largest = Math.max(largest, d);
    });
    assert.ok(largest > 0.25, `largest move ${largest}`);
  });
});

describe('synthetic sets: option errors', () => {
  it('rejects noise outside the 0–50 slider range', () => {
    throwsUserError(() => load('circle', { noise: 80 }), 'data.noise', 'between 0 and 50');
  });

  it('rejects a numSamples that is not an integer of at least 2', () => {
    throwsUserError(() => load('xor', { numSamples: 1 }), 'data.numSamples');
    throwsUserError(() => load('xor', { numSamples: '500' }), 'data.numSamples', '"500"');
  });

  it('rejects percTrainData of 0 or 100 (one split would be empty)', () => {
    throwsUserError(() => load('spiral', { percTrainData: 100 }), 'data.percTrainData');
  });
});
