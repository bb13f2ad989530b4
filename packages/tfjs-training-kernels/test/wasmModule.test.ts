// Our SIMD module must be valid WebAssembly in every form it is built in: an invalid function makes the
// whole module fail to compile, and every kernel then falls back to its plain loop or the stock kernel
// without an error (slower, and sums rounded differently).
import * as v8 from 'node:v8';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { simdModuleBytes } from '../src/wasmSimd';

v8.setFlagsFromString('--experimental-wasm-relaxed-simd');

describe('our SIMD module', () => {
  for (const [shared, fma] of [[false, false], [true, false], [false, true], [true, true]] as const) {
    it(`validates ${shared ? 'on a shared memory' : 'on a plain memory'}, ${fma ? 'with' : 'without'} fused multiply-adds`, () => {
      assert.ok(WebAssembly.validate(simdModuleBytes(shared, fma)));
    });
  }
});
