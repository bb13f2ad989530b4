// tfjs's webgpu backend on a Dawn adapter: started only when an adapter answers (a software one
// only when asked for by name), and watched for the loss of its device.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as tfCore from '@tensorflow/tfjs-core';
import { deviceEntries, findAdapter, installNavigatorGpu, mayHaveGpu, type FoundAdapter } from './gpuAdapter';

interface DeviceLostInfo {
  reason?: string;
  message?: string;
}

interface WebgpuBackendLike {
  device?: { lost?: Promise<DeviceLostInfo>; destroy?: () => void };
}

let adapterInUse: FoundAdapter | null = null;
let lost: string | null = null;

/** The adapter the webgpu backend runs on, for the `ready` reason. */
export function webgpuAdapterName(): string | null {
  return adapterInUse?.name ?? null;
}

/** Why the GPU device was lost, once it has been; null while it works. */
export function gpuDeviceLost(): string | null {
  return lost;
}

/**
 * Starts the webgpu backend; null when it runs, else why not. `byName`: the user asked for webgpu,
 * so a software adapter (llvmpipe, SwiftShader) is used; `auto` passes it over (wasm is faster).
 */
export async function startWebgpu(byName: boolean): Promise<string | null> {
  if (!tf.findBackendFactory('webgpu')) {
    // MODEL_LENS_DAWN_BACKENDS names where to look: then Dawn is asked even without a device file.
    if (!byName && !process.env.MODEL_LENS_DAWN_BACKENDS && !mayHaveGpu(process.platform, deviceEntries())) {
      return 'no GPU device (/dev/dri/renderD*, /dev/nvidia*, /dev/dxg)';
    }
    const search = await findAdapter();
    if (!search.found) return search.reason;
    if (search.found.software && !byName) {
      return `only a software adapter, ${search.found.name}, which is slower than wasm (--backend webgpu uses it)`;
    }
    adapterInUse = search.found;
    installNavigatorGpu(search.found);
    loadTfjsWebgpu();
    if (!tf.findBackendFactory('webgpu')) return 'tfjs-backend-webgpu did not register (navigator.gpu was missing when it loaded)';
  } else if (adapterInUse?.software && !byName) {
    return `only a software adapter, ${adapterInUse.name}, which is slower than wasm (--backend webgpu uses it)`;
  }
  if (lost) return `the GPU device was lost earlier in this process (${lost})`;
  if (!(await tf.setBackend('webgpu'))) return 'the webgpu backend failed to initialise';
  await tf.ready();
  watchDevice(tf.backend() as unknown as WebgpuBackendLike);
  return null;
}

/** Where dist/tfjsWebgpu.js finds the trainer's tfjs-core (esbuild.mjs reads the same key). */
const SHARED_TFJS_CORE = Symbol.for('model-lens.tfjs-core');
const WEBGPU_BUNDLE = 'tfjsWebgpu.js';

/**
 * tfjs's webgpu backend registers itself when loaded, and only if navigator.gpu exists by then: from
 * its own bundle next to ours (kept out of the trainer's bundle: wasm runs never load it), else from
 * node_modules (tests, which load npm packages from there).
 */
function loadTfjsWebgpu(): void {
  const bundle = path.join(__dirname, WEBGPU_BUNDLE);
  if (!fs.existsSync(bundle)) {
    const fromPackages = '@tensorflow/tfjs-backend-webgpu';
    require(fromPackages);
    return;
  }
  (globalThis as Record<symbol, unknown>)[SHARED_TFJS_CORE] = tfCore;
  require(bundle);
}

const watched = new WeakSet<object>();

function watchDevice(backend: WebgpuBackendLike): void {
  const device = backend.device;
  if (!device?.lost || watched.has(device)) return;
  watched.add(device);
  void device.lost.then((info) => {
    lost = [info.reason, info.message].filter(Boolean).join(': ') || 'unknown reason';
  });
}
