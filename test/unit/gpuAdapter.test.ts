import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { adapterName, dawnRoutes, isSoftwareAdapter, mayHaveGpu } from '../../src/trainer/gpuAdapter';

describe('telling a GPU from a software adapter', () => {
  it('calls Mesa\'s llvmpipe and lavapipe, SwiftShader and Dawn\'s null device software', () => {
    assert.equal(isSoftwareAdapter({ device: 'llvmpipe-llvm-15-0-6-256-bits-', description: 'OpenGL version 4.5 (Core Profile) Mesa 22.3.6' }), true);
    assert.equal(isSoftwareAdapter({ vendor: 'mesa', device: 'llvmpipe (LLVM 15.0.6, 256 bits)', description: 'lavapipe' }), true);
    assert.equal(isSoftwareAdapter({ vendor: 'google', architecture: 'swiftshader', device: 'SwiftShader Device (Subzero)' }), true);
    assert.equal(isSoftwareAdapter({ device: 'null-backend' }), true);
  });

  it('calls an adapter that says it is a fallback adapter software, whatever its name', () => {
    assert.equal(isSoftwareAdapter({ vendor: 'nvidia', device: 'NVIDIA GeForce RTX 3060', isFallbackAdapter: true }), true);
    assert.equal(isSoftwareAdapter({ vendor: 'apple', device: 'Apple M2' }, true), true);
  });

  it('calls discrete and integrated GPUs hardware', () => {
    assert.equal(isSoftwareAdapter({ vendor: 'nvidia', architecture: 'ampere', device: 'NVIDIA GeForce RTX 3060' }), false);
    assert.equal(isSoftwareAdapter({ vendor: 'intel', architecture: 'gen-12lp', device: 'Intel(R) Iris(R) Xe Graphics', description: 'Vulkan driver 1.3' }), false);
    assert.equal(isSoftwareAdapter({ vendor: 'apple', architecture: 'metal-3', device: 'Apple M2' }), false);
  });

  it('names an adapter by its device and driver, without Dawn\'s trailing dashes', () => {
    assert.equal(adapterName({ device: 'llvmpipe-llvm-15-0-6-256-bits-', description: 'OpenGL version 4.5 (Core Profile) Mesa 22.3.6' }),
      'llvmpipe-llvm-15-0-6-256-bits (OpenGL version 4.5 (Core Profile) Mesa 22.3.6)');
    assert.equal(adapterName({ vendor: 'apple' }), 'apple');
  });
});

describe('which Dawn backends are asked for an adapter', () => {
  it('asks the native API first, and on Linux OpenGL at the compatibility level after it', () => {
    const linux = dawnRoutes('linux', undefined);
    assert.deepEqual(linux.map((r) => r.name), ['native', 'opengl']);
    assert.deepEqual(linux[0].flags, []);
    assert.deepEqual(linux[1].flags, ['backend=opengl']);
    assert.equal(linux[1].options.featureLevel, 'compatibility');
    assert.deepEqual(dawnRoutes('darwin', undefined).map((r) => r.name), ['native']);
    assert.deepEqual(dawnRoutes('win32', '').map((r) => r.name), ['native']);
  });

  it('takes the list from MODEL_LENS_DAWN_BACKENDS when set', () => {
    const routes = dawnRoutes('linux', ' vulkan , opengl');
    assert.deepEqual(routes.map((r) => r.flags), [['backend=vulkan'], ['backend=opengl']]);
    assert.equal(routes[0].options.featureLevel, undefined);
  });
});

describe('whether auto asks Dawn at all', () => {
  it('on Linux only with a GPU\'s device file: a DRM render node, NVIDIA\'s, or WSL\'s D3D12 bridge', () => {
    assert.equal(mayHaveGpu('linux', ['null', 'tty', 'shm', 'card0']), false);
    assert.equal(mayHaveGpu('linux', ['null', 'card0', 'renderD128']), true);
    assert.equal(mayHaveGpu('linux', ['nvidia0', 'nvidiactl']), true);
    assert.equal(mayHaveGpu('linux', ['dxg']), true);
  });

  it('elsewhere always (Metal and D3D12 have no device files to look at)', () => {
    assert.equal(mayHaveGpu('darwin', []), true);
    assert.equal(mayHaveGpu('win32', []), true);
  });
});

