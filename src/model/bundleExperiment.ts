import * as fs from 'node:fs';
import * as path from 'node:path';
import { ENTER_FUNCTION, markFunctionEntries } from '../source/functionEntries';
import { UserSources, type MarkedFile } from './userSources';
import { UserError } from './userError';

/** Modules the experiment gets from Model Lens itself, so its folder needs no node_modules. */
export const PROVIDED_MODULES = /^(@tensorflow\/tfjs(-[a-z-]+)?|model-lens)(\/.*)?$/;

/** What the bundle's function-entry marks call (the loader answers this require). */
export const FUNCTION_ENTRIES_MODULE = 'model-lens/function-entries';

export interface ExperimentBundle {
  code: string;
  /** The user's own source files that went into the bundle (absolute paths), with their function marks. */
  sources: UserSources;
}

interface EsbuildMessage {
  text: string;
  location: { file: string; line: number; column: number; lineText?: string } | null;
}
interface EsbuildLike {
  build(options: Record<string, unknown>): Promise<{
    outputFiles?: { text: string }[];
    metafile?: { inputs: Record<string, unknown> };
  }>;
  stop?(): Promise<void> | void;
}

let esbuildPromise: Promise<EsbuildLike> | undefined;

/**
 * The native esbuild when it is installed (fast), else esbuild-wasm (portable; what the VSIX ships;
 * MODEL_LENS_BUNDLER=esbuild-wasm picks it anyway). Both are kept out of our own bundles: each finds
 * its binary next to its package.
 */
function loadEsbuild(): Promise<EsbuildLike> {
  esbuildPromise ??= (async () => {
    const names = process.env.MODEL_LENS_BUNDLER === 'esbuild-wasm' ? ['esbuild-wasm'] : ['esbuild', 'esbuild-wasm'];
    for (const name of names) {
      try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        return require(name) as EsbuildLike;
      } catch {
        // try the next one
      }
    }
    throw new Error('Neither esbuild nor esbuild-wasm is installed; reinstall Model Lens (npm install).');
  })();
  return esbuildPromise;
}

const LOADERS: Record<string, string> = { '.ts': 'ts', '.mts': 'ts', '.cts': 'ts', '.tsx': 'tsx', '.jsx': 'jsx' };
const loaderOf = (file: string) => LOADERS[path.extname(file).toLowerCase()] ?? 'js';

/** Defines the marks' callee for the whole bundle; a no-op when no loader answers the require. */
const ENTRY_BANNER = `var ${ENTER_FUNCTION} = function () {}; try { ${ENTER_FUNCTION} = require(${JSON.stringify(FUNCTION_ENTRIES_MODULE)}).enter; } catch (e) {}`;

/** Marks function entries in each of the user's files as esbuild reads it (see functionEntries.ts). */
class EntryMarker {
  readonly marked = new Map<string, MarkedFile | null>();
  private nextId = 1;

  mark(file: string, text: string): string {
    const marked = markFunctionEntries(text, file, this.nextId);
    this.marked.set(file, marked && { functions: marked.functions, shifts: marked.shifts });
    if (!marked) return text;
    this.nextId += marked.functions.length;
    return marked.code;
  }

  plugin() {
    return {
      name: 'model-lens-function-entries',
      setup: (build: { onLoad(options: { filter: RegExp }, callback: (args: { path: string }) => unknown): void }) => {
        build.onLoad({ filter: /\.[cm]?[jt]sx?$/ }, (args) => {
          if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
          return { contents: this.mark(args.path, fs.readFileSync(args.path, 'utf8')), loader: loaderOf(args.path) };
        });
      },
    };
  }
}

/**
 * Bundles a user's .ts/.js experiment into one CommonJS module with an inline source map. `text`, when
 * given, stands for the file's content on disk (an editor's unsaved text); positions stay the file's.
 */
export async function bundleExperiment(file: string, text?: string): Promise<ExperimentBundle> {
  const esbuild = await loadEsbuild();
  const dir = path.dirname(file);
  const marker = new EntryMarker();
  const entry = text === undefined
    ? { entryPoints: [file] }
    : { stdin: { contents: marker.mark(path.resolve(file), text), sourcefile: file, resolveDir: dir, loader: loaderOf(file) } };
  let result;
  try {
    result = await esbuild.build({
      ...entry,
      absWorkingDir: dir,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      sourcemap: 'inline',
      sourcesContent: false,
      write: false,
      metafile: true,
      banner: { js: ENTRY_BANNER },
      plugins: [marker.plugin()],
      logLevel: 'silent',
      // Everything that is not the user's own source stays a require() the loader answers.
      external: ['@tensorflow/*', 'model-lens', 'model-lens/*'],
      packages: 'external',
    });
  } catch (e) {
    throw buildFailure(e, dir, file, marker);
  } finally {
    // esbuild keeps a service process for further builds; an experiment is bundled once per process,
    // and esbuild-wasm's idle service keeps taking CPU from the training run beside it. A later build
    // starts a new one.
    await esbuild.stop?.();
  }
  const code = result.outputFiles?.[0]?.text ?? '';
  const userFiles = new Set(
    Object.keys(result.metafile?.inputs ?? {})
      .map((f) => path.resolve(dir, f))
      .filter((f) => !f.includes(`${path.sep}node_modules${path.sep}`)),
  );
  userFiles.add(path.resolve(file));
  return { code, sources: new UserSources(new Map([...userFiles].map((f) => [f, marker.marked.get(f) ?? null]))) };
}

function buildFailure(e: unknown, dir: string, file: string, marker: EntryMarker): Error {
  const errors = (e as { errors?: EsbuildMessage[] }).errors;
  const first = errors?.[0];
  if (!first) return e instanceof Error ? e : new Error(String(e));
  const loc = first.location;
  const at = loc && path.resolve(dir, loc.file);
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more error${errors.length > 2 ? 's' : ''})` : '';
  return new UserError(
    `${first.text}${more}`,
    loc && at ? new UserSources(marker.marked).original(at, loc.line, loc.column + 1) : { file, line: 1, column: 1 },
    'Fix the experiment file and run again.',
  );
}
