// TensorFlow Playground's 2-D classification sets, as its src/dataset.ts generates them
// (https://github.com/tensorflow/playground), with our seeded PRNG in place of Math.random
// (seedrandom there). Labels are -1/+1 there and classes 0/1 here. `noise` is the fraction the
// generators receive (playground's 0–50 slider / 100). The train/test split follows playground.ts's
// generateData: shuffle all points, the first percTrainData% train, the rest test.
import type { Random } from './seededRandom';
import { createRandom, shuffleInPlace } from './seededRandom';

export const SYNTHETIC_SETS = ['circle', 'xor', 'gauss', 'spiral'] as const;
export type SyntheticName = (typeof SYNTHETIC_SETS)[number];

export const isSyntheticName = (name: string): name is SyntheticName =>
  (SYNTHETIC_SETS as readonly string[]).includes(name);

/** As playground's Example2D: label +1 (blue) or -1 (orange). */
export interface Example2D {
  x: number;
  y: number;
  label: 1 | -1;
}

export type Generator = (numSamples: number, noise: number, random: Random) => Example2D[];

/** +1 at the centre (radius < 2.5), -1 on the ring 3.5..5; with noise, labels come from jittered positions. */
export function classifyCircleData(numSamples: number, noise: number, random: Random): Example2D[] {
  const points: Example2D[] = [];
  const radius = 5;
  const getCircleLabel = (x: number, y: number): 1 | -1 => (Math.sqrt(x * x + y * y) < radius * 0.5 ? 1 : -1);
  const ring = (rMin: number, rMax: number) => {
    for (let i = 0; i < numSamples / 2; i++) {
      const r = randUniform(random, rMin, rMax);
      const angle = randUniform(random, 0, 2 * Math.PI);
      const x = r * Math.sin(angle);
      const y = r * Math.cos(angle);
      const noiseX = randUniform(random, -radius, radius) * noise;
      const noiseY = randUniform(random, -radius, radius) * noise;
      points.push({ x, y, label: getCircleLabel(x + noiseX, y + noiseY) });
    }
  };
  ring(0, radius * 0.5); // Positive points inside the circle.
  ring(radius * 0.7, radius); // Negative points outside.
  return points;
}

/** +1 where x·y ≥ 0 (1st and 3rd quadrants); points keep 0.3 away from the axes. */
export function classifyXORData(numSamples: number, noise: number, random: Random): Example2D[] {
  const points: Example2D[] = [];
  const padding = 0.3;
  for (let i = 0; i < numSamples; i++) {
    let x = randUniform(random, -5, 5);
    x += x > 0 ? padding : -padding;
    let y = randUniform(random, -5, 5);
    y += y > 0 ? padding : -padding;
    const noiseX = randUniform(random, -5, 5) * noise;
    const noiseY = randUniform(random, -5, 5) * noise;
    points.push({ x, y, label: (x + noiseX) * (y + noiseY) >= 0 ? 1 : -1 });
  }
  return points;
}

/** Two Gaussians: +1 around (2, 2), -1 around (-2, -2); variance 0.5 at noise 0 up to 4 at noise 0.5. */
export function classifyTwoGaussData(numSamples: number, noise: number, random: Random): Example2D[] {
  const points: Example2D[] = [];
  const variance = 0.5 + (noise / 0.5) * (4 - 0.5); // d3.scale.linear().domain([0, .5]).range([0.5, 4])
  const genGauss = (cx: number, cy: number, label: 1 | -1) => {
    for (let i = 0; i < numSamples / 2; i++) {
      const x = normalRandom(random, cx, variance);
      const y = normalRandom(random, cy, variance);
      points.push({ x, y, label });
    }
  };
  genGauss(2, 2, 1);
  genGauss(-2, -2, -1);
  return points;
}

/** Two interleaved arms, 1.75 turns out to radius 5: +1 from angle 0, -1 from angle π. */
export function classifySpiralData(numSamples: number, noise: number, random: Random): Example2D[] {
  const points: Example2D[] = [];
  const n = numSamples / 2;
  const genSpiral = (deltaT: number, label: 1 | -1) => {
    for (let i = 0; i < n; i++) {
      const r = (i / n) * 5;
      const t = ((1.75 * i) / n) * 2 * Math.PI + deltaT;
      const x = r * Math.sin(t) + randUniform(random, -1, 1) * noise;
      const y = r * Math.cos(t) + randUniform(random, -1, 1) * noise;
      points.push({ x, y, label });
    }
  };
  genSpiral(0, 1);
  genSpiral(Math.PI, -1);
  return points;
}

export const GENERATORS: Record<SyntheticName, Generator> = {
  circle: classifyCircleData,
  xor: classifyXORData,
  gauss: classifyTwoGaussData,
  spiral: classifySpiralData,
};

export interface SyntheticOptions {
  /** Default 500 (playground's NUM_SAMPLES_CLASSIFY). */
  numSamples?: number;
  /** Playground's slider, 0–50 (percent); default 0. */
  noise?: number;
  /** Percentage of points for training, playground's "Ratio of training to test data"; default 50. */
  percTrainData?: number;
  seed: number;
}

export interface PointSplit {
  /** x, y of each point, one after the other. */
  inputs: Float32Array;
  /** 0 for playground's -1, 1 for +1. */
  labels: Int32Array;
  count: number;
}

/**
 * Generates the set and splits it like playground.ts: note that playground's `i < numSamples / 2`
 * loops make an odd numSamples give one extra point per class for circle, gauss and spiral.
 */
export function makeSyntheticSet(name: SyntheticName, options: SyntheticOptions): { train: PointSplit; test: PointSplit } {
  const numSamples = options.numSamples ?? 500;
  const noise = options.noise ?? 0;
  const percTrainData = options.percTrainData ?? 50;
  const random = createRandom(options.seed);
  const points = GENERATORS[name](numSamples, noise / 100, random);
  const order = points.map((_, i) => i);
  shuffleInPlace(order, random);
  const splitIndex = Math.floor((points.length * percTrainData) / 100);
  return { train: toSplit(points, order.slice(0, splitIndex)), test: toSplit(points, order.slice(splitIndex)) };
}

function toSplit(points: Example2D[], order: number[]): PointSplit {
  const inputs = new Float32Array(order.length * 2);
  const labels = new Int32Array(order.length);
  order.forEach((p, i) => {
    inputs[2 * i] = points[p].x;
    inputs[2 * i + 1] = points[p].y;
    labels[i] = points[p].label === 1 ? 1 : 0;
  });
  return { inputs, labels, count: order.length };
}

/** A sample of the uniform distribution on [a, b). */
function randUniform(random: Random, a: number, b: number): number {
  return random() * (b - a) + a;
}

/** Marsaglia's polar method, as playground's normalRandom (note: it takes the variance). */
function normalRandom(random: Random, mean: number, variance: number): number {
  let v1: number;
  let v2: number;
  let s: number;
  do {
    v1 = 2 * random() - 1;
    v2 = 2 * random() - 1;
    s = v1 * v1 + v2 * v2;
  } while (s > 1 || s === 0); // s === 0 (log 0) would give NaN; playground does not guard it.
  const result = Math.sqrt((-2 * Math.log(s)) / s) * v1;
  return mean + Math.sqrt(variance) * result;
}
