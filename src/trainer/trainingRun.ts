// A whole run: plan it (runPlan.ts), then for each epoch its steps (trainingStep.ts) and its end
// (epochEnd.ts), then `done` — saving the model when asked.
import * as path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import type { LoadOptions } from '../model/loadExperiment';
import { saveModelFiles } from '../model/saveModelFiles';
import { locateSettingInFile } from '../model/settingLocation';
import { UserError } from '../model/userError';
import type { DoneMessage, TrainRequest } from '../protocol/messages';
import { emitTrainingSamples, endEpoch } from './epochEnd';
import { GpuFallback } from './gpuFallback';
import { diagnoseInputs } from './inputScale';
import { now, type Emit } from './runMessages';
import { planRun, type RunPlan } from './runPlan';
import { installScalarLog } from './scalarLog';
import type { StepGate } from './stepGate';
import { trainStep, type EpochTally } from './trainingStep';

export type { Emit } from './runMessages';
export { DEFAULT_GRADIENT_EVERY, HISTOGRAM_EVERY_SAMPLES } from './gradientStats';

export interface RunControl {
  stopRequested: boolean;
  /** Pause, resume, step and trace commands (the forked trainer's); Stop must also release it. */
  gate?: StepGate;
  /** In-process observers (tests, benchmarks): the model once built, and each step as it ends. */
  onModel?: (model: tf.LayersModel) => void;
  onStep?: (step: number) => void;
  /** Awaited before the user's code that builds the model runs, and once it is built (the forked trainer tells its parent). */
  onBuild?: LoadOptions['announce'];
  /** False leaves out the activation figures (benchmarks pair runs with and without them). */
  activationStats?: boolean;
}

const yieldToEvents = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Runs an experiment from start to `done`, emitting every protocol message on the way. */
export async function runTraining(request: TrainRequest, emit: Emit, control: RunControl): Promise<DoneMessage> {
  const started = now();
  let steps = 0;
  const done = (reason: DoneMessage['reason'], savedTo: string | null = null): DoneMessage => {
    const message: DoneMessage = { type: 'done', stopped: reason === 'stopped', reason, steps, elapsedSec: now() - started, savedTo };
    emit(message);
    return message;
  };
  const uninstallScalarLog = installScalarLog(emit, () => steps);
  try {
    const run = await planRun(request, emit, control.onBuild);
    if (run === 'inspected') return done('inspected');
    control.onModel?.(run.loaded.model);
    if (control.activationStats === false) run.taps = null;
    try {
      await emitTrainingSamples(run, emit);
      const { epochs, stepsPerEpoch, batchSize } = run.plan;
      const gpu = new GpuFallback(run, emit, run.plan.histogramEvery);
      for (let epoch = 1; epoch <= epochs; epoch++) {
        const tally: EpochTally = { epoch, started: now(), lossSum: 0, metricSum: 0, seen: 0 };
        emit({ type: 'epochStart', epoch, epochs, stepsPerEpoch, lr: run.schedule.lr() });
        let b = 0;
        // Leaving the loop (Stop, an anomaly) ends the source's read-ahead for this epoch.
        for await (const samples of run.data.trainBatches(epoch, batchSize)) {
          await yieldToEvents(); // lets a Stop request in
          if (control.stopRequested || !(await passGate(control, emit, epoch, steps))) return done('stopped', await saveStopped(run, emit));
          steps++;
          if (steps === 1 && run.inputCheck) {
            // The doctor reads the inputs' scale on the batch the model is about to learn from.
            const scale = diagnoseInputs(samples.inputs, run.inputCheck.scaling, run.inputCheck.where);
            if (scale) emit(scale);
          }
          const trace = control.gate?.traceFor(steps) ?? (request.traceStep === steps ? { step: steps, sample: request.traceSample ?? 0 } : null);
          await gpu.keep(steps);
          let anomaly;
          try {
            anomaly = await trainStep(run, tally, { step: steps, batch: ++b, samples, trace }, emit);
          } catch (e) {
            if (!(await gpu.recover(steps))) throw e;
            anomaly = null; // this batch is lost with the device; the next one runs on the new backend
          }
          if (anomaly) {
            emit(anomaly);
            return done('anomaly');
          }
          control.gate?.stepDone(steps);
          control.onStep?.(steps);
          if (b === stepsPerEpoch) break;
        }
        const figures = await endEpoch(run, tally, emit);
        await run.checkpoints?.afterEpoch(run.loaded.model, figures, emit);
        const early = run.earlyStopping;
        if (early?.shouldStop(epoch, figures)) {
          emit({ type: 'log', level: 'info', message: `early stopping after epoch ${epoch} of ${epochs}: ${early.monitor} has not improved since epoch ${early.bestEpoch} (best ${early.best})` });
          break;
        }
      }
      return done('completed', await save(run, emit));
    } finally {
      await run.data.close();
    }
  } catch (e) {
    if (e instanceof UserError) {
      const location = e.location ?? (e.setting ? locateSettingInFile(path.resolve(request.file), e.setting, request.sourceText) : null);
      emit({ type: 'error', message: e.message, location, hint: e.hint, ...(e.partialGraph ? { graph: e.partialGraph } : {}) });
    }
    else emit({ type: 'error', message: `internal error: ${(e as Error).message ?? String(e)}`, location: null, hint: 'Please report this with the experiment file.' });
    return done('error');
  } finally {
    uninstallScalarLog();
  }
}

/** Waits while the gate holds the loop (announced as paused, then resumed); false when Stop came meanwhile. */
async function passGate(control: RunControl, emit: Emit, epoch: number, steps: number): Promise<boolean> {
  const gate = control.gate;
  if (!gate?.shouldWait()) return true;
  emit({ type: 'paused', epoch, step: steps });
  while (gate.shouldWait() && !control.stopRequested) await gate.waitForRelease();
  if (control.stopRequested) return false;
  emit({ type: 'resumed', step: steps });
  return true;
}

/** Saves the model where the plan says; the file written, or null. */
async function save(run: RunPlan, emit: Emit): Promise<string | null> {
  if (!run.save) return null;
  const savedTo = await saveModelFiles(run.loaded.model, run.save.dir);
  emit({ type: 'log', level: 'info', message: `saved the model to ${savedTo}` });
  return savedTo;
}

/** A stopped run's model is half-trained: saved only when asked to (--save-on-stop, training.saveOnStop). */
async function saveStopped(run: RunPlan, emit: Emit): Promise<string | null> {
  if (!run.save || run.save.onStop) return save(run, emit);
  emit({ type: 'log', level: 'info', message: `stopped: the model was not saved to ${run.save.dir} (--save-on-stop or training.saveOnStop saves a stopped run)` });
  return null;
}
