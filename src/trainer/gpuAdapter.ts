// Finding a WebGPU adapter in a Node process through Dawn's bindings (npm `webgpu`'s dawn.node):
// which Dawn backends to ask, whether what answers is a real GPU, and the `navigator.gpu` that
// tfjs's webgpu backend needs before it is imported.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** What tfjs and we use of a Dawn adapter (a GPUAdapter). */
export interface DawnAdapter {
  readonly info: AdapterInfo;
  readonly isFallbackAdapter?: boolean;
}

export interface AdapterInfo {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}

interface DawnGpu {
  requestAdapter(options?: Record<string, unknown>): Promise<DawnAdapter | null>;
}

interface DawnBinding {
  create(flags: string[]): DawnGpu;
  globals: Record<string, unknown>;
}

/** One way of asking Dawn for an adapter: its flags and the adapter options. */
interface DawnRoute {
  name: string;
  flags: string[];
  options: Record<string, unknown>;
}

export interface FoundAdapter {
  /** "llvmpipe (OpenGL 4.5 Mesa 22.3.6)" */
  name: string;
  software: boolean;
  route: DawnRoute;
  gpu: DawnGpu;
}

export type AdapterSearch = { found: FoundAdapter } | { found: null; reason: string };

/** Mesa's and Google's CPU rasterisers, and Dawn's own null device: adapters that are not a GPU. */
const SOFTWARE_ADAPTER = /llvmpipe|lavapipe|softpipe|swiftshader|software rasterizer|null-backend|microsoft basic render/i;

/** Whether an adapter runs on the CPU, from what it says of itself. */
export function isSoftwareAdapter(info: AdapterInfo, isFallbackAdapter = false): boolean {
  if (isFallbackAdapter || info.isFallbackAdapter) return true;
  return SOFTWARE_ADAPTER.test([info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' '));
}

export function adapterName(info: AdapterInfo): string {
  const device = (info.device || info.vendor || 'unknown adapter').replace(/-+$/, '');
  return info.description ? `${device} (${info.description})` : device;
}

/**
 * The Dawn backends asked, in order: the platform's native API (Vulkan, Metal, D3D12), then on Linux
 * OpenGL at WebGPU's compatibility level (GPUs without a Vulkan driver; Mesa's llvmpipe answers
 * here on a machine without GPU). MODEL_LENS_DAWN_BACKENDS (comma-separated Dawn backend names,
 * e.g. "vulkan" or "opengl") replaces the list.
 */
export function dawnRoutes(platform: NodeJS.Platform, setting: string | undefined): DawnRoute[] {
  const route = (name: string): DawnRoute => name === 'default'
    ? { name: 'native', flags: [], options: { powerPreference: 'high-performance' } }
    : { name, flags: [`backend=${name}`], options: name === 'opengl' || name === 'opengles'
      ? { featureLevel: 'compatibility', powerPreference: 'high-performance' } : { powerPreference: 'high-performance' } };
  const names = setting?.trim() ? setting.split(',').map((s) => s.trim()).filter(Boolean) : platform === 'linux' ? ['default', 'opengl'] : ['default'];
  return names.map(route);
}

/** Device files of a GPU on Linux: DRM render nodes (Mesa, AMD, Intel), NVIDIA's, WSL's D3D12 bridge. */
const GPU_DEVICE = /^(renderD\d+|nvidia\d+|dxg)$/;

/**
 * On Linux, whether the device files (`/dev` and `/dev/dri` entries) show a GPU; elsewhere true.
 * Without one, `auto` does not start Dawn at all: it would find at most a software adapter, and
 * it reports its missing drivers on stderr as it looks.
 */
export function mayHaveGpu(platform: NodeJS.Platform, deviceEntries: string[]): boolean {
  return platform !== 'linux' || deviceEntries.some((e) => GPU_DEVICE.test(e));
}

/** The entries of /dev and /dev/dri (none where they cannot be read). */
export function deviceEntries(): string[] {
  const list = (dir: string) => { try { return fs.readdirSync(dir); } catch { return []; } };
  return [...list('/dev'), ...list('/dev/dri')];
}

/** dawn.node for this platform: next to the bundle (platform VSIX), else npm `webgpu`'s own. */
export function dawnBinaryPath(): string | null {
  const folder = `${process.platform}-${process.platform === 'darwin' ? 'universal' : process.arch}`;
  const beside = path.join(__dirname, 'dawn', folder, 'dawn.node');
  if (fs.existsSync(beside)) return beside;
  try {
    const fromPackage = path.join(path.dirname(require.resolve('webgpu/package.json')), 'dist', folder, 'dawn.node');
    return fs.existsSync(fromPackage) ? fromPackage : null;
  } catch {
    return null;
  }
}

let binding: DawnBinding | null = null;

function loadDawn(): DawnBinding | string {
  if (binding) return binding;
  const file = dawnBinaryPath();
  if (!file) return `no Dawn binary for ${process.platform}-${process.arch} (this Model Lens package carries none; a platform-specific one does)`;
  // Mesa's EGL needs no display for compute; without this it looks for X11 or Wayland.
  process.env.EGL_PLATFORM ??= 'surfaceless';
  try {
    binding = require(file) as DawnBinding;
    return binding;
  } catch (e) {
    return `Dawn could not be loaded (${((e as Error).message ?? String(e)).split('\n')[0]})`;
  }
}

/** The first adapter Dawn offers along `routes`, or why there is none. */
export async function findAdapter(routes = dawnRoutes(process.platform, process.env.MODEL_LENS_DAWN_BACKENDS)): Promise<AdapterSearch> {
  const dawn = loadDawn();
  if (typeof dawn === 'string') return { found: null, reason: dawn };
  for (const route of routes) {
    try {
      const gpu = dawn.create(route.flags);
      const adapter = await gpu.requestAdapter(route.options);
      if (!adapter) continue;
      return { found: { name: adapterName(adapter.info), software: isSoftwareAdapter(adapter.info, adapter.isFallbackAdapter), route, gpu } };
    } catch {
      continue; // a backend whose driver is missing or broken: the next route may still answer
    }
  }
  return { found: null, reason: `no WebGPU adapter: Dawn found none through ${routes.map((r) => r.name).join(', ')}` };
}

/**
 * Makes `navigator.gpu` hand out adapters of `found`'s route (tfjs's webgpu backend asks for its own
 * adapter when it starts), with the WebGPU globals (GPUBufferUsage, …) tfjs reads.
 */
export function installNavigatorGpu(found: FoundAdapter): void {
  const dawn = loadDawn();
  if (typeof dawn === 'string') throw new Error(dawn);
  for (const [k, v] of Object.entries(dawn.globals)) {
    if (!(k in globalThis)) (globalThis as Record<string, unknown>)[k] = v;
  }
  const gpu = {
    requestAdapter: (options?: Record<string, unknown>) => found.gpu.requestAdapter({ ...options, ...found.route.options }),
    getPreferredCanvasFormat: () => 'rgba8unorm',
  };
  const nav = (globalThis as unknown as { navigator?: object }).navigator;
  if (nav) Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true, writable: true });
  else Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
}
