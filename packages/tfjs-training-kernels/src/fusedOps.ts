// The fused kernels tfjs runs where no gradient is taken (predict, evaluate, a layer called outside a
// tape): _FusedMatMul and FusedConv2D, a product or convolution with its bias and activation. On wasm
// the product goes to our gemm loop and a convolution to Winograd or our gemm loop where they apply, as
// the unfused kernels do in training (on our thread pool, where XNNPACK's may have one thread); the bias
// and the activation then run as their own kernels. Everything else goes to the stock kernel.
import * as tf from '@tensorflow/tfjs-core';
import { type Conv2DAttrs, ourConvFor } from './convForward';
import { gemmMatMul } from './gemmMatMul';
import type { TensorInfo, WasmHeap } from './rawData';
import { overrideKernel, runStock } from './registry';

interface FusedInputs { bias?: tf.Tensor; preluActivationWeights?: tf.Tensor }
interface FusedAttrs { activation: string; leakyreluAlpha?: number }

/** What each activation tfjs fuses does to y (the bias already added). */
const ACTIVATIONS: Record<string, (y: tf.Tensor, inputs: FusedInputs, attrs: FusedAttrs) => tf.Tensor> = {
  linear: (y) => y,
  relu: (y) => tf.relu(y),
  relu6: (y) => tf.relu6(y),
  elu: (y) => tf.elu(y),
  sigmoid: (y) => tf.sigmoid(y),
  leakyrelu: (y, _, attrs) => tf.leakyRelu(y, attrs.leakyreluAlpha ?? 0.2),
  prelu: (y, inputs) => tf.prelu(y, inputs.preluActivationWeights!),
};

function biasAndActivation(core: TensorInfo, inputs: FusedInputs, attrs: FusedAttrs): tf.Tensor {
  return tf.tidy(() => {
    let y = tf.engine().makeTensorFromTensorInfo(core);
    if (inputs.bias) y = tf.add(y, inputs.bias);
    return ACTIVATIONS[attrs.activation](y, inputs, attrs);
  });
}

const knownActivation = (attrs: FusedAttrs, inputs: FusedInputs) =>
  Object.hasOwn(ACTIVATIONS, attrs.activation) && (attrs.activation !== 'prelu' || inputs.preluActivationWeights !== undefined);

export function registerFusedKernels(backend: string): void {
  if (backend !== 'wasm') return;
  overrideKernel('_FusedMatMul', backend, (stock) => (args) => {
    const inputs = args.inputs as unknown as FusedInputs & { a: tf.Tensor; b: tf.Tensor };
    const attrs = args.attrs as unknown as FusedAttrs & { transposeA: boolean; transposeB: boolean };
    const product = { a: inputs.a, b: inputs.b, transposeA: attrs.transposeA, transposeB: attrs.transposeB };
    const core = knownActivation(attrs, inputs) ? gemmMatMul(args.backend as unknown as WasmHeap, product) : null;
    return core ? biasAndActivation(core, inputs, attrs) : runStock(stock, args, '_FusedMatMul', backend, 'with these attributes');
  });
  overrideKernel('FusedConv2D', backend, (stock) => (args) => {
    const inputs = args.inputs as unknown as FusedInputs & { x: TensorInfo; filter: TensorInfo };
    const attrs = args.attrs as unknown as FusedAttrs & Conv2DAttrs;
    const core = knownActivation(attrs, inputs) ? ourConvFor(args.backend, inputs.x, inputs.filter, attrs) : null;
    return core ? biasAndActivation(core, inputs, attrs) : runStock(stock, args, 'FusedConv2D', backend, 'with these attributes');
  });
}
