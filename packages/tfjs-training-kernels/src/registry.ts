// One place that swaps tfjs kernels for ours and remembers the stock ones, so a kernel of ours can
// hand unsupported attributes back to the stock kernel, and a benchmark can measure the stock
// backend side by side in one process (useStockKernels / useOurKernels).
import * as tf from '@tensorflow/tfjs-core';

export type KernelConfig = NonNullable<ReturnType<typeof tf.getKernel>>;
export type KernelFunc = KernelConfig['kernelFunc'];
export type KernelArgs = Parameters<KernelFunc>[0];

interface Override {
  kernelName: string;
  backend: string;
  stock: KernelConfig | undefined;
  ours: KernelConfig;
  active: boolean;
}

const overrides = new Map<string, Override>();
const key = (kernelName: string, backend: string) => `${backend}/${kernelName}`;

function install(config: KernelConfig | undefined, kernelName: string, backend: string): void {
  if (tf.getKernel(kernelName, backend)) tf.unregisterKernel(kernelName, backend);
  if (config) tf.registerKernel(config);
}

/**
 * Registers our kernel for `kernelName` on `backend` (once; later calls are no-ops). `make` receives the
 * stock kernel (undefined when the backend has none) and returns the kernel function to register.
 */
export function overrideKernel(kernelName: string, backend: string, make: (stock: KernelConfig | undefined) => KernelFunc): void {
  if (overrides.has(key(kernelName, backend))) return;
  const stock = tf.getKernel(kernelName, backend);
  const ours: KernelConfig = { kernelName, backendName: backend, kernelFunc: make(stock) };
  install(ours, kernelName, backend);
  overrides.set(key(kernelName, backend), { kernelName, backend, stock, ours, active: true });
}

/** The stock kernel's result, or an error naming what the backend lacks. */
export function runStock(stock: KernelConfig | undefined, args: KernelArgs, kernelName: string, backend: string, why: string): ReturnType<KernelFunc> {
  if (!stock) throw new Error(`${kernelName} ${why} is not supported on the ${backend} backend (it has no stock ${kernelName} kernel)`);
  return stock.kernelFunc(args);
}

/** Puts the stock kernels back (or removes ours where the backend had none); returns the kernel names. */
export function useStockKernels(backend: string): string[] {
  const names: string[] = [];
  for (const o of overrides.values()) {
    if (o.backend !== backend || !o.active) continue;
    install(o.stock, o.kernelName, backend);
    o.active = false;
    names.push(o.kernelName);
  }
  return names;
}

/** Re-registers every kernel of ours that useStockKernels took away. */
export function useOurKernels(backend: string): string[] {
  const names: string[] = [];
  for (const o of overrides.values()) {
    if (o.backend !== backend || o.active) continue;
    install(o.ours, o.kernelName, backend);
    o.active = true;
    names.push(o.kernelName);
  }
  return names;
}

/** Kernel names of ours registered (and active) on `backend`. */
export function activeOverrides(backend: string): string[] {
  return [...overrides.values()].filter((o) => o.backend === backend && o.active).map((o) => o.kernelName);
}

/** The stock kernel for `kernelName` on `backend`, as it was before we replaced it (tests compare with it). */
export function stockKernel(kernelName: string, backend: string): KernelConfig | undefined {
  const o = overrides.get(key(kernelName, backend));
  return o ? o.stock : tf.getKernel(kernelName, backend);
}
