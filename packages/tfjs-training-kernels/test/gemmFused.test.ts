// The gemm loops with relaxed SIMD's fused multiply-add, as the trainer turns it on (Node 20: a V8
// flag set before our module's first compile).
import * as v8 from 'node:v8';
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { fusedMultiplyAdd, simdModuleBytes } from '../src/wasmSimd';
import { describeGemm } from './gemmChecks';

v8.setFlagsFromString('--experimental-wasm-relaxed-simd');

it('compiles the loops with fused multiply-adds once relaxed SIMD is on', () => {
  assert.equal(fusedMultiplyAdd(), true);
  const fused = simdModuleBytes(false, true);
  assert.ok(WebAssembly.validate(fused));
  assert.notDeepEqual(fused, simdModuleBytes(false, false));
});

describeGemm('fused multiply-add');
