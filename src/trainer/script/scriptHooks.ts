// Node module hooks for a user's script (dist/scriptHooks.mjs, registered by scriptModules.ts with
// `module.register`; they run on Node's loader thread). They give the script Model Lens's own tfjs
// (the instance the instrumentation patches) for `@tensorflow/tfjs*`, and TypeScript transpiled by
// esbuild with an inline source map, so stack frames name the script's own lines. ES modules and
// top-level await keep working because the script is imported, never bundled to CommonJS.
import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** What the main thread passes to `initialize`: each provided module's export names. */
export interface ScriptHooksData {
  exports: Record<string, string[]>;
}

interface Transformer {
  transform(source: string, options: Record<string, unknown>): Promise<{ code: string }>;
}

/** `@tensorflow/tfjs`, its parts and `@tensorflow/tfjs-node`, and `model-lens`: answered from the trainer. */
const PROVIDED = /^(@tensorflow\/tfjs(-[a-z-]+)?|model-lens)(\/.*)?$/;
const TS_FILE = /\.(ts|mts|cts|tsx)$/;
const PROVIDED_SCHEME = 'model-lens-provided:';

let exportsOf: Record<string, string[]> = {};
/** esbuild defines this to the bundle's own URL (import.meta.url), which the project's CommonJS typecheck cannot name. */
declare const HOOKS_URL: string;
let transformer: Promise<Transformer> | undefined;

export function initialize(data: ScriptHooksData): void {
  exportsOf = data.exports;
}

/** The name under which the trainer keeps a provided module (see scriptModules.ts). */
export function providedModuleName(specifier: string): string | null {
  const m = PROVIDED.exec(specifier);
  if (!m) return null;
  if (m[1] === 'model-lens') return 'model-lens';
  return m[1] === '@tensorflow/tfjs-node' || m[1] === '@tensorflow/tfjs-node-gpu' ? 'tfjs-node' : 'tfjs';
}

type Resolved = { url: string; format?: string; shortCircuit?: boolean };
type NextResolve = (specifier: string, context: unknown) => Promise<Resolved>;
type Loaded = { format: string; source?: string | Buffer; shortCircuit?: boolean };
type NextLoad = (url: string, context: { format?: string }) => Promise<Loaded>;

export async function resolve(specifier: string, context: { parentURL?: string }, next: NextResolve): Promise<Resolved> {
  const provided = providedModuleName(specifier);
  if (provided) return { url: `${PROVIDED_SCHEME}${provided}`, shortCircuit: true };
  try {
    return await next(specifier, context);
  } catch (e) {
    // TypeScript's own spellings of a relative import: './data' for data.ts, './data.js' for data.ts.
    if (!specifier.startsWith('.') || (e as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw e;
    const stem = specifier.replace(/\.js$/, '');
    for (const candidate of [`${stem}.ts`, `${stem}.mts`, `${stem}/index.ts`, `${specifier}.js`, `${specifier}/index.js`]) {
      try {
        return await next(candidate, context);
      } catch {
        // the next spelling
      }
    }
    throw e;
  }
}

export async function load(url: string, context: { format?: string }, next: NextLoad): Promise<Loaded> {
  if (url.startsWith(PROVIDED_SCHEME)) {
    return { format: 'module', source: providedSource(url.slice(PROVIDED_SCHEME.length)), shortCircuit: true };
  }
  if (url.startsWith('file:') && TS_FILE.test(url) && !url.includes('/node_modules/')) {
    const file = fileURLToPath(url);
    const source = await readFile(file, 'utf8');
    const { code } = await (await esbuild()).transform(source, {
      loader: file.endsWith('x') ? 'tsx' : 'ts', format: 'esm', target: 'node20', sourcemap: 'inline',
      sourcefile: file, sourcesContent: false,
      // A script may still use CommonJS's names; an ES module has them only through these.
      banner: "import { createRequire as __mlCreateRequire } from 'node:module'; import { fileURLToPath as __mlPath } from 'node:url';" +
        ' const require = __mlCreateRequire(import.meta.url); const __filename = __mlPath(import.meta.url);' +
        " const __dirname = __mlPath(new URL('.', import.meta.url));",
    });
    return { format: 'module', source: code, shortCircuit: true };
  }
  return next(url, context);
}

/** An ES module that re-exports one module the trainer provides, name by name. */
function providedSource(name: string): string {
  const names = exportsOf[name] ?? [];
  const lines = [`const m = globalThis[Symbol.for('modelLens.provided')][${JSON.stringify(name)}];`, 'export default m;'];
  names.forEach((n, i) => lines.push(`const v${i} = m[${JSON.stringify(n)}];`, `export { v${i} as ${n} };`));
  return lines.join('\n');
}

/** The native esbuild when installed, else esbuild-wasm (what the VSIX ships), as the experiment bundler picks (MODEL_LENS_BUNDLER too). */
function esbuild(): Promise<Transformer> {
  transformer ??= (async () => {
    // Built as an ES module (dist/scriptHooks.mjs): its own URL finds esbuild next to Model Lens.
    const require = createRequire(HOOKS_URL);
    const names = process.env.MODEL_LENS_BUNDLER === 'esbuild-wasm' ? ['esbuild-wasm'] : ['esbuild', 'esbuild-wasm'];
    for (const name of names) {
      try {
        return require(name) as Transformer;
      } catch {
        // try the next one
      }
    }
    throw new Error('Neither esbuild nor esbuild-wasm is installed; reinstall Model Lens (npm install).');
  })();
  return transformer;
}
