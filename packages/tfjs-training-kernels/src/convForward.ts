// Conv2D on wasm: 3×3 stride-1 convolutions big enough to gain run as Winograd F(m×m, 3×3)
// (winograd.ts: fewer multiplies than XNNPACK's direct convolution); everything else goes to the
// stock kernel.
import { convInfo, pair, type Pad } from './geometry';
import type { TensorInfo } from './rawData';
import { overrideKernel, runStock } from './registry';
import { winogradApplies, winogradConv } from './winograd';

export interface Conv2DAttrs {
  strides: number | number[];
  pad: Pad;
  dataFormat: 'NHWC' | 'NCHW';
  dilations: number | number[];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** x ⊛ filter as Winograd where it applies and gains (NHWC, float32, 3×3 stride 1, big enough), else null. */
export function winogradConvFor(backend: unknown, x: TensorInfo, filter: TensorInfo, attrs: Conv2DAttrs): TensorInfo | null {
  if (attrs.dataFormat === 'NCHW' || x.dtype !== 'float32' || filter.dtype !== 'float32' || x.shape.length !== 4) return null;
  const { outHeight, outWidth, padInfo } = convInfo(x.shape, filter.shape, attrs.strides, attrs.dilations, attrs.pad, attrs.dimRoundingMode, false);
  if (!winogradApplies(filter.shape, pair(attrs.strides), pair(attrs.dilations), x.shape[0] * outHeight * outWidth)) return null;
  return winogradConv(backend, x, filter, padInfo.top, padInfo.left, outHeight, outWidth);
}

export function registerConv2DKernel(backend: string): void {
  if (backend !== 'wasm') return;
  overrideKernel('Conv2D', backend, (stock) => (args) => {
    const { x, filter } = args.inputs as unknown as { x: TensorInfo; filter: TensorInfo };
    return winogradConvFor(args.backend, x, filter, args.attrs as unknown as Conv2DAttrs)
      ?? runStock(stock, args, 'Conv2D', backend, 'with these attributes');
  });
}
