import Module from 'node:module';
import * as path from 'node:path';
import * as fs from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import type { Experiment } from '../api';
import { checkExperiment } from '../protocol/experimentSchema';
import type { ExperimentSettings } from '../protocol/experimentSpec';
import type { BuildStep } from '../protocol/messages';
import type { SourceLocation } from '../protocol/modelInfo';
import { findExperimentExport, locateSetting, parseSource } from '../source';
import { bundleExperiment, PROVIDED_MODULES } from './bundleExperiment';
import { CallSiteRecorder, layerSiteOf } from './callSiteRecorder';
import { loadModelJson } from './modelJson';
import { buildKeepingFreezes, type WeightLike } from './modelStructure';
import { locateSettingInFile } from './settingLocation';
import { userFrame } from './stackLocation';
import { UserError } from './userError';

export interface LoadedModel {
  model: tf.LayersModel;
  /** Where each layer (and model) object was made in the user's source; null for model.json. */
  locate: (layerOrModel: object) => SourceLocation | null;
  settings: ExperimentSettings;
  file: string;
}

type NodeModule = Module & {
  _compile(code: string, filename: string): void;
  paths: string[];
};
const ModuleCtor = Module as unknown as {
  new (id: string, parent?: Module | null): NodeModule;
  _nodeModulePaths(dir: string): string[];
};

/** The `model-lens` module as seen from one experiment file. */
function userApi(baseDir: string, isUserFile: (f: string) => boolean) {
  return {
    __esModule: true,
    defineExperiment: <T>(experiment: T): T => experiment,
    // The trainer installs globalThis.modelLens (src/trainer/scalarLog.ts); elsewhere a no-op.
    lens: { log: (values: Record<string, number>) => { (globalThis as { modelLens?: { log(v: Record<string, number>): void } }).modelLens?.log(values); } },
    loadModel: async (p: string) => {
      // A problem of the model.json is placed at this call (the stack at the throw may not reach it).
      const site = userFrame(new Error().stack, isUserFile);
      try {
        return await loadModelJson(path.resolve(baseDir, p));
      } catch (e) {
        throw e instanceof UserError && !e.location && site ? new UserError(e.message, site, e.hint) : e;
      }
    },
  };
}

/** A user-facing error for a throw in the user's code: their file:line, the message, no stack. */
function userThrow(e: unknown, isUserFile: (f: string) => boolean, file: string, during: string): UserError {
  const err = e instanceof Error ? e : new Error(String(e));
  // A layer's own error is best placed at its tf.layers.*(...) call; the stack may not reach the user's code.
  const at = layerSiteOf(e) ?? userFrame(err.stack, isUserFile) ?? { file, line: 1, column: 1 };
  if (e instanceof UserError) return e.location ? e : new UserError(e.message, at, e.hint);
  return new UserError(`${during}: ${firstLine(err.message)}`, at, ALLOCATION_FAILED.test(err.message) ? TOO_LARGE_HINT : null);
}

/** The first line of a message, without a dangling "… the following reasons:" that the next lines would explain. */
function firstLine(message: string): string {
  const line = message.split('\n')[0];
  return line.endsWith(':') ? line.replace(/(?<=[.!?])\s+[^.!?]*:$/, '') : line;
}

/** What tfjs's backends say when a tensor cannot be allocated. */
const ALLOCATION_FAILED = /Invalid typed array length|Array buffer allocation failed|memory access out of bounds|Cannot enlarge memory|out of memory/i;
const TOO_LARGE_HINT = 'The model is too large for memory: make the layer smaller (fewer units or filters, or a smaller input to it).';

export interface LoadOptions {
  /** Runs after the file is evaluated and before model() (the trainer seeds Math.random here). */
  beforeModel?: (settings: ExperimentSettings) => void;
  /** The entry file's text when it differs from the disk (an editor's unsaved changes). */
  sourceText?: string;
  /**
   * Awaited before each step of the user's code that builds the model (the file's top-level code,
   * model(), a model.json) and once it is built (null): the trainer tells its parent, which times it.
   */
  announce?: (running: BuildStep | null, location: SourceLocation | null) => Promise<void>;
}

/** What a module exports as its experiment: `export default` / `exports.default`, or (CommonJS) `module.exports` itself. */
function exportedExperiment(exports: unknown): unknown {
  if (!exports || typeof exports !== 'object') return undefined;
  const e = exports as Record<string, unknown>;
  if ('default' in e) return e.default;
  return e.__esModule ? undefined : exports; // an ES module without a default export has none
}

