// Direct access to tensor memory for kernels written as plain loops: the wasm backend keeps tensors
// on its heap (typedArrayFromHeap / makeOutput), the cpu backend in typed arrays (data.get / makeTensorInfo).
import * as tf from '@tensorflow/tfjs-core';

type Values = Float32Array | Int32Array | Uint8Array;
export type TensorInfo = { dataId: object; shape: number[]; dtype: tf.DataType };

/** What our wasm kernels use of tfjs-wasm's backend: outputs on its heap, views of them, freeing. */
export interface WasmHeap {
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array;
  disposeData(dataId: object): boolean;
}
interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Values;
}
interface CpuBackendLike {
  data: { get(dataId: object): { values?: Values } | undefined };
  readSync(dataId: object): Values;
  makeTensorInfo(shape: number[], dtype: tf.DataType, values?: Values): TensorInfo;
}

const isWasm = (b: unknown): b is WasmBackendLike =>
  typeof (b as WasmBackendLike).typedArrayFromHeap === 'function' && typeof (b as WasmBackendLike).makeOutput === 'function';
const isCpu = (b: unknown): b is CpuBackendLike =>
  typeof (b as CpuBackendLike).makeTensorInfo === 'function' && typeof (b as CpuBackendLike).data?.get === 'function';

/** True when `backend` keeps tensors in memory a loop can read (wasm, cpu). */
export function hasRawData(backend: unknown): boolean {
  return isWasm(backend) || isCpu(backend);
}

/**
 * Allocates one float32 output, then calls `fill` with views of the inputs and of the (uninitialised)
 * output. On wasm the views are made after the allocation, which may grow (and detach) the heap.
 */
export function computeRaw(backend: unknown, inputs: TensorInfo[], outShape: number[],
  fill: (inputs: Values[], out: Float32Array) => void): TensorInfo {
  if (isWasm(backend)) {
    const out = backend.makeOutput(outShape, 'float32');
    fill(inputs.map((t) => backend.typedArrayFromHeap(t)), backend.typedArrayFromHeap(out) as Float32Array);
    return out;
  }
  if (isCpu(backend)) {
    const values = new Float32Array(outShape.reduce((a, b) => a * b, 1));
    fill(inputs.map((t) => backend.data.get(t.dataId)?.values ?? backend.readSync(t.dataId)), values);
    return backend.makeTensorInfo(outShape, 'float32', values);
  }
  throw new Error('this kernel needs the wasm or cpu backend');
}
