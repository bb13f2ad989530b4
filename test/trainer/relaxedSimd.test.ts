// Relaxed SIMD in the trainer's process (src/trainer/relaxedSimd.ts): turned on before our kernels
// compile, so their gemm loops fuse their multiply-adds; MODEL_LENS_RELAXED_SIMD=0 leaves it off.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fusedMultiplyAdd } from '@model-lens/tfjs-training-kernels';
import { enableRelaxedSimd } from '../../src/trainer/relaxedSimd';

describe('relaxed SIMD in the trainer', () => {
  it('is left as the engine has it with MODEL_LENS_RELAXED_SIMD=0', () => {
    const before = fusedMultiplyAdd();
    assert.equal(enableRelaxedSimd({ MODEL_LENS_RELAXED_SIMD: '0' }), false);
    assert.equal(fusedMultiplyAdd(), before);
  });

  it('is turned on otherwise, so the kernels compile their fused multiply-add loops', () => {
    assert.equal(enableRelaxedSimd({}), true);
    assert.equal(fusedMultiplyAdd(), true);
  });
});
