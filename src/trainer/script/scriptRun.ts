// `model-lens run SCRIPT`: a plain tfjs script runs here unchanged, as under node (its cwd, argv and
// env; CommonJS or ES module, top-level await), with tfjs instrumented from outside (fitHooks.ts,
// gradientHooks.ts). The run's `done` comes when the script ends, however it ends: its event loop
// empties (an error if its top-level await is still waiting then: node's exit 13), it calls
// process.exit, or it throws; this process then exits with the script's code.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { CallSiteRecorder } from '../../model/callSiteRecorder';
import { userFrame } from '../../model/stackLocation';
import { UserError } from '../../model/userError';
import { UserSources } from '../../model/userSources';
import type { DiagnosisMessage, DoneMessage, TrainRequest } from '../../protocol/messages';
import { fixesHint } from '../modelDoctor';
import { chooseBackend } from '../backendChoice';
import { DEFAULT_GRADIENT_EVERY } from '../gradientStats';
import { now, readyMessage, type Emit } from '../runMessages';
import { instrumentModels } from './fitHooks';
import { instrumentOptimizers } from './gradientHooks';
import { instrumentLoops } from './loopHooks';
import { installProvidedModules, registerFileSaving, tfjsNodeFor } from './scriptModules';
import { installScalarLog } from '../scalarLog';
import { SamplingBudget } from './samplingBudget';
import { ScriptSession, type ScriptDoctorHooks } from './scriptSession';
import { checkLossInputs } from './scriptDoctor';
import { scriptSyntaxError, SYNTAX_ERROR_HINT } from './scriptErrors';

export interface ScriptEnd {
  /** Sends `done` and everything before it, synchronously as far as IPC allows. */
  flush: () => void;
  /** Set by runScript: Stop ends the script at once (it has no step to finish that we could wait for). */
  stop?: () => void;
}

const SCRIPT_FILE = /\.(ts|mts|cts|js|mjs|cjs)$/i;
/** Node's exit code when the main module's top-level await never settles. */
const UNSETTLED_TOP_LEVEL_AWAIT = 13;
/** Stack frames kept: tfjs's own frames (fit's wrappers, minimize, tidy) can stand between a throw and the script's line. */
const STACK_FRAMES = 40;

