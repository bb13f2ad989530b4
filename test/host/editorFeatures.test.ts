// The editor features around experiment files, through the whole extension bundle in plain Node:
// the settings that turn CodeLens, hovers and inspect-on-save off, and the context keys the editor
// title's Train and Stop buttons show by.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { example, ROOT } from '../helpers/fixtures';
import { fakeVscodeHost, loadExtension } from '../helpers/fakeVscode';
import { limitedMlp, trainThroughExtension } from '../helpers/hostRun';

const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'model-lens-editor-'));
after(() => fs.rmSync(folder, { recursive: true, force: true }));

/** Enough of a vscode.TextDocument for the providers and the save handler. */
function documentOf(file: string) {
  const text = fs.readFileSync(file, 'utf8');
  const lines = text.split('\n');
  return {
    uri: { scheme: 'file', fsPath: file, toString: () => `file://${file}` }, fileName: file, languageId: 'typescript', isDirty: false, version: 1,
    getText: () => text, lineAt: (line: number) => ({ text: lines[line] }), positionAt: (offset: number) => ({ offset }),
    getWordRangeAtPosition: () => undefined,
  };
}

function experimentFile(): string {
  const file = path.join(folder, `experiment-${Math.random().toString(36).slice(2)}.ts`);
  fs.copyFileSync(example('mnist-mlp.ts'), file);
  return file;
}

function plainFile(): string {
  const file = path.join(folder, 'plain.ts');
  fs.writeFileSync(file, 'export const answer = 42;\n');
  return file;
}

/** The extension activated on stand-ins; `settings` can be changed afterwards (read on every use). */
function activate(settings: Record<string, unknown> = {}) {
  const host = fakeVscodeHost(settings);
  const subscriptions: { dispose(): void }[] = [];
  loadExtension(host.vscode).activate({ subscriptions, extensionPath: ROOT, extensionUri: host.Uri.file(ROOT) });
  const inspections = () => host.record.output.filter((l) => l.startsWith('[host] inspecting'));
  return { ...host, settings, inspections, dispose: () => { for (const s of subscriptions) s.dispose(); } };
}

type CodeLensProvider = { provideCodeLenses(doc: unknown): unknown[]; onDidChangeCodeLenses(listener: () => void): unknown };
type HoverProvider = { provideHover(doc: unknown, position: { line: number; character: number }): Promise<unknown> };

describe('settings that turn editor features off', () => {
  it('modelLens.codeLens.enabled off: no lenses, and VS Code is told to ask again when it changes', () => {
    const ext = activate();
    try {
      const provider = ext.providers.codeLens[0] as CodeLensProvider;
      const doc = documentOf(experimentFile());
      assert.equal(provider.provideCodeLenses(doc).length, 3, 'Train · Graph · Summary by default');
      let asked = 0;
      provider.onDidChangeCodeLenses(() => asked++);
      ext.settings['codeLens.enabled'] = false;
      ext.events.configuration.fire({ affectsConfiguration: (key: string) => key === 'modelLens.codeLens.enabled' });
      assert.equal(asked, 1);
      assert.deepEqual(provider.provideCodeLenses(doc), []);
      ext.events.configuration.fire({ affectsConfiguration: (key: string) => key === 'modelLens.backend' });
      assert.equal(asked, 1, 'other settings do not redraw the lenses');
    } finally {
      ext.dispose();
    }
  });

  it('modelLens.hover.enabled off: no hover, and no model is built for one', async () => {
    const ext = activate({ 'hover.enabled': false });
    try {
      const provider = ext.providers.hover[0] as HoverProvider;
      const file = experimentFile();
      const line = fs.readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes("name: 'fc1'"));
      const position = { line, character: fs.readFileSync(file, 'utf8').split('\n')[line].indexOf('dense') + 1 };
      assert.equal(await provider.provideHover(documentOf(file), position), undefined);
      assert.deepEqual(ext.inspections(), []);
      // Switched on again: the hover builds the model (in the trainer process) and shows the layer.
      ext.settings['hover.enabled'] = true;
      assert.ok(await provider.provideHover(documentOf(file), position), 'a hover once enabled');
      assert.equal(ext.inspections().length, 1);
    } finally {
      ext.dispose();
    }
  });

  it('modelLens.inspectOnSave off: saving an experiment starts no inspection; on, it does', () => {
    const ext = activate({ inspectOnSave: false });
    try {
      const doc = documentOf(experimentFile());
      ext.events.save.fire(doc);
      assert.deepEqual(ext.inspections(), []);
      ext.settings.inspectOnSave = true;
      ext.events.save.fire(doc);
      assert.equal(ext.inspections().length, 1);
    } finally {
      ext.dispose();
    }
  });
});

describe('context keys of the editor title buttons', () => {
  it('modelLens.isExperiment follows the active editor: on for an experiment file, off for others', () => {
    const ext = activate();
    try {
      assert.equal(ext.contexts.get('modelLens.isExperiment'), false, 'no editor at activation');
      for (const [file, expected] of [[experimentFile(), true], [plainFile(), false], [experimentFile(), true]] as const) {
        const editor = { document: documentOf(file) };
        ext.windowApi.activeTextEditor = editor;
        ext.events.activeEditor.fire(editor);
        assert.equal(ext.contexts.get('modelLens.isExperiment'), expected, path.basename(file));
      }
    } finally {
      ext.dispose();
    }
  });

  it('modelLens.running is on while a training runs and off once it has ended', async () => {
    const run = await trainThroughExtension(limitedMlp(1));
    assert.equal(run.reason, 'completed');
    const running = run.record.contextChanges.filter(([key]) => key === 'modelLens.running').map(([, value]) => value);
    assert.deepEqual(running, [false, true, false]);
  });
});
