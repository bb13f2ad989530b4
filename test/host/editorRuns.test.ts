// What the editor makes the extension run, through the whole extension bundle in plain Node (stand-in
// VS Code, real trainer): hovers, CodeLens and saves run only experiment files; Freeze from the graph
// edits the open document (unsaved changes kept, nothing saved) and the next inspection reads it.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fakeVscodeHost, loadExtension } from '../helpers/fakeVscode';
import { example, ROOT } from '../helpers/fixtures';

interface Offset { offset: number }
class FakeRange {
  readonly start: Offset;
  readonly end: Offset;
  constructor(a: Offset | number, b: Offset | number, c?: number, d?: number) {
    // (start, end) positions from positionAt, or (line, col, line, col) numbers (not used for edits).
    this.start = typeof a === 'number' ? { offset: -1 - a - (b as number) } : a;
    this.end = typeof a === 'number' ? { offset: -1 - (c ?? 0) - (d ?? 0) } : b as Offset;
  }
}
class FakeWorkspaceEdit {
  readonly replacements: { uri: unknown; range: FakeRange; text: string }[] = [];
  replace(uri: unknown, range: FakeRange, text: string): void { this.replacements.push({ uri, range, text }); }
}

/** An open editor document: its text may differ from the file on disk (unsaved changes). */
function fakeDocument(Uri: { file(p: string): { fsPath: string; scheme?: string } }, file: string, text: string) {
  const doc = {
    uri: Object.assign(Uri.file(file), { scheme: 'file' }), fileName: file, languageId: 'typescript', version: 1, isDirty: false,
    text, saves: 0,
    getText: () => doc.text,
    positionAt: (offset: number): Offset => ({ offset }),
    lineAt: (line: number) => ({ text: doc.text.split('\n')[line] ?? '' }),
    save: () => { doc.saves++; return Promise.resolve(true); },
  };
  return doc;
}
type FakeDocument = ReturnType<typeof fakeDocument>;

/** The extension activated with the editor parts these tests drive. */
function editorHost() {
  const host = fakeVscodeHost();
  const disposable = { dispose() {} };
  const providers: { hover?: { provideHover(doc: unknown, pos: unknown): Promise<unknown> }; lens?: { provideCodeLenses(doc: unknown): unknown[] } } = {};
  const onSave: ((doc: unknown) => void)[] = [];
  const documents: FakeDocument[] = [];
  const edits: FakeWorkspaceEdit[] = [];
  host.api.languages = {
    registerHoverProvider: (_s: unknown, p: typeof providers.hover) => { providers.hover = p; return disposable; },
    // Every registered provider's lenses together (experiments and scripts each have one), as VS Code shows them.
    registerCodeLensProvider: (_s: unknown, p: NonNullable<typeof providers.lens>) => {
      const before = providers.lens;
      providers.lens = { provideCodeLenses: (doc) => [...(before?.provideCodeLenses(doc) ?? []), ...p.provideCodeLenses(doc)] };
      return disposable;
    },
    createDiagnosticCollection: () => ({ set() {}, delete() {}, dispose() {} }),
    registerCodeActionsProvider: () => disposable,
  };
  host.api.Range = FakeRange;
  host.api.WorkspaceEdit = FakeWorkspaceEdit;
  host.api.workspace.onDidSaveTextDocument = (fn: (doc: unknown) => void) => { onSave.push(fn); return disposable; };
  host.api.workspace.textDocuments = documents;
  host.api.workspace.openTextDocument = (uri: { fsPath: string }) => Promise.resolve(documents.find((d) => d.fileName === uri.fsPath));
  host.api.workspace.applyEdit = (edit: FakeWorkspaceEdit) => {
    edits.push(edit);
    for (const { uri, range, text } of edit.replacements) {
      const doc = documents.find((d) => d.uri === uri)!;
      doc.text = doc.text.slice(0, range.start.offset) + text + doc.text.slice(range.end.offset);
      doc.version++;
      doc.isDirty = true;
    }
    return Promise.resolve(true);
  };
  const subscriptions: { dispose(): void }[] = [];
  loadExtension(host.vscode).activate({ subscriptions, extensionPath: ROOT, extensionUri: host.Uri.file(ROOT) });
  const open = (file: string, text = fs.readFileSync(file, 'utf8')) => {
    const doc = fakeDocument(host.Uri, file, text);
    documents.push(doc);
    return doc;
  };
  const save = (doc: FakeDocument) => { for (const fn of onSave) fn(doc); };
  const hover = (doc: FakeDocument, needle: string) => {
    const lines = doc.text.split('\n');
    const line = lines.findIndex((l) => l.includes(needle));
    return providers.hover!.provideHover(doc, { line, character: lines[line].indexOf(needle) + 1 });
  };
  /** Waits until the output says an inspection of `file` ended. */
  const inspectionEnded = async (file: string) => {
    const deadline = performance.now() + 120_000;
    while (!host.record.output.some((l) => l.includes(`inspection of ${path.basename(file)} ended`))) {
      assert.ok(performance.now() < deadline, `no end of the inspection; output:\n${host.record.output.join('\n')}`);
      await sleep(50);
    }
  };
  return { ...host, providers, edits, open, save, hover, inspectionEnded, dispose: () => { for (const s of subscriptions) s.dispose(); } };
}

