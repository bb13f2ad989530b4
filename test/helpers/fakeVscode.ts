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
  const windowApi: Record<string, unknown> = { showInformationMessage: show, showWarningMessage: show, showErrorMessage: show, activeTextEditor: undefined };
  const api: Record<string, unknown> & { workspace: Record<string, unknown> } = {
    commands: {
      registerCommand: (id: string, fn: (...args: unknown[]) => unknown) => {
        registered.set(id, fn);
        return { dispose() {} };
      },
      executeCommand: () => Promise.resolve(undefined),
    },
    window: new Proxy(windowApi, { get: (t, k: string) => (k in t ? t[k] : stub()) }),
    workspace: new Proxy({ isTrusted: true } as Record<string, unknown>, { get: (t, k: string) => (k in t ? t[k] : stub()) }),
  };
  // `import * as vscode` copies the module's own keys: list the ones the extension touches.
  for (const k of ['EventEmitter', 'Uri', 'Position', 'Range', 'Hover', 'MarkdownString', 'CodeLens', 'Diagnostic', 'DiagnosticSeverity',
    'StatusBarAlignment', 'ProgressLocation', 'ViewColumn', 'languages', 'env', 'CodeAction', 'CodeActionKind', 'WorkspaceEdit']) api[k] = stub();
  const vscode = new Proxy(api, { get: (t, k: string) => (k in t ? t[k] : stub()) });
  return { api, windowApi, vscode, registered, messages };
}

/** Enough of vscode.Uri for file paths. */
class FakeUri {
  constructor(readonly fsPath: string) {}
  static file(p: string): FakeUri { return new FakeUri(p); }
  static joinPath(base: FakeUri, ...parts: string[]): FakeUri { return new FakeUri(path.join(base.fsPath, ...parts)); }
  toString(): string { return `file://${this.fsPath}`; }
}

/** What the extension showed through the stand-ins of fakeVscodeHost. */
export interface HostRecord {
  /** Every message posted to the webview, as VS Code sends it: JSON text. */
  posts: string[];
  /** performance.now() of each post. */
  postedAt: number[];
  progress: string[];
  output: string[];
  statusBar: string[];
}

/**
 * fakeVscode with the window parts a training run drives: a webview panel that says "ready"
 * `readyDelayMs` after it is created, as the real page does once loaded, and serializes every post as
 * VS Code does (without the cost of sending it on to a renderer); `hideAndShowPanel()` tears the page
 * down and brings it back, which then says "ready" again (retainContextWhenHidden is off); progress
 * notifications, the output channel and the status bar item, all recorded; settings from `settings`.
 */
export function fakeVscodeHost(settings: Record<string, unknown> = {}, readyDelayMs = 300) {
  const fake = fakeVscode();
  const record: HostRecord = { posts: [], postedAt: [], progress: [], output: [], statusBar: [] };
  const disposable = { dispose() {} };
  let hideAndShow = (): void => { throw new Error('no panel was created'); };
  fake.windowApi.createWebviewPanel = () => {
    let fromPage: ((m: unknown) => void) | null = null;
    const viewStateListeners: (() => void)[] = [];
    const loaded = () => setTimeout(() => fromPage?.({ type: 'ready' }), readyDelayMs);
    const webview = {
      options: {}, html: '', cspSource: 'https://fake.vscode-cdn.net',
      asWebviewUri: (u: unknown) => u,
      postMessage: (m: unknown) => {
        if (!panel.visible) return Promise.resolve(false); // VS Code drops posts to a torn-down page
        record.posts.push(JSON.stringify(m));
        record.postedAt.push(performance.now());
        return Promise.resolve(true);
      },
      onDidReceiveMessage: (fn: (m: unknown) => void) => { fromPage = fn; loaded(); return disposable; },
    };
    const panel = { webview, visible: true, title: '', iconPath: undefined, reveal() {}, dispose() {},
      onDidDispose: () => disposable,
      onDidChangeViewState: (fn: () => void) => { viewStateListeners.push(fn); return disposable; } };
    hideAndShow = () => {
      for (const visible of [false, true]) {
        panel.visible = visible;
        for (const fn of viewStateListeners) fn();
      }
      loaded();
    };
    return panel;
  };
  fake.windowApi.withProgress = (_options: unknown, task: (p: unknown, t: unknown) => Promise<unknown>) =>
    task({ report: (v: { message?: string }) => { if (v.message) record.progress.push(v.message); } },
      { isCancellationRequested: false, onCancellationRequested: () => disposable });
  fake.windowApi.createOutputChannel = () => ({ appendLine: (l: string) => record.output.push(l), append() {}, show() {}, clear() {}, dispose() {} });
  fake.windowApi.createStatusBarItem = () => {
    const item = { name: '', tooltip: '', command: '', show() {}, hide() {}, dispose() {} } as Record<string, unknown>;
    Object.defineProperty(item, 'text', { get: () => record.statusBar[record.statusBar.length - 1] ?? '', set: (t: string) => { record.statusBar.push(t); } });
    return item;
  };
  fake.api.workspace.getConfiguration = () => ({ get: <T>(key: string, fallback: T) => (key in settings ? settings[key] : fallback) as T });
  fake.api.workspace.textDocuments = [];
  fake.api.Uri = FakeUri;
  return { ...fake, record, Uri: FakeUri, hideAndShowPanel: () => hideAndShow() };
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

