// How much a tfjs backend can hold, so a model too large for it is refused with figures before an
// allocation fails deep inside tfjs (wasm: "memory access out of bounds"; cpu: "Invalid typed array length").
import { constants } from 'node:buffer';
import * as os from 'node:os';

/** tfjs-backend-wasm's heap stops growing here (its emscripten build's getHeapMax: 32-bit addresses). */
export const WASM_HEAP_MAX_BYTES = 4_294_901_760;

export interface MemoryLimits {
  /** Bytes all tensors together can take. */
  total: number;
  /** What sets `total`, as a message says it ("the wasm backend's heap"). */
  totalIs: string;
  /** Bytes one tensor can take (one typed array on cpu; the heap on wasm). */
  perTensor: number;
}

/** This machine's memory, or the container's limit when lower. */
export function machineMemory(): number {
  const limit = (process as { constrainedMemory?: () => number | undefined }).constrainedMemory?.();
  const total = os.totalmem();
  return limit && limit > 0 && limit < total ? limit : total;
}

export function memoryLimits(backend: string): MemoryLimits {
  const machine = machineMemory();
  if (backend === 'wasm' && WASM_HEAP_MAX_BYTES < machine) {
    return { total: WASM_HEAP_MAX_BYTES, totalIs: "the wasm backend's heap", perTensor: WASM_HEAP_MAX_BYTES };
  }
  return { total: machine, totalIs: "this machine's memory", perTensor: backend === 'tensorflow' ? machine : Math.min(machine, constants.MAX_LENGTH) };
}

/** `4.29 GB`, `12.3 MB`: decimal units, as torchinfo's summary prints sizes. */
export function formatBytes(bytes: number): string {
  const units: [number, string][] = [[1e12, 'TB'], [1e9, 'GB'], [1e6, 'MB'], [1e3, 'KB']];
  for (const [size, unit] of units) if (bytes >= size) return `${(bytes / size).toPrecision(3)} ${unit}`;
  return `${bytes} bytes`;
}
