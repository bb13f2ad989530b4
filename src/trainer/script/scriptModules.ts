// What a user's script imports from Model Lens: `@tensorflow/tfjs` (and its parts) as our own tfjs,
// wrapped to record call sites; `@tensorflow/tfjs-node` as the user's own when it is installed next
// to the script, else our tfjs with a warning; `model-lens` with `lens.log`. ES modules get them
// through the module hooks (scriptHooks.ts), CommonJS `require` through Module._load.
import Module, { createRequire, register } from 'node:module';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as tfType from '@tensorflow/tfjs';
import { modelFilesHandler } from '../../model/saveModelFiles';
import { providedModuleName, type ScriptHooksData } from './scriptHooks';

type Tf = typeof tfType;

export interface ProvidedModules {
  tfjs: Tf;
  'tfjs-node': Tf;
  'model-lens': object;
}

/** What the script gets for tfjs-node, and the warning to show when it is not the user's own. */
export function tfjsNodeFor(scriptFile: string, tf: Tf): { module: Tf; warning: string | null } {
  let own: Record<string, unknown> | null = null;
  try {
    // Loading it registers its native backend in tfjs's engine, which is one per process.
    own = createRequire(scriptFile)('@tensorflow/tfjs-node') as Record<string, unknown>;
  } catch {
    own = null;
  }
  if (own) return { module: { ...tf, node: own.node, io: { ...tf.io, ...(own.io as object) } } as unknown as Tf, warning: null };
  return {
    module: tf,
    warning: '@tensorflow/tfjs-node is not installed for this script: it runs on Model Lens\'s tfjs, and model.save(\'file://…\') ' +
      'writes model.json + weights.bin with Model Lens\'s own handler.',
  };
}

/** tfjs-node's `file://` saving, for our tfjs: model.json + weights.bin in that folder. */
export function registerFileSaving(tf: Tf, cwd: string): void {
  // tfjs's routers answer null for URLs they do not take (its IORouter type leaves that out).
  tf.io.registerSaveRouter(((url: string | string[]) => {
    const u = Array.isArray(url) ? url[0] : url;
    if (typeof u !== 'string' || !u.startsWith('file://')) return null;
    return modelFilesHandler(path.resolve(cwd, u.slice('file://'.length)));
  }) as unknown as Parameters<Tf['io']['registerSaveRouter']>[0]);
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
const PROVIDED_KEY = Symbol.for('modelLens.provided');

/**
 * Makes the modules visible to the script's imports and requires. Once per process. `onFirstUse`
 * runs when the script first imports or requires that module (a warning about it is said only then).
 */
export function installProvidedModules(provided: ProvidedModules, scriptRoot: string,
  onFirstUse: Partial<Record<keyof ProvidedModules, () => void>> = {}): void {
  const modules = {} as ProvidedModules;
  for (const name of Object.keys(provided) as (keyof ProvidedModules)[]) {
    let used = false;
    Object.defineProperty(modules, name, {
      enumerable: true,
      get: () => {
        if (!used) { used = true; onFirstUse[name]?.(); }
        return provided[name];
      },
    });
  }
  (globalThis as Record<symbol, unknown>)[PROVIDED_KEY] = modules;
  const exports: ScriptHooksData['exports'] = {};
  for (const [name, value] of Object.entries(provided)) {
    exports[name] = Object.keys(value as object).filter((k) => k !== 'default' && IDENTIFIER.test(k));
  }
  const data: ScriptHooksData = { exports };
  register(pathToFileURL(path.join(__dirname, 'scriptHooks.mjs')).href, { data });

  const loader = Module as unknown as { _load: (request: string, parent: unknown, isMain: boolean) => unknown };
  const load = loader._load;
  // Model Lens's own requires (tfjs-node for the backend, esbuild) keep their modules.
  const ownRoot = path.dirname(__dirname) + path.sep;
  loader._load = function (request: string, parent: unknown, isMain: boolean) {
    const provided = providedModuleName(request);
    const from = (parent as { filename?: string } | null)?.filename ?? '';
    const fromUser = !from.startsWith(ownRoot) || from.startsWith(scriptRoot);
    return provided && fromUser ? modules[provided as keyof ProvidedModules] : load.call(this, request, parent, isMain);
  };
}
