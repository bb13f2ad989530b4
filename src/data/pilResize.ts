// PIL's Image.resize(size, BILINEAR) on 8-bit images, as libImaging/Resample.c computes it (what
// torchvision's Resize does to a PIL image): a separable triangle filter whose support grows with the
// reduction factor (antialiasing when shrinking), weights in 22-bit fixed point, the horizontal pass
// first and each pass rounded and clipped to 0..255. Checked against PIL in test/unit/imageTransforms.

const PRECISION_BITS = 32 - 8 - 2;
const HALF = 1 << (PRECISION_BITS - 1);

interface Coefficients {
  /** Per output pixel: first input pixel and how many. */
  bounds: Int32Array;
  /** Per output pixel: `ksize` fixed-point weights. */
  weights: Int32Array;
  ksize: number;
}

const triangle = (x: number): number => {
  const a = Math.abs(x);
  return a < 1 ? 1 - a : 0;
};

/** precompute_coeffs + normalize_coeffs_8bpc of Resample.c for the box 0..inSize. */
function coefficients(inSize: number, outSize: number): Coefficients {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = filterScale; // the bilinear filter's support is 1
  const ksize = Math.ceil(support) * 2 + 1;
  const bounds = new Int32Array(outSize * 2);
  const weights = new Int32Array(outSize * ksize);
  const k = new Float64Array(ksize);
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    const ss = 1 / filterScale;
    const xmin = Math.max(0, Math.trunc(center - support + 0.5));
    const xmax = Math.min(inSize, Math.trunc(center + support + 0.5)) - xmin;
    let ww = 0;
    for (let x = 0; x < xmax; x++) {
      k[x] = triangle((x + xmin - center + 0.5) * ss);
      ww += k[x];
    }
    for (let x = 0; x < xmax; x++) {
      const w = ww !== 0 ? k[x] / ww : k[x];
      weights[xx * ksize + x] = w < 0 ? Math.trunc(-0.5 + w * (1 << PRECISION_BITS)) : Math.trunc(0.5 + w * (1 << PRECISION_BITS));
    }
    bounds[xx * 2] = xmin;
    bounds[xx * 2 + 1] = xmax;
  }
  return { bounds, weights, ksize };
}

const clip8 = (sum: number): number => {
  const v = sum >> PRECISION_BITS;
  return v < 0 ? 0 : v > 255 ? 255 : v;
};

/**
 * Resizes `pixels` (height × width × channels bytes, interleaved) to outHeight × outWidth.
 * Returns the input itself when the size does not change.
 */
export function pilResizeBilinear(pixels: Uint8Array, width: number, height: number, channels: number,
  outWidth: number, outHeight: number): Uint8Array {
  if (outWidth === width && outHeight === height) return pixels;
  const horizontal = coefficients(width, outWidth);
  const vertical = coefficients(height, outHeight);
  let source = pixels;
  let sourceWidth = width;
  let rowOffset = 0;
  if (outWidth !== width) {
    // Only the rows the vertical pass reads.
    const first = vertical.bounds[0];
    const last = vertical.bounds[(outHeight - 1) * 2] + vertical.bounds[(outHeight - 1) * 2 + 1];
    source = resampleRows(pixels, width, channels, first, last, horizontal, outWidth);
    sourceWidth = outWidth;
    rowOffset = first;
  }
  if (outHeight === height) return source;
  return resampleColumns(source, sourceWidth, channels, rowOffset, vertical, outHeight);
}

function resampleRows(pixels: Uint8Array, width: number, channels: number, firstRow: number, endRow: number,
  c: Coefficients, outWidth: number): Uint8Array {
  const out = new Uint8Array((endRow - firstRow) * outWidth * channels);
  for (let y = firstRow; y < endRow; y++) {
    const inRow = y * width * channels;
    const outRow = (y - firstRow) * outWidth * channels;
    for (let xx = 0; xx < outWidth; xx++) {
      const xmin = c.bounds[xx * 2];
      const xmax = c.bounds[xx * 2 + 1];
      const k = xx * c.ksize;
      for (let ch = 0; ch < channels; ch++) {
        let sum = HALF;
        for (let x = 0; x < xmax; x++) sum += pixels[inRow + (xmin + x) * channels + ch] * c.weights[k + x];
        out[outRow + xx * channels + ch] = clip8(sum);
      }
    }
  }
  return out;
}

function resampleColumns(pixels: Uint8Array, width: number, channels: number, rowOffset: number,
  c: Coefficients, outHeight: number): Uint8Array {
  const stride = width * channels;
  const out = new Uint8Array(outHeight * stride);
  for (let yy = 0; yy < outHeight; yy++) {
    const ymin = c.bounds[yy * 2] - rowOffset;
    const ymax = c.bounds[yy * 2 + 1];
    const k = yy * c.ksize;
    for (let i = 0; i < stride; i++) {
      let sum = HALF;
      for (let y = 0; y < ymax; y++) sum += pixels[(ymin + y) * stride + i] * c.weights[k + y];
      out[yy * stride + i] = clip8(sum);
    }
  }
  return out;
}
