// Hand-written WebAssembly SIMD loops that run on tfjs-wasm's own heap: the module imports the
// backend's WebAssembly.Memory, so a kernel reads its inputs and writes its output in place, with
// no copies. A JS loop over the same data is 5–6× slower (V8 does not vectorise it). The module is
// assembled here from the loops in wasm/ (no binary blob, no build step); the encodings were checked
// against wabt's wat2wasm.
import { col2im, DEPTHWISE_TAPS, depthwiseFilterGrad, FILTER_TAPS, filterGrad, maxPool, maxPool2x2, maxPoolGrad2x2 } from './wasm/convLoops';
import { GEMM_SHAPES, gemm } from './wasm/gemmLoops';
import { adamUpdate, batchNormRows, type BinaryOp, binaryRows, binarySame, copyRows, magnitudes, relu, reluGrad, sumRows, zero } from './wasm/elementwiseLoops';
import { type LoopOptions, section, str, uleb, V128, vec, type Bytes, type WasmFunction } from './wasm/instructions';
import { WINOGRAD } from './wasm/winogradTransforms';

export { DEPTHWISE_TAPS, FILTER_TAPS } from './wasm/convLoops';
export type { WinogradTile } from './wasm/winogradTransforms';

/** The loops that come in several shapes (taps, register blocks), one function each. */
const FAMILIES: Record<string, (options: LoopOptions) => WasmFunction> = {};
for (let t = 1; t <= FILTER_TAPS; t++) for (const v of [1, 2]) FAMILIES[`filterGrad${t}x${v}`] = filterGrad(t, v);
for (let t = 1; t <= DEPTHWISE_TAPS; t++) FAMILIES[`depthwiseFilterGrad${t}`] = depthwiseFilterGrad(t);
for (const [r, v] of GEMM_SHAPES) FAMILIES[`gemm${r}x${v}`] = gemm(r, v);
for (const op of ['add', 'sub', 'mul', 'div'] as const) {
  FAMILIES[`${op}Same`] = binarySame(op);
  FAMILIES[`${op}Rows`] = binaryRows(op, false);
  if (op === 'sub' || op === 'div') FAMILIES[`${op}RowsFrom`] = binaryRows(op, true); // v − x, v / x
}

const FUNCTIONS: Record<string, (options: LoopOptions) => WasmFunction> = { maxPool, maxPool2x2, maxPoolGrad2x2, col2im, relu, reluGrad, batchNormRows, sumRows, copyRows, zero, magnitudes, adamUpdate, ...FAMILIES, ...WINOGRAD };
export type FunctionName = 'maxPool' | 'maxPool2x2' | 'maxPoolGrad2x2' | 'col2im' | 'relu' | 'reluGrad' | `${BinaryOp}Same` | `${BinaryOp}Rows` | 'subRowsFrom' | 'divRowsFrom' | 'batchNormRows' | 'sumRows' | 'copyRows' | 'zero' | 'magnitudes' | 'adamUpdate' | keyof typeof WINOGRAD | `filterGrad${number}x${number}` | `depthwiseFilterGrad${number}` | `gemm${number}x${number}`;

/** wasm's largest 32-bit memory, in 64 KiB pages: a shared memory's import must state a maximum. */
const MAX_PAGES = 65536;

/**
 * The module's bytes: one imported memory ("env"."memory"; shared for tfjs-wasm's threaded build,
 * whose heap is a SharedArrayBuffer), the functions above, exported by name; with `fma`, the gemm
 * loops use relaxed SIMD's fused multiply-add.
 */
