// While the panel waits for the trainer (it loads tfjs and builds the model: seconds), an unseen
// training view draws a made-up run, so the charts' code is compiled before the first real batches
// come: in a fresh page the first chart renders are many times slower than warm ones, for about a
// second. Stops as soon as the real run starts.
import type { TrainerMessage } from '../src/protocol/messages';
import { applyMessage, emptyRunState, noChanges } from '../src/protocol/runState';
import type { View, ViewContext } from './view';

const EPOCHS = 2;
const STEPS_PER_EPOCH = 120;
/** Batches applied between two renders of the unseen view. */
const CHUNK = 8;

function madeUpRun(): TrainerMessage[] {
  const total = EPOCHS * STEPS_PER_EPOCH;
  const lr = (step: number) => 0.1 * 0.5 * (1 + Math.cos((Math.PI * step) / total));
  const messages: TrainerMessage[] = [{
    type: 'model', name: 'warm-up', file: 'warm-up.ts', graph: { nodes: [], edges: [] }, callSites: {},
    summary: { model: 'warm-up', batchSize: 32, depth: 1, layers: [], totals: { totalParams: 0, trainableParams: 0, nonTrainableParams: 0, multAdds: 0, inputBytes: 0, forwardBackwardBytes: 0, paramBytes: 0, totalBytes: 0 } },
    dataset: { name: 'warm-up', source: 'made up', trainCount: 32 * STEPS_PER_EPOCH, testCount: 0, inputShape: [2], task: 'classification', numClasses: 2, classNames: ['a', 'b'] },
    plan: { epochs: EPOCHS, batchSize: 32, stepsPerEpoch: STEPS_PER_EPOCH, totalSteps: total, gradientEvery: 10, histogramEvery: 50, optimizer: 'sgd', loss: 'categoricalCrossentropy', seed: 1, schedule: null, plannedLr: { step: Array.from({ length: total }, (_, i) => i + 1), lr: Array.from({ length: total }, (_, i) => lr(i + 1)) } },
  }];
  for (let step = 1; step <= total; step++) {
    const epoch = Math.ceil(step / STEPS_PER_EPOCH);
    const loss = 2.3 * Math.exp(-step / 60) + 0.05 * Math.sin(step);
    messages.push({ type: 'batch', epoch, step, batch: step - (epoch - 1) * STEPS_PER_EPOCH, metrics: { loss, accuracy: 1 - loss / 2.4 }, lr: lr(step), samplesPerSec: 9000 + (step % 7) * 100, elapsedSec: step * 0.004 });
    if (step % STEPS_PER_EPOCH === 0) {
      messages.push({ type: 'epochEnd', epoch, metrics: { loss, accuracy: 1 - loss / 2.4 }, test: { loss: loss * 1.1, accuracy: 1 - loss / 2.2 }, lr: lr(step), epochSec: 0.5, elapsedSec: step * 0.004 });
    }
  }
  return messages;
}

/** Renders `make()`'s view off screen with a made-up run, a chunk per task, while `waiting()`. */
export function warmUpTrainingView(make: () => View, waiting: () => boolean): Promise<void> {
  const box = document.createElement('div');
  box.className = 'view view-training';
  box.setAttribute('aria-hidden', 'true');
  // Laid out (the charts measure their width) but off screen and invisible.
  box.style.cssText = 'position:absolute;left:-10000px;top:0;width:900px;visibility:hidden;pointer-events:none;';
  document.body.append(box);
  const context: ViewContext = { reveal() {}, getUiState: (_key, fallback) => fallback, setUiState() {}, warn() {}, freeze: () => false, save() {},
    stepControl: () => false, compareFiles: null };
  const view = make();
  const state = emptyRunState();
  const messages = madeUpRun();
  let next = 0;
  let mounted = false;
  let renders = 0;
  let offScreen = true;
  return new Promise((resolve) => {
    const step = () => {
      if (!waiting() || next >= messages.length) {
        // What it did, for tests and for a look in the developer tools.
        document.documentElement.dataset.trainingWarmUp = JSON.stringify({ renders, offScreen, finished: next >= messages.length });
        box.remove();
        resolve();
        return;
      }
      const changes = noChanges();
      for (let i = 0; i < CHUNK && next < messages.length; i++) applyMessage(state, messages[next++], changes);
      try {
        if (!mounted) { view.mount(box, context); mounted = true; }
        view.update(state, changes);
        renders++;
        offScreen &&= box.getBoundingClientRect().right <= 0;
      } catch {
        next = messages.length; // a warm-up that fails only costs the speed-up
      }
      setTimeout(step, 0);
    };
    setTimeout(step, 0);
  });
}