const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'model-lens-editor-'));
after(() => fs.rmSync(folder, { recursive: true, force: true }));

describe('implicit runs from the editor: only experiment files', () => {
  it('a hover, the CodeLens and a save in a tfjs script that is not an experiment do not run it', async () => {
    const marker = path.join(folder, 'script-ran');
    const file = path.join(folder, 'train-script.ts');
    fs.writeFileSync(file, [
      "import * as tf from '@tensorflow/tfjs';",
      "import * as fs from 'node:fs';",
      `fs.writeFileSync(${JSON.stringify(marker)}, 'ran');`,
      'const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1] })] });',
      'export { model };',
      '',
    ].join('\n'));
    const host = editorHost();
    try {
      const doc = host.open(file);
      assert.equal(await host.hover(doc, 'dense'), undefined);
      assert.deepEqual(host.providers.lens!.provideCodeLenses(doc), []);
      host.save(doc);
      await sleep(1000);
      assert.deepEqual(host.record.output.filter((l) => /inspecting|training/.test(l)), []);
      assert.equal(fs.existsSync(marker), false, 'the script ran');
    } finally {
      host.dispose();
    }
  });

  it('an experiment file gets its CodeLens and is inspected on save, also while it is being edited into a syntax error', async () => {
    const file = path.join(folder, 'experiment.ts');
    fs.copyFileSync(example('mnist-mlp.ts'), file);
    const host = editorHost();
    try {
      const doc = host.open(file);
      assert.equal(host.providers.lens!.provideCodeLenses(doc).length, 3);
      doc.text = doc.text.replace("name: 'fc2' }),", "name: 'fc2' }) ))),");
      doc.version++;
      assert.equal(host.providers.lens!.provideCodeLenses(doc).length, 3, 'a version that does not parse keeps the last verdict');
      host.save(doc);
      assert.ok(host.record.output.some((l) => l === `[host] inspecting ${file}`), host.record.output.join('\n'));
      await host.inspectionEnded(file);
    } finally {
      host.dispose();
    }
  });
});

describe('Freeze from the graph in an editor with unsaved changes', () => {
  it('edits the freeze list in the document only, keeps the unsaved changes, does not save, and the next inspection reads the editor', async () => {
    const file = path.join(folder, 'freeze-me.ts');
    fs.copyFileSync(example('mnist-mlp.ts'), file);
    const onDisk = fs.readFileSync(file, 'utf8');
    const host = editorHost();
    try {
      const unsaved = onDisk.replace("name: 'MNIST MLP',", "name: 'edited, not saved',");
      const doc = host.open(file, unsaved);
      doc.isDirty = true;
      await host.registered.get('modelLens.freezeLayer')!(file, 'fc1', true);

      assert.equal(doc.saves, 0, 'the document was saved behind the user’s back');
      assert.equal(fs.readFileSync(file, 'utf8'), onDisk, 'the file on disk changed');
      assert.equal(host.edits.length, 1);
      const [replacement] = host.edits[0].replacements;
      assert.ok(replacement.range.end.offset - replacement.range.start.offset <= 1, 'one small range replaced, not the whole text');
      assert.equal(doc.text, unsaved.replace("loss: 'categoricalCrossentropy',\n  },\n", "loss: 'categoricalCrossentropy',\n  },\n  freeze: ['fc1'],\n"));

      // The panel shows the model the editor's text defines: its unsaved name, and fc1 frozen.
      const deadline = performance.now() + 120_000;
      let model: { name: string; summary: { totals: { trainableParams: number; nonTrainableParams: number } } } | undefined;
      while (!model) {
        assert.ok(performance.now() < deadline, `no model in the panel; output:\n${host.record.output.join('\n')}`);
        await sleep(100);
        for (const p of host.record.posts) {
          const post = JSON.parse(p) as { messages?: { type: string }[] };
          model ??= post.messages?.find((m) => m.type === 'model') as typeof model;
        }
      }
      assert.equal(model.name, 'edited, not saved');
      assert.deepEqual([model.summary.totals.trainableParams, model.summary.totals.nonTrainableParams], [468_874 - 401_920, 401_920]);
      await host.inspectionEnded(file);
    } finally {
      host.dispose();
    }
  });

  it('leaves a list it cannot edit safely as it is and says which line to edit', async () => {
    const file = path.join(folder, 'spread.ts');
    const text = fs.readFileSync(example('mnist-mlp.ts'), 'utf8').replace("name: 'MNIST MLP',", "name: 'MNIST MLP',\n  freeze: [...FROZEN],");
    fs.writeFileSync(file, text);
    const host = editorHost();
    try {
      const doc = host.open(file);
      await host.registered.get('modelLens.freezeLayer')!(file, 'fc1', true);
      assert.equal(doc.text, text);
      assert.equal(host.edits.length, 0);
      const line = text.split('\n').findIndex((l) => l.includes('freeze:')) + 1;
      assert.ok(host.messages.some((m) => m.includes('spread') && m.includes(`At line ${line}, add 'fc1' to the freeze list`)), host.messages.join('\n'));
    } finally {
      host.dispose();
    }
  });
});