/** Runs the script; `done` is emitted once, when it ends, and then the process exits with its code. */
export async function runScript(request: TrainRequest, emit: Emit, end: ScriptEnd): Promise<void> {
  const file = path.resolve(request.file);
  const started = now();
  let finished = false;
  const finish = (reason: DoneMessage['reason'], steps: number, extra: Partial<DoneMessage> = {}) => {
    if (finished) return;
    finished = true;
    emit({ type: 'done', stopped: reason === 'stopped', reason, steps, elapsedSec: now() - started, savedTo: null, ...extra });
    end.flush();
  };
  let session: ScriptSession | null = null;
  const userSources = UserSources.matching((f) => f.startsWith(path.dirname(file) + path.sep) && !f.includes(`${path.sep}node_modules${path.sep}`));
  const fail = (e: unknown) => {
    const err = e instanceof Error ? e : new Error(String(e));
    const frame = e instanceof UserError ? e.location : userFrame(err.stack, userSources);
    const syntax = e instanceof UserError ? null : scriptSyntaxError(err, file, (f) => userSources.has(f), frame !== null);
    const location = syntax ? syntax.location : frame;
    const syncRead = !(e instanceof UserError) && tf.getBackend() === 'webgpu' && /OffscreenCanvas/.test(err.message);
    const message = e instanceof UserError ? e.message : syntax ? `the script has a syntax error: ${syntax.message}` : syncRead
      ? 'the script read a tensor synchronously (dataSync, arraySync or bufferSync), which the webgpu backend cannot do under Node.'
      : `the script threw: ${err.message.split('\n')[0]}`;
    const hint = e instanceof UserError ? e.hint : syntax ? SYNTAX_ERROR_HINT
      : syncRead ? 'Read it with `await tensor.data()` or `await tensor.array()`, or run the script on --backend wasm.' : null;
    emit({ type: 'error', message, location, hint });
    if (process.exitCode === undefined || process.exitCode === 0) process.exitCode = 1;
    finish('error', session?.step ?? 0);
    process.exit();
  };

  end.stop = () => {
    finish('stopped', session?.step ?? 0);
    process.exit(130);
  };
  try {
    if (!SCRIPT_FILE.test(file)) throw new UserError(`${request.file}: a script is a .ts, .mts, .js, .mjs or .cjs file.`, null, null);
    if (!fs.existsSync(file)) throw new UserError(`${request.file}: no such file.`, null, 'Check the path of the script.');
    // auto leaves webgpu out: scripts read tensors synchronously (dataSync), which webgpu cannot under Node.
    const choice = await chooseBackend(request.backend ?? 'auto', ['webgpu'], { searchFrom: path.dirname(file), threads: request.threads }).catch((e: Error) => {
      throw new UserError(`the ${request.backend} backend is not available: ${e.message}.`, null, 'Use --backend wasm or --backend cpu.');
    });
    emit(readyMessage(choice));
    const recorder = new CallSiteRecorder(userSources);
    const sites = { locate: (o: object) => recorder.locate(o), stackOf: (layer: object, nodeIndex: number) => recorder.stackOf(layer, nodeIndex) };
    const every = request.gradientEvery ?? DEFAULT_GRADIENT_EVERY;
    session = new ScriptSession(emit, file, sites, every, new SamplingBudget(every, request.gradientEvery === undefined));
    const active = session;
    if (request.inspect && request.script?.check) active.inspectAtFirstUpdate(request);
    active.doctorHooks = doctorHooks(request.script?.check === true, userSources, {
      stopOnError: (d) => fail(new UserError(d.message, d.source, fixesHint(d))),
      // A loss that is not finite ends the run, its anomaly sent, as an experiment's does.
      diverged: () => {
        if (process.exitCode === undefined || process.exitCode === 0) process.exitCode = 1;
        finish('anomaly', active.step);
        process.exit();
      },
      checked: () => {
        finish('inspected', 0, { checkedUpTo: active.trainingCall });
        process.exit(0);
      },
    });
    instrumentModels(tf, active);
    instrumentOptimizers(tf, active);
    registerFileSaving(tf, process.cwd());
    // globalThis.modelLens.log({ name: value }) from the script's own loops, at the run's step.
    installScalarLog(emit, () => active.step);
    const userTf = recorder.wrapTf(tf);
    instrumentLoops(tf, userTf, active);
    checkLossInputs(tf, userTf, {
      wanted: () => active.lossValuesWanted() && tf.getBackend() !== 'webgpu',
      locate: active.doctorHooks.callSite,
      report: (d) => active.diagnose(d),
    });
    for (const factory of ['sequential', 'model'] as const) {
      const make = userTf[factory] as (...args: unknown[]) => tf.LayersModel;
      (userTf as unknown as Record<string, unknown>)[factory] = (...args: unknown[]) => {
        const model = make(...args);
        active.noteModel(model);
        return model;
      };
    }
    const tfjsNode = tfjsNodeFor(file, userTf);
    const warning = tfjsNode.warning;
    installProvidedModules({ tfjs: userTf, 'tfjs-node': tfjsNode.module, 'model-lens': {} }, path.dirname(file) + path.sep,
      { 'tfjs-node': warning ? () => emit({ type: 'log', level: 'warn', message: warning }) : undefined });

    process.argv = [process.execPath, file, ...(request.script?.args ?? [])];
    process.setSourceMapsEnabled(true);
    // V8 keeps 10 frames: an error thrown deep inside fit would not reach the script's line.
    if (Error.stackTraceLimit < STACK_FRAMES) Error.stackTraceLimit = STACK_FRAMES;
    process.on('uncaughtException', fail);
    // The script's own process.exit(code) ends the run there; node's 'exit' allows no waiting.
    process.on('exit', (code) => finish(code === 0 ? 'completed' : 'error', active.step));
    // The parent's IPC channel must not keep the script alive once its own work is done.
    (process as unknown as { channel?: { unref(): void } }).channel?.unref();
    let evaluated = false;
    process.once('beforeExit', () => {
      if (!evaluated) {
        // Nothing is left to run, yet the script's module is still awaiting: node exits 13 here.
        if (!process.exitCode) process.exitCode = UNSETTLED_TOP_LEVEL_AWAIT;
        fail(new UserError(`${request.file}: the script's top-level await never settled: nothing was left to run that could settle what it awaits.`, null,
          'Look for a promise at the top level that nothing resolves or rejects (a callback never called, an event that never comes).'));
        return;
      }
      const code = typeof process.exitCode === 'number' ? process.exitCode : 0;
      finish(code === 0 ? 'completed' : 'error', active.step);
      process.exit(code);
    });
    await import(pathToFileURL(file).href);
    evaluated = true;
  } catch (e) {
    fail(e);
  }
}

/**
 * What the doctor's findings do in a script run: an error stops it (its message names the cause, as
 * an experiment's does); under `check` the run goes on to its first update and stops there instead.
 */
function doctorHooks(check: boolean, sources: UserSources, on: { stopOnError(d: DiagnosisMessage): void; checked(): void; diverged(): void }): ScriptDoctorHooks {
  const callSiteLater = () => {
    // tfjs's own frames (fit's wrappers, minimize, tidy) can stand between the hook and the script's line.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = STACK_FRAMES;
    const taken = new Error(); // V8 formats its stack only when it is read
    Error.stackTraceLimit = limit;
    return () => userFrame(taken.stack, sources);
  };
  return {
    onError: (d) => { if (!check) on.stopOnError(d); },
    beforeUpdate: () => { if (check) on.checked(); },
    onAnomaly: () => on.diverged(),
    readText: (file) => {
      try {
        return fs.readFileSync(file, 'utf8');
      } catch {
        return null;
      }
    },
    callSite: () => callSiteLater()(),
    callSiteLater,
  };
}
