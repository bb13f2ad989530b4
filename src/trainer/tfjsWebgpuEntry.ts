// The entry of dist/tfjsWebgpu.js: tfjs's webgpu backend in a bundle of its own, loaded only when the
// webgpu backend starts (webgpuBackend.ts), so runs on wasm or cpu never read it. Its imports of
// tfjs-core are the trainer's own instance (esbuild.mjs maps them to what loadTfjsWebgpu hands over).
import '@tensorflow/tfjs-backend-webgpu';
