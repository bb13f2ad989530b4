// tfjs-backend-wasm's Emscripten glue, single-threaded build and threaded alike, adds process
// 'uncaughtException' and 'unhandledRejection' handlers that rethrow whatever reaches them: node then
// dies with code 7 and prints the bundle's minified source line, and the trainer's own handler (a
// script's error at its line, experiment errors) never answers. The glue's handlers go as soon as
// it has added them, whoever starts the backend: we, or a script's own tf.setBackend('wasm').
import * as tf from '@tensorflow/tfjs';

/** Runs `work` and removes the process handlers for those two events that were added meanwhile. */
export async function withoutAddedProcessHandlers<T>(work: () => Promise<T>): Promise<T> {
  const uncaught = process.listeners('uncaughtException');
  const rejection = process.listeners('unhandledRejection');
  try {
    return await work();
  } finally {
    for (const l of process.listeners('uncaughtException')) if (!uncaught.includes(l)) process.removeListener('uncaughtException', l);
    for (const l of process.listeners('unhandledRejection')) if (!rejection.includes(l)) process.removeListener('unhandledRejection', l);
  }
}

/** tfjs-backend-wasm registers its backend at this priority. */
const WASM_PRIORITY = 2;
const guarded = new WeakSet<object>();

/**
 * Re-registers the `wasm` backend's factory so that its start runs without the glue's handlers. Once
 * per factory; nothing when the backend is already running (its glue is in place) or not registered.
 */
export function guardWasmStart(): void {
  const factory = tf.findBackendFactory('wasm');
  if (!factory || guarded.has(factory) || tf.engine().registry.wasm) return;
  const wrapped = () => withoutAddedProcessHandlers(async () => factory());
  guarded.add(wrapped);
  tf.removeBackend('wasm');
  tf.registerBackend('wasm', wrapped, WASM_PRIORITY);
}
