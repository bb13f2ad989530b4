import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DoneMessage, TrainerMessage } from '../../src/protocol/messages';
import { RunSession } from '../../src/host/runSession';
import { setTimeout as sleep } from 'node:timers/promises';
import { RunStore } from '../../src/runs/runStore';
import { fakeVscodeHost, loadExtension } from '../helpers/fakeVscode';
import { fixture, lineOf, ROOT } from '../helpers/fixtures';

const trainerPath = path.join(ROOT, 'dist', 'trainer.js');
const ended = (s: RunSession) => new Promise<DoneMessage>((resolve) => s.once('end', resolve));

describe('a script run in the extension host (Run Script with Model Lens)', () => {
  it("runs the script in the folder it is given, its output to the log, its model and fit in the run's state", async () => {
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-host-script-'));
    const lines: string[] = [];
    const session = new RunSession({
      trainerPath, cwd, log: (line) => lines.push(line),
      request: { file: fixture('scripts/fit-functional.ts'), backend: 'cpu', script: { args: [] } },
    });
    const seen: TrainerMessage[] = [];
    session.on('message', (m) => seen.push(m));
    session.start();
    const done = await ended(session);
    assert.equal(done.reason, 'completed');
    assert.equal(session.state.status, 'completed');
    assert.deepEqual(session.state.model?.graph.nodes.filter((n) => n.kind === 'layer').map((n) => n.name), ['hidden', 'out']);
    assert.equal(session.state.batches.step.length, 15);
    assert.ok(lines.some((l) => l.includes(`cwd ${fs.realpathSync(cwd)}`)), lines.join('\n'));
    assert.ok(lines.some((l) => /epoch 3 loss/.test(l)));
  });

  it('keeps the gradients of each model apart when two models share layer names (the hover reads its model\'s)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-host-two-'));
    const file = path.join(dir, 'compare.ts');
    fs.writeFileSync(file, [
      "import * as tf from '@tensorflow/tfjs';",
      'const xs = tf.randomNormal([64, 3], 0, 1, "float32", 3);',
      'const ys = tf.tidy(() => tf.oneHot(tf.cast(tf.greater(tf.sum(xs, 1), 0), "int32"), 2));',
      'function make(units: number, lr: number) {',
      "  const m = tf.sequential({ layers: [tf.layers.dense({ units, inputShape: [3], activation: 'relu', name: 'hidden' }), tf.layers.dense({ units: 2, activation: 'softmax', name: 'out' })] });",
      "  m.compile({ optimizer: tf.train.sgd(lr), loss: 'categoricalCrossentropy' });",
      '  return m;',
      '}',
      'await make(4, 0.1).fit(xs, ys, { epochs: 1, batchSize: 16 });',
      'await make(32, 0.5).fit(xs, ys, { epochs: 1, batchSize: 16 });',
      '',
    ].join('\n'));
    const session = new RunSession({ trainerPath, cwd: dir, request: { file, backend: 'cpu', script: { args: [] }, gradientEvery: 1 } });
    const seen: TrainerMessage[] = [];
    session.on('message', (m) => seen.push(m));
    session.start();
    assert.equal((await ended(session)).reason, 'completed');
    const sent = seen.filter((m): m is Extract<TrainerMessage, { type: 'gradients' }> => m.type === 'gradients');
    const ids = [...new Set(sent.map((m) => m.modelId))];
    assert.equal(ids.length, 2, 'gradients of both models');
    for (const id of ids) {
      const own = sent.filter((m) => m.modelId === id).map((m) => m.layers.find((l) => l.layer === 'hidden')!.l2);
      const state = session.gradientStateOf(id);
      assert.deepEqual(state.gradients.byLayer.hidden.l2, own);
      assert.equal(state.gradients.latest?.modelId, id);
    }
    assert.equal(session.gradientStateOf(undefined).gradients.byLayer.hidden.l2.length, sent.length, 'the whole run holds both');
  });

  it('Stop ends a script that would run on, as stopped', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-host-script-'));
    const file = path.join(dir, 'forever.mjs');
    fs.writeFileSync(file, "import * as tf from '@tensorflow/tfjs';\nsetInterval(() => tf.tidy(() => tf.ones([2]).sum()), 10);\n");
    const session = new RunSession({ trainerPath, cwd: dir, stopGraceMs: 2000, request: { file, backend: 'cpu', script: { args: [] } } });
    const readyOrDone = new Promise<void>((resolve) => session.on('message', (m) => { if (m.type === 'ready' || m.type === 'done') resolve(); }));
    session.start();
    await readyOrDone;
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(session.running, true, 'the script keeps running until stopped');
    session.stop();
    const done = await ended(session);
    assert.equal(done.reason, 'stopped');
  });
});

