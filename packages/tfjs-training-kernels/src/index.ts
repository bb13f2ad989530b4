// Training kernels for TensorFlow.js's wasm and cpu backends: what stock tfjs-wasm lacks for training
// (convolution and depthwise backprops, UnsortedSegmentSum) and what it runs slowly (transposed
// matMuls, bias adds and sums, Relu's gradient, Adam's step). The stock kernels stay reachable: ours
// hand back the attributes they do not cover, and useStockKernels / useOurKernels swap the whole set
// (to measure stock tfjs-wasm side by side in one process).
import { registerAdamUpdateKernel } from './adamUpdate';
import { registerBatchNormKernel } from './batchNorm';
import { replaceBatchNormGradient } from './batchNormGradient';
import { registerBinaryOpKernels } from './binaryOps';
import { registerConvBackpropKernels } from './convBackprop';
import { registerConv2DKernel } from './convForward';
import { registerDepthwiseBackpropKernels } from './depthwiseBackprop';
import { registerElementwiseKernels } from './elementwise';
import { registerFusedKernels } from './fusedOps';
import { registerIdentityKernel } from './identity';
import { registerLeadingSumKernel } from './leadingSum';
import { registerMaxPoolKernel } from './maxPool';
import { registerMaxPoolGradKernel } from './maxPoolGrad';
import { registerSegmentSumKernel } from './segmentSum';
import { registerTransposeKernel } from './transpose';
import { registerTransposedMatMul } from './transposedMatMul';

export { ADAM_UPDATE, type AdamUpdateAttrs } from './adamUpdate';
export { MAGNITUDES, RELU_GRAD } from './elementwise';
export { FusedAdamOptimizer } from './fusedAdam';
export { kernelThreads, kernelThreadsWork, setKernelThreads } from './kernelThreads';
export { activeOverrides, useOurKernels, useStockKernels } from './registry';
export { WINOGRAD_MIN_WORK } from './winograd';
export { fusedMultiplyAdd } from './wasmSimd';

/**
 * Registers our training kernels on `backend` ('wasm' or 'cpu'; others are left alone). Idempotent.
 * - wasm: BatchMatMul (transposed operands; our gemm loop where multiply-adds fuse), Conv2D (3×3 stride
 *   1 as Winograd; others stock), MaxPool (channels in fours; split over our threads), Relu, _FusedMatMul and FusedConv2D (the same, then bias and activation),
 *   Conv2DBackpropFilter, Conv2DBackpropInput,
 *   DepthwiseConv2dNativeBackpropFilter, DepthwiseConv2dNativeBackpropInput, UnsortedSegmentSum,
 *   MaxPoolGrad, Sum (over leading axes; other reductions go to the stock kernel), Transpose (of
 *   the last two axes when the row count is a power of two; other cases go to the stock kernel),
 *   Identity (shares the data instead of copying it, as the cpu backend's does), Add, Sub,
 *   Multiply and RealDiv (float32 of the same shape, or with a last-axis vector or a scalar; other
 *   broadcasts stock), FusedBatchNorm (per-channel statistics; split over our threads), ModelLensReluGrad (Relu's gradient in one pass), ModelLensAdamUpdate
 *   (Adam's step for one variable in one pass; FusedAdamOptimizer), ModelLensMagnitudes ([Σx², Σ|x|,
 *   max |x|] of a float32 tensor in one pass).
 * - cpu: Conv2DBackpropFilter, DepthwiseConv2dNativeBackpropFilter, UnsortedSegmentSum, MaxPoolGrad,
 *   Sum — where ours are faster than the cpu backend's own (see each file).
 * - every backend, process-wide: FusedBatchNorm's gradient without its Tile (batchNormGradient.ts).
 */
export function registerTrainingKernels(backend: string): void {
  replaceBatchNormGradient();
  if (backend !== 'wasm' && backend !== 'cpu') return;
  registerConvBackpropKernels(backend);
  registerDepthwiseBackpropKernels(backend);
  registerSegmentSumKernel(backend);
  registerMaxPoolGradKernel(backend);
  registerLeadingSumKernel(backend);
  if (backend === 'wasm') {
    registerConv2DKernel(backend);
    registerMaxPoolKernel(backend);
    registerFusedKernels(backend);
    registerElementwiseKernels(backend);
    registerBinaryOpKernels(backend);
    registerBatchNormKernel(backend);
    registerAdamUpdateKernel(backend);
    registerTransposedMatMul(backend);
    registerTransposeKernel(backend);
    registerIdentityKernel(backend);
  }
}
