// Hand-written WebAssembly SIMD loops that run on tfjs-wasm's own heap: the module imports the
// backend's WebAssembly.Memory, so a kernel reads its inputs and writes its output in place, with
// no copies. A JS loop over the same data is 5–6× slower (V8 does not vectorise it). The module is
// assembled here from the loops in wasm/ (no binary blob, no build step); the encodings were checked
// against wabt's wat2wasm.
import { col2im, DEPTHWISE_TAPS, depthwiseFilterGrad, FILTER_TAPS, filterGrad, maxPoolGrad2x2 } from './wasm/convLoops';
import { adamUpdate, addRows, reluGrad, sumRows } from './wasm/elementwiseLoops';
import { section, str, uleb, vec, type Bytes, type WasmFunction } from './wasm/instructions';
import { WINOGRAD } from './wasm/winogradTransforms';

export { DEPTHWISE_TAPS, FILTER_TAPS } from './wasm/convLoops';
export type { WinogradTile } from './wasm/winogradTransforms';

const FILTER_GRADS: Record<string, () => WasmFunction> = {};
for (let t = 1; t <= FILTER_TAPS; t++) for (const v of [1, 2]) FILTER_GRADS[`filterGrad${t}x${v}`] = filterGrad(t, v);

for (let t = 1; t <= DEPTHWISE_TAPS; t++) FILTER_GRADS[`depthwiseFilterGrad${t}`] = depthwiseFilterGrad(t);

const FUNCTIONS = { maxPoolGrad2x2, col2im, reluGrad, addRows, sumRows, adamUpdate, ...FILTER_GRADS, ...WINOGRAD };
export type FunctionName = 'maxPoolGrad2x2' | 'col2im' | 'reluGrad' | 'addRows' | 'sumRows' | 'adamUpdate' | keyof typeof WINOGRAD | `filterGrad${number}x${number}` | `depthwiseFilterGrad${number}`;

/** wasm's largest 32-bit memory, in 64 KiB pages: a shared memory's import must state a maximum. */
const MAX_PAGES = 65536;

/**
 * The module's bytes: one imported memory ("env"."memory"; shared for tfjs-wasm's threaded build,
 * whose heap is a SharedArrayBuffer), the functions above, exported by name.
 */
export function simdModuleBytes(shared = false): Uint8Array<ArrayBuffer> {
  const fns = Object.entries(FUNCTIONS).map(([name, make]) => ({ name, ...make() }));
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

const compiled = new Map<boolean, WebAssembly.Module | null>();
const instances = new WeakMap<WebAssembly.Memory, WasmExports>();

/** The compiled module and `backend`'s heap it runs on, or null when not tfjs-wasm (or no SIMD). */
export function simdModule(backend: unknown): { module: WebAssembly.Module; memory: WebAssembly.Memory } | null {
  const memory = (backend as WasmBackendInternals).wasm?.asm?.memory;
  if (!(memory instanceof WebAssembly.Memory)) return null;
  const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
  if (!compiled.has(shared)) {
    try {
      compiled.set(shared, new WebAssembly.Module(simdModuleBytes(shared)));
    } catch {
      compiled.set(shared, null); // no SIMD in this engine: callers use their JS loops
    }
  }
  const module = compiled.get(shared);
  return module ? { module, memory } : null;
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
