// torchvision's image transforms on 8-bit HWC pixels, for an image folder:
//   Grayscale()  (channels 1)      PIL's convert('L')
//   Resize(s) + CenterCrop([h, w]) s scales the image to cover h × w (for h = w, torchvision's Resize(h))
//   RandomCrop([h, w], padding)    zero padding, a seeded offset        (augment, train split only)
//   RandomHorizontalFlip()         with probability 0.5, seeded         (augment, train split only)
//   ToTensor() + Normalize(mean, std)   float32, per channel
import { pilResizeBilinear } from './pilResize';
import type { Random } from './seededRandom';

export interface Pixels {
  width: number;
  height: number;
  channels: number;
  /** height × width × channels bytes. */
  data: Uint8Array;
}

/** PIL's RGB → L: (R·19595 + G·38470 + B·7471 + 2^15) >> 16 (ITU-R 601-2 luma in fixed point). */
export function toGrayscale(rgb: Pixels): Pixels {
  const n = rgb.width * rgb.height;
  const data = new Uint8Array(n);
  for (let i = 0, j = 0; i < n; i++, j += 3) {
    data[i] = (rgb.data[j] * 19595 + rgb.data[j + 1] * 38470 + rgb.data[j + 2] * 7471 + 0x8000) >>> 16;
  }
  return { width: rgb.width, height: rgb.height, channels: 1, data };
}

/**
 * The size Resize gives before CenterCrop([h, w]): the side whose ratio to its target is smaller is
 * scaled to its target exactly, the other to int(target × other / side), as torchvision computes the
 * long side of Resize(int).
 */
export function coverSize(width: number, height: number, h: number, w: number): { width: number; height: number } {
  return h / height >= w / width
    ? { height: h, width: Math.trunc((h * width) / height) }
    : { height: Math.trunc((w * height) / width), width: w };
}

/** Python's round(): halves go to the even neighbour, as CenterCrop's offsets are rounded. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export function crop(image: Pixels, top: number, left: number, h: number, w: number): Pixels {
  const { channels } = image;
  const data = new Uint8Array(h * w * channels);
  for (let y = 0; y < h; y++) {
    const sy = top + y;
    if (sy < 0 || sy >= image.height) continue; // outside: zero padding
    for (let x = 0; x < w; x++) {
      const sx = left + x;
      if (sx < 0 || sx >= image.width) continue;
      const from = (sy * image.width + sx) * channels;
      data.set(image.data.subarray(from, from + channels), (y * w + x) * channels);
    }
  }
  return { width: w, height: h, channels, data };
}

/** Resize to cover h × w, then the centre h × w. */
export function resizeAndCenterCrop(image: Pixels, h: number, w: number): Pixels {
  const size = coverSize(image.width, image.height, h, w);
  const data = pilResizeBilinear(image.data, image.width, image.height, image.channels, size.width, size.height);
  const resized = { width: size.width, height: size.height, channels: image.channels, data };
  if (size.width === w && size.height === h) return resized;
  return crop(resized, roundHalfEven((size.height - h) / 2), roundHalfEven((size.width - w) / 2), h, w);
}

export interface AugmentOptions {
  flipHorizontal: boolean;
  /** RandomCrop(size, padding): pad with zeros on every side, then an h × w window at a random offset. */
  cropPadding: number;
}

/** RandomCrop then RandomHorizontalFlip, as a training recipe lists them. */
export function augment(image: Pixels, options: AugmentOptions, random: Random): Pixels {
  let out = image;
  if (options.cropPadding > 0) {
    const p = options.cropPadding;
    const top = Math.floor(random() * (2 * p + 1)) - p;
    const left = Math.floor(random() * (2 * p + 1)) - p;
    out = crop(out, top, left, image.height, image.width);
  }
  if (options.flipHorizontal && random() < 0.5) out = flipHorizontal(out);
  return out;
}

export function flipHorizontal(image: Pixels): Pixels {
  const { width, height, channels } = image;
  const data = new Uint8Array(image.data.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const from = (y * width + x) * channels;
      data.set(image.data.subarray(from, from + channels), (y * width + (width - 1 - x)) * channels);
    }
  }
  return { width, height, channels, data };
}

/** Per channel, the float32 of each byte: ToTensor's v / 255, then Normalize's (x - mean) / std. */
export function channelTables(channels: number, normalize: { mean: readonly number[]; std: readonly number[] } | null): Float32Array[] {
  return Array.from({ length: channels }, (_, c) => {
    const table = new Float32Array(256);
    for (let v = 0; v < 256; v++) {
      const x = Math.fround(v / 255);
      table[v] = normalize ? Math.fround(Math.fround(x - Math.fround(normalize.mean[c])) / Math.fround(normalize.std[c])) : x;
    }
    return table;
  });
}

/** Writes the image's float32 values (HWC) into `out` at `offset`. */
export function writeFloats(image: Pixels, tables: Float32Array[], out: Float32Array, offset: number): void {
  const { data, channels } = image;
  for (let i = 0; i < data.length; i++) out[offset + i] = tables[i % channels][data[i]];
}
