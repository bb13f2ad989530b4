// Step through in a real VS Code (code-server + Chromium, the packaged VSIX): train the course MLP,
// press "Step through" in the panel, walk to one dense layer's backward stage with the keyboard and
// check its filled-in formula, then continue training. Screenshots: artifacts/screenshots/e2e-step-*.png.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { codeServerEntry, findWebviewFrame, openFile, runCommand, startVsCode, waitFor, type VsCodeSession } from '../helpers/codeServer';
import { ROOT } from '../helpers/fixtures';
import { limitedMlp } from '../helpers/hostRun';

const VSIX = path.join(ROOT, 'model-lens.vsix');

describe('Step through in a real VS Code (code-server)', { timeout: 600_000 }, () => {
  let vscode: VsCodeSession | undefined;
  let startError: unknown;

  before(async () => {
    try {
      codeServerEntry();
      assert.ok(fs.existsSync(VSIX), `${VSIX} is missing: run \`npm run package\` first`);
      vscode = await startVsCode({ vsix: VSIX, workspaceFiles: { 'mnist-mlp.ts': limitedMlp(400) } });
    } catch (e) {
      startError = e;
    }
  }, { timeout: 240_000 });

  after(async () => { await vscode?.stop(); });

  it('pauses a training run, walks one dense layer backward with its numbers, and continues training', async () => {
    if (startError) throw startError;
    const s = vscode!;
    const { page } = s;
    try {
      await openFile(page, 'mnist-mlp.ts');
      await runCommand(page, 'Model Lens: Train Model');
      const frame = await findWebviewFrame(page, '[data-tab="step"]', 180_000);
      await waitFor('training to start', async () => (/loss \d/.test((await frame.locator('#status').textContent()) ?? '') ? true : undefined), { timeoutMs: 180_000 });
      await frame.locator('[data-tab="step"]').click();
      await frame.locator('.step-trace').click();
      // The trainer traces the next step and pauses after it.
      await waitFor('a traced step', async () => (/Forward 1: flatten/.test((await frame.locator('.step-stage-title').textContent()) ?? '') ? true : undefined), { timeoutMs: 60_000 });
      await waitFor('the pause', async () => (/paused after step \d+/.test((await frame.locator('.step-status').textContent()) ?? '') ? true : undefined), { timeoutMs: 30_000 });
      const pausedAt = Number(/paused after step (\d+)/.exec((await frame.locator('.step-status').textContent()) ?? '')![1]);
      await s.screenshot('step-forward');

      // ←/→ on the view: forward ×4, loss, backward fc3, then backward fc2 — a dense layer with ReLU.
      await frame.locator('.view-step').focus();
      for (let i = 0; i < 6; i++) await page.keyboard.press('ArrowRight');
      await waitFor('the fc2 backward stage', async () => (/Backward 2: fc2 \(Dense, relu\)/.test((await frame.locator('.step-stage-title').textContent()) ?? '') ? true : undefined), { timeoutMs: 10_000 });
      assert.match((await frame.locator('.step-formula').textContent()) ?? '', /dL\/dz = dL\/da ⊙ relu′\(z\).*dL\/dW = xᵀ·dL\/dz/);
      const filled = (await frame.locator('.step-filled').textContent()) ?? '';
      // The formula filled in with this sample's numbers: dL/dW[i,j] = x[i]·dL/dz[j].
      const m = /dL\/dW\[(\d+),(\d+)\] = x\[\1\]·dL\/dz\[\2\] = \(?(-?[\d.e-]+)\)?·\(?(-?[\d.e-]+)\)? = (-?[\d.e-]+)/.exec(filled);
      assert.ok(m, filled);
      const [x, dz, g] = [Number(m[3]), Number(m[4]), Number(m[5])];
      assert.ok(Math.abs(x * dz - g) <= 1e-3 * Math.max(1e-6, Math.abs(g)) + 1e-9, `${x}·${dz} vs ${g}`);
      assert.match(filled, /dL\/dkernel: this sample ‖·‖ = .*batch mean used by the update/);
      assert.equal(await frame.locator('.step-edge.lit-backward').count(), 2);
      await page.waitForTimeout(400);
      await s.screenshot('step-backward-fc2');

      // Still paused while we looked; then Continue training runs on.
      assert.match((await frame.locator('.step-status').textContent()) ?? '', new RegExp(`paused after step ${pausedAt}\\b`));
      await frame.locator('.step-resume').click();
      await waitFor('training to go on', async () => {
        const status = (await frame.locator('#status').textContent()) ?? '';
        const step = /step (\d+)\//.exec(status);
        return step && Number(step[1]) > pausedAt + 2 ? true : undefined;
      }, { timeoutMs: 60_000 });
      await runCommand(page, 'Model Lens: Stop Training');
    } catch (e) {
      const file = await s.screenshot('fail-step').catch(() => 'none');
      if (e instanceof Error) e.message += `\nscreenshot: ${file}\nlast logs:\n${s.logs().slice(-3000)}`;
      throw e;
    }
  });
});
