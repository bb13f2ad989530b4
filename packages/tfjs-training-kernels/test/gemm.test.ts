// The gemm loops as this engine compiles them by default (Node 20: plain multiply and add).
import { fusedMultiplyAdd } from '../src/wasmSimd';
import { describeGemm } from './gemmChecks';

describeGemm(fusedMultiplyAdd() ? 'fused multiply-add: this engine has relaxed SIMD on' : 'plain multiply and add');
