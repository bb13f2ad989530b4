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

/** vscode.EventEmitter: listeners called in order on fire(). */
class FakeEventEmitter<T> {
  private listeners: ((value: T) => void)[] = [];
  readonly event = (listener: (value: T) => void) => {
    this.listeners.push(listener);
    return { dispose: () => { this.listeners = this.listeners.filter((l) => l !== listener); } };
  };
  fire(value: T): void {
    for (const l of [...this.listeners]) l(value);
  }
  dispose(): void {
    this.listeners = [];
  }
}

/** A stand-in for the `vscode` module that records what the extension registers. */
export function fakeVscode() {
  const registered = new Map<string, (...args: unknown[]) => unknown>();
  const messages: string[] = [];
  /** Context keys the extension set (`setContext`), latest value per key, and every change in order. */
  const contexts = new Map<string, unknown>();
  const contextChanges: [string, unknown][] = [];
  /** Hover and CodeLens providers as registered, and the editor events' emitters (fire them to simulate). */
  const providers = { hover: [] as unknown[], codeLens: [] as unknown[] };
  const events = {
    save: new FakeEventEmitter<unknown>(), activeEditor: new FakeEventEmitter<unknown>(), configuration: new FakeEventEmitter<unknown>(),
  };
  const show = (m: string) => { messages.push(m); return Promise.resolve(undefined); };
  /** Tree views' data providers by view id, as the extension created them. */
  const trees = new Map<string, unknown>();
  const windowApi: Record<string, unknown> = {
    showInformationMessage: show, showWarningMessage: show, showErrorMessage: show, activeTextEditor: undefined,
    onDidChangeActiveTextEditor: events.activeEditor.event,
    createTreeView: (id: string, options: { treeDataProvider: unknown }) => { trees.set(id, options.treeDataProvider); return { dispose() {} }; },
  };
  const withStubs = <T extends object>(o: T) => new Proxy(o as Record<string, unknown>, { get: (t, k: string) => (k in t ? t[k] : stub()) });
  const api: Record<string, unknown> & { workspace: Record<string, unknown> } = {
    commands: {
      registerCommand: (id: string, fn: (...args: unknown[]) => unknown) => {
        registered.set(id, fn);
        return { dispose() {} };
      },
      executeCommand: (id: string, ...args: unknown[]) => {
        if (id === 'setContext') { contexts.set(args[0] as string, args[1]); contextChanges.push([args[0] as string, args[1]]); }
        return Promise.resolve(undefined);
      },
    },
    window: withStubs(windowApi),
    workspace: withStubs({ isTrusted: true, workspaceFolders: undefined as unknown, onDidSaveTextDocument: events.save.event, onDidChangeConfiguration: events.configuration.event }),
    languages: withStubs({
      registerHoverProvider: (_selector: unknown, p: unknown) => { providers.hover.push(p); return { dispose() {} }; },
      registerCodeLensProvider: (_selector: unknown, p: unknown) => { providers.codeLens.push(p); return { dispose() {} }; },
    }),
    EventEmitter: FakeEventEmitter,
  };
  // Tree items as plain objects, so tests read what a tree row shows.
  api.TreeItem = class { constructor(readonly label: string, readonly collapsibleState: number) {} };
  api.TreeItemCollapsibleState = { None: 0, Collapsed: 1, Expanded: 2 };
  api.ThemeIcon = Object.assign(class { constructor(readonly id: string, readonly color?: unknown) {} }, { File: { id: 'file' } });
  api.ThemeColor = class { constructor(readonly id: string) {} };
  // `import * as vscode` copies the module's own keys: list the ones the extension touches.
  for (const k of ['Uri', 'Position', 'Range', 'Hover', 'MarkdownString', 'CodeLens', 'Diagnostic', 'DiagnosticSeverity',
    'StatusBarAlignment', 'ProgressLocation', 'ViewColumn', 'env', 'CodeAction', 'CodeActionKind', 'WorkspaceEdit']) api[k] = stub();
  const vscode = new Proxy(api, { get: (t, k: string) => (k in t ? t[k] : stub()) });
  return { api, windowApi, vscode, registered, messages, contexts, contextChanges, providers, events, trees };
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
  /** Every `setContext` the extension ran, in order: [key, value]. */
  contextChanges: [string, unknown][];
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
  const record: HostRecord = { posts: [], postedAt: [], progress: [], output: [], statusBar: [], contextChanges: fake.contextChanges };
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
  // A LogOutputChannel: appendLine writes at info level, as VS Code does for log channels.
  const line = (l: string) => { record.output.push(l); };
  fake.windowApi.createOutputChannel = () => ({ appendLine: line, trace: line, debug: line, info: line, warn: line, error: line, append() {}, show() {}, clear() {}, dispose() {} });
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

