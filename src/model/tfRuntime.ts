import * as tf from '@tensorflow/tfjs';

let ready: Promise<void> | undefined;

/** tfjs for inspecting models in this process: the cpu backend, without tfjs's console banner. */
export function initInspectionRuntime(): Promise<void> {
  ready ??= (async () => {
    // PROD silences the "install tfjs-node" banner and skips debug-only checks.
    tf.env().set('PROD', true);
    await tf.setBackend('cpu');
    await tf.ready();
  })();
  return ready;
}