/** Where the experiment's `model` key is written, read from the file's syntax tree (the file's start if not found). */
export function modelLocation(file: string, sourceText?: string): SourceLocation {
  try {
    const { tree } = parseSource(sourceText ?? fs.readFileSync(file, 'utf8'), file);
    const experiment = findExperimentExport(tree);
    if (experiment) {
      const { line, column } = locateSetting(tree, experiment, ['model']);
      return { file, line, column };
    }
  } catch {
    // unreadable now: the file's start stands in
  }
  return { file, line: 1, column: 1 };
}

/** Evaluates an experiment file and calls its `model()`, recording each layer's call site. */
export async function loadExperiment(file: string, options: LoadOptions = {}): Promise<LoadedModel> {
  const abs = path.resolve(file);
  if (!fs.existsSync(abs)) throw new UserError(`${file}: no such file.`, null, 'Check the path of the experiment file.');
  const { code, userFiles } = await bundleExperiment(abs, options.sourceText);
  const isUserFile = (f: string) => userFiles.has(f);
  process.setSourceMapsEnabled(true);

  const recorder = new CallSiteRecorder(isUserFile);
  const userTf = recorder.wrapTf(tf);
  const api = userApi(path.dirname(abs), isUserFile);
  const mod = new ModuleCtor(abs, null);
  mod.filename = abs;
  mod.paths = ModuleCtor._nodeModulePaths(path.dirname(abs));
  const ownRequire = mod.require.bind(mod);
  mod.require = ((id: string) => {
    if (PROVIDED_MODULES.test(id)) return id.startsWith('model-lens') ? api : userTf;
    return ownRequire(id);
  }) as NodeJS.Require;

  await options.announce?.('file', { file: abs, line: 1, column: 1 });
  try {
    mod._compile(code, abs);
  } catch (e) {
    throw userThrow(e, isUserFile, abs, 'the experiment file threw while loading');
  }
  const experiment = exportedExperiment(mod.exports) as Partial<Experiment> | undefined;
  if (!experiment || typeof experiment !== 'object') {
    throw new UserError(`${file} has no default export.`, { file: abs, line: 1, column: 1 },
      'End the file with `export default defineExperiment({ model: () => ..., ... })` (or `module.exports = ...`).');
  }
  if (typeof experiment.model !== 'function') {
    throw new UserError(`${file}: the default export has no model() function.`, { file: abs, line: 1, column: 1 },
      'Add `model: () => tf.sequential({ layers: [...] })` to the exported experiment.');
  }

  // Every setting is checked before model() runs, so a typo costs nothing.
  const problem = checkExperiment(experiment);
  if (problem) throw new UserError(problem.message, locateSettingInFile(abs, problem.path, options.sourceText), problem.hint);
  const { model: _model, ...settings } = experiment;
  options.beforeModel?.(settings as ExperimentSettings);
  let model: unknown;
  await options.announce?.('model', modelLocation(abs, options.sourceText));
  try {
    model = await experiment.model();
  } catch (e) {
    throw userThrow(e, isUserFile, abs, 'model() failed');
  }
  if (!model || typeof model !== 'object' || typeof (model as tf.LayersModel).getClassName !== 'function' ||
      !Array.isArray((model as tf.LayersModel).layers)) {
    throw new UserError(`${file}: model() must return a tf.LayersModel (tf.sequential(...) or tf.model(...)), got ${describe(model)}.`,
      { file: abs, line: 1, column: 1 });
  }
  const built = model as tf.LayersModel;
  buildKeepingFreezes(built, built.weights as unknown as WeightLike[]);
  await options.announce?.(null, null);
  return { model: built, locate: (o) => recorder.locate(o), settings: settings as ExperimentSettings, file: abs };
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v !== 'object') return typeof v;
  return (v as object).constructor?.name ?? 'an object';
}

/** An experiment file (.ts/.js/.mjs/.cjs) or a tfjs/Keras model.json. */
export async function loadModelFile(file: string, options: LoadOptions = {}): Promise<LoadedModel> {
  if (file.toLowerCase().endsWith('.json')) {
    const abs = path.resolve(file);
    await options.announce?.('modelJson', { file: abs, line: 1, column: 1 });
    const model = await loadModelJson(abs, false);
    await options.announce?.(null, null);
    return { model, locate: () => null, settings: {}, file: abs };
  }
  return loadExperiment(file, options);
}