export function simdModuleBytes(shared = false, fma = false): Uint8Array<ArrayBuffer> {
  const fns = Object.entries(FUNCTIONS).map(([name, make]) => ({ name, ...make({ fma }) }));
  const types = fns.map((f) => [0x60, ...vec(f.params.map((t) => [t])), ...vec([])]);
  const localGroups = (locals: number[]): Bytes[] => {
    const groups: Bytes[] = [];
    for (let k = 0; k < locals.length;) {
      let m = k;
      while (m < locals.length && locals[m] === locals[k]) m++;
      groups.push([...uleb(m - k), locals[k]]);
      k = m;
    }
    return groups;
  };
  const bodies = fns.map((f) => {
    const code = [...vec(localGroups(f.locals)), ...f.body, 0x0b];
    return [...uleb(code.length), ...code];
  });
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(types)),
    ...section(2, vec([[...str('env'), ...str('memory'), 0x02, ...(shared ? [0x03, ...uleb(1), ...uleb(MAX_PAGES)] : [0x00, ...uleb(1)])]])),
    ...section(3, vec(fns.map((_, k) => uleb(k)))),
    ...section(7, vec(fns.map((f, k) => [...str(f.name), 0x00, ...uleb(k)]))),
    ...section(10, vec(bodies)),
  ]);
}

export type WasmExports = Record<FunctionName, (...args: number[]) => void>;
interface WasmBackendInternals {
  wasm?: { asm?: { memory?: WebAssembly.Memory } };
  dataIdMap?: { get(dataId: object): { memoryOffset: number } | undefined };
}

const compiled = new Map<string, WebAssembly.Module | null>();

/** A function of one f32x4.relaxed_madd: valid where the engine has relaxed SIMD (on by default after Node 20). */
const RELAXED_PROBE = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x01, 0x60, 0x03, V128, V128, V128, 0x01, V128,
  0x03, 0x02, 0x01, 0x00, 0x0a, 0x0d, 0x01, 0x0b, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0xfd, 0x85, 0x02, 0x0b]);

let fmaOfThisProcess: boolean | undefined;

/**
 * True when this engine runs relaxed SIMD. The loops fuse their multiply-adds when it is true at the
 * process's first compile of them (Node 20: after `v8.setFlagsFromString('--experimental-wasm-relaxed-simd')`).
 */
export function fusedMultiplyAdd(): boolean {
  return WebAssembly.validate(RELAXED_PROBE);
}
const instances = new WeakMap<WebAssembly.Memory, WasmExports>();

/** The compiled module and `backend`'s heap it runs on, or null when not tfjs-wasm (or no SIMD). */
export function simdModule(backend: unknown): { module: WebAssembly.Module; memory: WebAssembly.Memory } | null {
  const memory = (backend as WasmBackendInternals).wasm?.asm?.memory;
  if (!(memory instanceof WebAssembly.Memory)) return null;
  const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
  fmaOfThisProcess ??= fusedMultiplyAdd(); // once: every instance and thread runs the same loops
  const fma = fmaOfThisProcess;
  const key = `${shared}/${fma}`;
  if (!compiled.has(key)) {
    try {
      compiled.set(key, new WebAssembly.Module(simdModuleBytes(shared, fma)));
    } catch {
      compiled.set(key, null); // no SIMD in this engine: callers use their JS loops
    }
  }
  const module = compiled.get(key);
  return module ? { module, memory } : null;
}

/** True when `backend` runs our loops and they fuse their multiply-adds (relaxed SIMD's FMA). */
export function simdLoopsFused(backend: unknown): boolean {
  return simdModule(backend) !== null && fmaOfThisProcess === true;
}

/** Our SIMD functions bound to `backend`'s heap, or null when it is not tfjs-wasm (or SIMD is unavailable). */
export function simdKernels(backend: unknown): WasmExports | null {
  const found = simdModule(backend);
  if (!found) return null;
  const { module, memory } = found;
  let exports = instances.get(memory);
  if (!exports) {
    exports = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as WasmExports;
    instances.set(memory, exports);
  }
  return exports;
}

/** Byte offset of a tensor on the wasm heap. */
export function heapOffset(backend: unknown, t: { dataId: object }): number {
  const entry = (backend as WasmBackendInternals).dataIdMap?.get(t.dataId);
  if (!entry) throw new Error('tensor is not on the wasm backend');
  return entry.memoryOffset;
}