describe('Run Script with Model Lens keeps its run (through the extension, stand-in VS Code)', () => {
  it('in .model-lens/runs of the script\'s project: a copy of the script, its messages, summaries and final figures, listed completed', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-host-script-run-'));
    fs.writeFileSync(path.join(root, 'package.json'), '{}');
    const file = path.join(root, 'two-models.ts');
    fs.copyFileSync(fixture('scripts/fit-two-models.ts'), file);
    const { vscode, registered, record, Uri, api } = fakeVscodeHost({ backend: 'cpu' });
    api.workspace.getWorkspaceFolder = () => undefined;
    const subscriptions: { dispose(): void }[] = [];
    loadExtension(vscode).activate({ subscriptions, extensionPath: ROOT, extensionUri: Uri.file(ROOT) });
    try {
      await registered.get('modelLens.runScript')!(Uri.file(file));
      const deadline = Date.now() + 120_000;
      while (!record.output.some((l) => /run of two-models\.ts ended/.test(l))) {
        assert.ok(Date.now() < deadline, `the script did not end; output:\n${record.output.join('\n')}`);
        await sleep(50);
      }
      const store = new RunStore(path.join(root, '.model-lens', 'runs'));
      const [entry] = store.list();
      assert.ok(entry, 'a run is listed');
      assert.equal(entry.status, 'completed');
      assert.equal(entry.file, 'two-models.ts');
      assert.equal(fs.readFileSync(path.join(entry.dir, 'two-models.ts'), 'utf8'), fs.readFileSync(file, 'utf8'));
      const { messages } = store.read(entry.id);
      const models = messages.filter((m) => m.type === 'model');
      assert.deepEqual([...new Set(models.map((m) => m.modelId))], [1, 2]);
      assert.equal(messages.filter((m) => m.type === 'batch').length, entry.figures.steps);
      assert.match(fs.readFileSync(path.join(entry.dir, 'summary.txt'), 'utf8'), /small_hidden[\s\S]*wide_first/);
      assert.ok(fs.existsSync(path.join(entry.dir, 'figures.json')));
    } finally {
      for (const s of subscriptions) s.dispose();
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('Run Script: the doctor\'s findings in Problems at the script\'s lines, with the Quick Fix the parser can apply', () => {
  it('logits into categoricalCrossentropy: an error at the last layer\'s line whose Quick Fix adds the softmax to that layer', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-host-script-doctor-'));
    fs.writeFileSync(path.join(root, 'package.json'), '{}');
    const file = path.join(root, 'logits.ts');
    fs.copyFileSync(fixture('scripts/doctor/logits-sequential.ts'), file);
    const { vscode, registered, record, Uri, api } = fakeVscodeHost({ backend: 'cpu' });
    api.workspace.getWorkspaceFolder = () => undefined;
    type Pos = { line: number; character: number } | { offset: number };
    class Range { constructor(readonly start: Pos | number, readonly end: Pos | number, c?: number, d?: number) {
      if (typeof start === 'number') { this.start = { line: start, character: end as number }; this.end = { line: c ?? 0, character: d ?? 0 }; }
    } }
    class Diagnostic { code?: string; constructor(readonly range: Range, readonly message: string, readonly severity: number) {} }
    class CodeAction { edit?: WorkspaceEdit; constructor(readonly title: string, readonly kind: string) {} }
    class WorkspaceEdit { readonly replacements: { range: { start: { offset: number }; end: { offset: number } }; text: string }[] = [];
      replace(_uri: unknown, range: { start: { offset: number }; end: { offset: number } }, text: string) { this.replacements.push({ range, text }); } }
    const problems = new Map<string, Diagnostic[]>();
    let quickFixes: { provideCodeActions(doc: unknown, range: unknown): CodeAction[] } | undefined;
    const disposable = { dispose() {} };
    api.languages = {
      registerHoverProvider: () => disposable, registerCodeLensProvider: () => disposable,
      createDiagnosticCollection: () => ({ set: (uri: { fsPath: string }, list: Diagnostic[]) => problems.set(uri.fsPath, list), delete() {}, dispose() {} }),
      registerCodeActionsProvider: (_s: unknown, p: typeof quickFixes) => { quickFixes = p; return disposable; },
    };
    Object.assign(api, { Range, Diagnostic, CodeAction, WorkspaceEdit, DiagnosticSeverity: { Error: 0, Warning: 1 }, CodeActionKind: { QuickFix: 'quickfix' } });
    const subscriptions: { dispose(): void }[] = [];
    loadExtension(vscode).activate({ subscriptions, extensionPath: ROOT, extensionUri: Uri.file(ROOT) });
    try {
      await registered.get('modelLens.runScript')!(Uri.file(file));
      const deadline = Date.now() + 120_000;
      while (!record.output.some((l) => /run of logits\.ts ended/.test(l))) {
        assert.ok(Date.now() < deadline, `the script did not end; output:\n${record.output.join('\n')}`);
        await sleep(50);
      }
      const layerLine = lineOf(file, 'units: 3 }') - 1;
      const shown = problems.get(file) ?? [];
      assert.equal(shown.length, 1, JSON.stringify(shown.map((d) => d.message)));
      assert.equal(shown[0].code, 'logitsIntoProbabilityLoss');
      assert.equal(shown[0].severity, 0);
      assert.equal((shown[0].range.start as { line: number }).line, layerLine);
      assert.match(shown[0].message, /softmax is missing/);

      const text = fs.readFileSync(file, 'utf8');
      const doc = { fileName: file, uri: Uri.file(file), getText: () => text, positionAt: (offset: number) => ({ offset }) };
      const actions = quickFixes!.provideCodeActions(doc, new Range(layerLine, 0, layerLine, 0));
      assert.deepEqual(actions.map((a) => a.title), ["Add activation: 'softmax' to the last layer"]);
      const [{ range, text: inserted }] = actions[0].edit!.replacements;
      const fixed = text.slice(0, range.start.offset) + inserted + text.slice(range.end.offset);
      assert.match(fixed.split('\n')[layerLine], /units: 3, activation: 'softmax'/);
    } finally {
      for (const s of subscriptions) s.dispose();
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
