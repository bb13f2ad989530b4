// Relaxed SIMD lets our gemm loops fuse their multiply-adds (FMA). Node 20 has it behind a V8 flag,
// later Node turns it on by default; the trainer is our own process, so it sets the flag before any
// of our wasm is compiled. MODEL_LENS_RELAXED_SIMD=0 leaves it off (the bench's side-by-side column).
import * as v8 from 'node:v8';
import { fusedMultiplyAdd } from '@model-lens/tfjs-training-kernels';

/** Turns relaxed SIMD on where the engine has it behind a flag; true when our loops will fuse. */
export function enableRelaxedSimd(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.MODEL_LENS_RELAXED_SIMD === '0') return false;
  if (!fusedMultiplyAdd()) v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  return fusedMultiplyAdd();
}
