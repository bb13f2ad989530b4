// Runs and inspections apart, through the whole extension bundle in plain Node (stand-in VS Code
// window parts, the real trainer): an inspection (Show Model Graph of another file) is shown when
// asked for, but "Show Panel" (like a restored panel and Export Run) stays on the latest training
// run, and the inspection runs on the training backend setting.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fakeVscodeHost, loadExtension } from '../helpers/fakeVscode';
import { fixture, ROOT } from '../helpers/fixtures';

async function until(what: string, probe: () => boolean, output: string[], timeoutMs = 240_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; output:\n${output.join('\n')}`);
    await sleep(50);
  }
}

describe('runs and inspections apart', () => {
  it('keeps the latest training run for Show Panel after an inspection, and inspects on the training backend', async () => {
    // Every training run is kept in its project's .model-lens/runs: train a copy in a folder of its own.
    const trained = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ml-host-runs-')), 'frozen-spiral.ts');
    fs.copyFileSync(fixture('train/frozen-spiral.ts'), trained);
    const inspected = fixture('residual.ts');
    const { vscode, registered, record, Uri } = fakeVscodeHost({ backend: 'wasm' });
    const subscriptions: { dispose(): void }[] = [];
    loadExtension(vscode).activate({ subscriptions, extensionPath: ROOT, extensionUri: Uri.file(ROOT) });
    const snapshots = () => record.posts.map((p) => JSON.parse(p) as { type: string; file?: string }).filter((p) => p.type === 'snapshot');
    try {
      await registered.get('modelLens.train')!(Uri.file(trained));
      await until('the training run to end', () => record.output.some((l) => /run of frozen-spiral\.ts ended: completed/.test(l)), record.output);

      await registered.get('modelLens.showGraph')!(Uri.file(inspected));
      await until('the inspection to end', () => record.output.some((l) => /inspection of residual\.ts ended: inspected/.test(l)), record.output);
      await until('the panel to show the inspection', () => snapshots().at(-1)?.file === inspected, record.output);
      const inspecting = record.output.findIndex((l) => l.includes(`inspecting ${inspected}`));
      assert.match(record.output.slice(inspecting).find((l) => l.startsWith('[trainer] backend')) ?? '', /^\[trainer\] backend wasm\b/);

      const before = snapshots().length;
      await registered.get('modelLens.showPanel')!();
      await until('a snapshot after Show Panel', () => snapshots().length > before, record.output);
      assert.equal(snapshots().at(-1)!.file, trained, 'Show Panel shows the latest training run, not the inspection');
    } finally {
      for (const s of subscriptions) s.dispose();
      fs.rmSync(path.dirname(trained), { recursive: true, force: true });
    }
  });
});
