// A stand-in for the `vscode` module, enough for activate() to run in plain Node (tests, bench).
import Module from 'node:module';
import * as path from 'node:path';
import { ROOT } from './fixtures';

/** Anything not modelled below: a function that returns a disposable stand-in of itself. */
function stub(): unknown {
  const fn = function stand() { return proxy; } as unknown as Record<string | symbol, unknown>;
  const proxy: unknown = new Proxy(fn, {
    get: (target, key) => (key === 'dispose' ? () => undefined : key === 'then' ? undefined : key in target ? target[key] : proxy),
    apply: () => proxy,
    construct: () => proxy as object,
    set: () => true,
  });
  return proxy;
}

/** A stand-in for the `vscode` module that records what the extension registers. */
export function fakeVscode() {
  const registered = new Map<string, (...args: unknown[]) => unknown>();
  const messages: string[] = [];
  const show = (m: string) => { messages.push(m); return Promise.resolve(undefined); };
  const api: Record<string, unknown> & { workspace: Record<string, unknown> } = {
    commands: {
      registerCommand: (id: string, fn: (...args: unknown[]) => unknown) => {
        registered.set(id, fn);
        return { dispose() {} };
      },
      executeCommand: () => Promise.resolve(undefined),
    },
    window: new Proxy({ showInformationMessage: show, showWarningMessage: show, showErrorMessage: show, activeTextEditor: undefined },
      { get: (t, k: string) => (k in t ? (t as Record<string, unknown>)[k] : stub()) }),
    workspace: new Proxy({ isTrusted: true } as Record<string, unknown>, { get: (t, k: string) => (k in t ? t[k] : stub()) }),
  };
  // `import * as vscode` copies the module's own keys: list the ones the extension touches.
  for (const k of ['EventEmitter', 'Uri', 'Position', 'Range', 'Hover', 'MarkdownString', 'CodeLens', 'Diagnostic', 'DiagnosticSeverity',
    'StatusBarAlignment', 'ProgressLocation', 'ViewColumn', 'languages', 'env']) api[k] = stub();
  const vscode = new Proxy(api, { get: (t, k: string) => (k in t ? t[k] : stub()) });
  return { api, vscode, registered, messages };
}

export function loadExtension(vscode: unknown) {
  const M = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
  const original = M._load;
  M._load = (request: string, ...rest: unknown[]) => (request === 'vscode' ? vscode : original(request, ...rest));
  try {
    const file = path.join(ROOT, 'dist', 'extension.js');
    delete require.cache[file];
    return require(file) as { activate(ctx: unknown): void };
  } finally {
    M._load = original;
  }
}

