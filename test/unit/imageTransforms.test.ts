import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fixture } from '../helpers/fixtures';
import { decodeRgb } from '../../src/data/imageDecode';
import {
  augment, channelTables, coverSize, flipHorizontal, resizeAndCenterCrop, roundHalfEven, toGrayscale, writeFloats, type Pixels,
} from '../../src/data/imageTransforms';
import { createRandom } from '../../src/data/seededRandom';

// Made by test/fixtures/pil-reference/make.py with PIL (python3-pil): the reference, not our code.
interface Reference {
  pillow: string;
  decoded: Record<string, number[]>;
  grayscale: Record<string, number[]>;
  cases: { file: string; size: [number, number]; channels: 1 | 3; pixels: number[] }[];
}
const DIR = fixture('pil-reference');
const reference: Reference = JSON.parse(fs.readFileSync(path.join(DIR, 'reference.json'), 'utf8'));

function load(name: string): Pixels {
  const rgb = decodeRgb(fs.readFileSync(path.join(DIR, name)), name);
  return { width: rgb.width, height: rgb.height, channels: 3, data: rgb.pixels };
}

function pipeline(name: string, [h, w]: [number, number], channels: 1 | 3): Pixels {
  const rgb = load(name);
  return resizeAndCenterCrop(channels === 1 ? toGrayscale(rgb) : rgb, h, w);
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
};

const meanDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
  return sum / a.length;
};

describe('image transforms: the same pixels as PIL under torchvision', () => {
  it('converts RGB to grayscale exactly as PIL\'s convert("L")', () => {
    for (const [name, expected] of Object.entries(reference.grayscale)) {
      assert.deepEqual([...toGrayscale(load(name)).data], expected, name);
    }
  });

  for (const c of reference.cases.filter((c) => c.file.endsWith('.png'))) {
    it(`resizes and centre-crops ${c.file} to ${c.size.join('×')} with ${c.channels} channel(s) pixel for pixel as PIL`, () => {
      const out = pipeline(c.file, c.size, c.channels);
      assert.equal(out.height, c.size[0]);
      assert.equal(out.width, c.size[1]);
      assert.equal(out.channels, c.channels);
      assert.deepEqual([...out.data], c.pixels);
    });
  }

  // jpeg-js's IDCT rounds differently from libjpeg's, and it upsamples 4:2:0 chroma by repeating
  // samples where libjpeg interpolates ("fancy upsampling"): close, not exact.
  const jpegCases: [string, number, number][] = [['pattern-40x30-444.jpg', 3, 1], ['smooth-40x30.jpg', 8, 3]];
  for (const [name, maxLevels, meanLevels] of jpegCases) {
    it(`decodes ${name} within ${maxLevels} levels of libjpeg (PIL), ${meanLevels} on average, and resizes it as closely`, () => {
      const decoded = load(name);
      assert.equal(decoded.width, 40);
      assert.equal(decoded.height, 30);
      assert.ok(maxDiff(decoded.data, reference.decoded[name]) <= maxLevels, `decode differs by ${maxDiff(decoded.data, reference.decoded[name])}`);
      assert.ok(meanDiff(decoded.data, reference.decoded[name]) < meanLevels, `mean difference ${meanDiff(decoded.data, reference.decoded[name])}`);
      const c = reference.cases.find((k) => k.file === name)!;
      const out = pipeline(name, c.size, c.channels);
      assert.ok(maxDiff(out.data, c.pixels) <= maxLevels, `resized differs by ${maxDiff(out.data, c.pixels)}`);
    });
  }

  it('rounds centre-crop offsets half to even, as Python\'s round()', () => {
    assert.deepEqual([0.5, 1.5, 2.5, 3.5, 2.4, 2.6].map(roundHalfEven), [0, 2, 2, 4, 2, 3]);
  });

  it('scales the side that must reach its target and truncates the other (torchvision\'s Resize(int) for squares)', () => {
    assert.deepEqual(coverSize(37, 23, 8, 8), { width: 12, height: 8 }); // int(8 * 37 / 23) = 12
    assert.deepEqual(coverSize(23, 37, 8, 8), { width: 8, height: 12 });
    assert.deepEqual(coverSize(37, 23, 5, 20), { width: 20, height: 12 }); // int(20 * 23 / 37) = 12
  });
});

describe('image transforms: augmentation and scaling', () => {
  const image: Pixels = { width: 3, height: 2, channels: 1, data: Uint8Array.from([1, 2, 3, 4, 5, 6]) };

  it('flips rows left to right, keeping each pixel\'s channels together', () => {
    assert.deepEqual([...flipHorizontal(image).data], [3, 2, 1, 6, 5, 4]);
    const rgb: Pixels = { width: 2, height: 1, channels: 3, data: Uint8Array.from([1, 2, 3, 4, 5, 6]) };
    assert.deepEqual([...flipHorizontal(rgb).data], [4, 5, 6, 1, 2, 3]);
  });

  it('random crop with padding shifts the image within the zero border and keeps its size', () => {
    const seen = new Set<string>();
    for (let seed = 0; seed < 200; seed++) {
      const out = augment(image, { flipHorizontal: false, cropPadding: 1 }, createRandom(seed));
      assert.equal(out.data.length, 6);
      // Every output pixel is a zero from the border or the input pixel at a shift in -1..1.
      const key = [...out.data].join(',');
      seen.add(key);
      const shifts = [-1, 0, 1].flatMap((dy) => [-1, 0, 1].map((dx) => [dy, dx]));
      const fits = shifts.some(([dy, dx]) => [...out.data].every((v, i) => {
        const y = Math.floor(i / 3) + dy;
        const x = (i % 3) + dx;
        return v === (y >= 0 && y < 2 && x >= 0 && x < 3 ? image.data[y * 3 + x] : 0);
      }));
      assert.ok(fits, key);
    }
    assert.equal(seen.size, 9, 'all nine offsets of padding 1 occur');
  });

  it('the same seed gives the same augmentation; flips happen about half the time', () => {
    const a = augment(image, { flipHorizontal: true, cropPadding: 2 }, createRandom(7));
    const b = augment(image, { flipHorizontal: true, cropPadding: 2 }, createRandom(7));
    assert.deepEqual(a, b);
    let flips = 0;
    for (let seed = 0; seed < 400; seed++) if (augment(image, { flipHorizontal: true, cropPadding: 0 }, createRandom(seed)).data[0] === 3) flips++;
    assert.ok(flips > 150 && flips < 250, `${flips} of 400`);
  });

  it('scales bytes to v/255 in float32 and normalises per channel as Normalize(mean, std)', () => {
    const rgb: Pixels = { width: 1, height: 2, channels: 3, data: Uint8Array.from([0, 128, 255, 255, 0, 51]) };
    const out = new Float32Array(6);
    writeFloats(rgb, channelTables(3, { mean: [0.5, 0.25, 0], std: [0.5, 0.25, 2] }), out, 0);
    const expected = [(0 - 0.5) / 0.5, (128 / 255 - 0.25) / 0.25, (1 - 0) / 2, (1 - 0.5) / 0.5, (0 - 0.25) / 0.25, 0.2 / 2];
    out.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-6, `${i}: ${v} vs ${expected[i]}`));
    const plain = new Float32Array(6);
    writeFloats(rgb, channelTables(3, null), plain, 0);
    assert.deepEqual([...plain], [0, 128, 255, 255, 0, 51].map((v) => Math.fround(v / 255)));
  });
});
