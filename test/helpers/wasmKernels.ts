// The kernel package's own test set-up (tfjs-wasm from the npm package's .wasm files, our training
// kernels registered on wasm and on cpu when asked, cpu left current), for Model Lens's tests too.
export { startWasmWithOurKernels } from '../../packages/tfjs-training-kernels/test/testBackends';
