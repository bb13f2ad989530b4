// The panel's manners in the host (plain Node, stand-in window parts, the real trainer): Show Graph
// from any column reveals the panel where it is, and Train from the palette with the panel focused
// trains the panel's experiment without asking which.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fakeVscodeHost, loadExtension } from '../helpers/fakeVscode';
import { ROOT } from '../helpers/fixtures';
import { limitedMlp } from '../helpers/hostRun';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 120_000): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe('the panel stays in its column and follows its experiment', () => {
  it('reveals the panel in its own column on every Show Graph, and Train with the panel focused trains its file', async () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'model-lens-column-'));
    const files = ['a.ts', 'b.ts', 'c.ts'].map((f) => path.join(folder, f));
    for (const f of files) fs.writeFileSync(f, limitedMlp(1));
    const host = fakeVscodeHost();
    const { vscode, registered, record, Uri, windowApi } = host;
    const created: unknown[][] = [];
    const reveals: unknown[][] = [];
    let panel: { active: boolean } | null = null;
    const make = windowApi.createWebviewPanel as (...args: unknown[]) => Record<string, unknown>;
    windowApi.createWebviewPanel = (...args: unknown[]) => {
      created.push(args);
      const p = make(...args);
      p.active = false;
      p.reveal = (...a: unknown[]) => { reveals.push(a); };
      panel = p as unknown as { active: boolean };
      return p;
    };
    let asked = 0;
    windowApi.showQuickPick = () => { asked++; return Promise.resolve(undefined); };
    const subscriptions: { dispose(): void }[] = [];
    loadExtension(vscode).activate({ subscriptions, extensionPath: ROOT, extensionUri: Uri.file(ROOT) });
    try {
      for (const f of files) await registered.get('modelLens.showGraph')!(Uri.file(f));
      assert.equal(created.length, 1, 'one panel');
      assert.equal(reveals.length, files.length - 1);
      for (const [column, preserveFocus] of reveals) {
        assert.equal(column, undefined, 'revealed in the column it is in');
        assert.equal(preserveFocus, true);
      }
      // The panel shows c.ts's model; focused, Train from the palette (no file given) trains c.ts.
      await until('the inspection of c.ts', () => (record.output.some((l) => /inspection of c\.ts ended/.test(l)) ? true : undefined));
      panel!.active = true;
      await registered.get('modelLens.train')!();
      assert.equal(asked, 0, 'no pick of an experiment');
      await until('the training of c.ts', () => (record.statusBar.some((t) => /starting c\.ts/.test(t)) ? true : undefined), 10_000);
      await registered.get('modelLens.stop')!();
      await until('the training to end', () => (record.output.some((l) => /run of c\.ts ended/.test(l)) ? true : undefined));
    } finally {
      for (const s of subscriptions) s.dispose();
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });
});
