// Identity without a copy on wasm. tfjs-wasm's Identity copies the tensor (the gradient of an Add
// passes dy through one, so every residual or bias add copies its activations each step), while
// tensors are immutable and the cpu backend's Identity shares the data and counts one more
// reference. Ours does the same on wasm, and for a Cast to the dtype the tensor already has (a batch
// norm's statistics cast their inputs to float32 every step: stock wasm copies them).
import * as tf from '@tensorflow/tfjs-core';
import type { TensorInfo } from './rawData';
import { overrideKernel } from './registry';

interface RefCounting { incRef(dataId: object): void }

/** x's data under one more reference, or null where that cannot be shared (strings, a backend without reference counts). */
function shared(x: TensorInfo, backend: unknown): TensorInfo | null {
  const b = backend as Partial<RefCounting>;
  if (x.dtype === 'string' || typeof b.incRef !== 'function') return null;
  b.incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
}

export function registerIdentityKernel(backend: string): void {
  if (!tf.getKernel('Identity', backend)) return;
  overrideKernel('Identity', backend, (stock) => (args) => {
    const { x } = args.inputs as unknown as { x: TensorInfo };
    return shared(x, args.backend) ?? stock!.kernelFunc(args);
  });
  if (!tf.getKernel('Cast', backend)) return;
  overrideKernel('Cast', backend, (stock) => (args) => {
    const { x } = args.inputs as unknown as { x: TensorInfo };
    const { dtype } = args.attrs as unknown as { dtype: string };
    return (x.dtype === dtype ? shared(x, args.backend) : null) ?? stock!.kernelFunc(args);
  });
}
