import * as path from 'node:path';
import { UserError } from './userError';

/** Modules the experiment gets from Model Lens itself, so its folder needs no node_modules. */
export const PROVIDED_MODULES = /^(@tensorflow\/tfjs(-[a-z-]+)?|model-lens)(\/.*)?$/;

export interface ExperimentBundle {
  code: string;
  /** Absolute paths of the user's own source files that went into the bundle. */
  userFiles: Set<string>;
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

/**
 * Bundles a user's .ts/.js experiment into one CommonJS module with an inline source map. `text`, when
 * given, stands for the file's content on disk (an editor's unsaved text); positions stay the file's.
 */
export async function bundleExperiment(file: string, text?: string): Promise<ExperimentBundle> {
  const esbuild = await loadEsbuild();
  const dir = path.dirname(file);
  const entry = text === undefined
    ? { entryPoints: [file] }
    : { stdin: { contents: text, sourcefile: file, resolveDir: dir, loader: LOADERS[path.extname(file).toLowerCase()] ?? 'js' } };
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
      logLevel: 'silent',
      // Everything that is not the user's own source stays a require() the loader answers.
      external: ['@tensorflow/*', 'model-lens', 'model-lens/*'],
      packages: 'external',
    });
  } catch (e) {
    throw buildFailure(e, dir, file);
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
  return { code, userFiles };
}

function buildFailure(e: unknown, dir: string, file: string): Error {
  const errors = (e as { errors?: EsbuildMessage[] }).errors;
  const first = errors?.[0];
  if (!first) return e instanceof Error ? e : new Error(String(e));
  const loc = first.location;
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more error${errors.length > 2 ? 's' : ''})` : '';
  return new UserError(
    `${first.text}${more}`,
    loc ? { file: path.resolve(dir, loc.file), line: loc.line, column: loc.column + 1 } : { file, line: 1, column: 1 },
    'Fix the experiment file and run again.',
  );
}
