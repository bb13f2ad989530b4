// Smoke test in a real VS Code: code-server 4.100.3 (VS Code 1.100.3) driven by Chromium. Installs the
// packaged model-lens.vsix (make it with `npm run package`) into a fresh profile, opens a workspace with
// the course MLP, and runs the extension's commands through the command palette like a person would.
// Needs code-server: `bash scripts/install-code-server.sh`. Without it this test fails, it never skips.
// Screenshots: artifacts/screenshots/e2e-*.png.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  codeServerEntry, findWebviewFrame, hoverWord, openFile, runCommand, startVsCode, statusBarText, waitFor,
  waitForNotification, type VsCodeSession,
} from '../helpers/codeServer';
import { ROOT, example, lineOf } from '../helpers/fixtures';

const VSIX = path.join(ROOT, 'model-lens.vsix');
const EXTENSION_ID = 'model-lens.model-lens';

describe('Model Lens in a real VS Code (code-server)', { timeout: 600_000 }, () => {
  let vscode: VsCodeSession | undefined;
  let startError: unknown;
  // Every test fails with the start-up error (e.g. "run scripts/install-code-server.sh"), so a
  // machine without code-server reports failures, not cancellations or skips.
  const session = (): VsCodeSession => {
    if (startError) throw startError;
    assert.ok(vscode, 'VS Code did not start');
    return vscode;
  };

  before(async () => {
    try {
      codeServerEntry(); // throws "run scripts/install-code-server.sh" when code-server is missing
      assert.ok(fs.existsSync(VSIX), `${VSIX} is missing: run \`npm run package\` first`);
      vscode = await startVsCode({
        vsix: VSIX,
        workspaceFiles: { 'mnist-mlp.ts': fs.readFileSync(example('mnist-mlp.ts'), 'utf8') },
      });
    } catch (e) {
      startError = e;
    }
  }, { timeout: 240_000 });

  after(async () => {
    if (vscode && process.env.MODEL_LENS_E2E_LOGS) console.log(vscode.logs());
    await vscode?.stop();
  });

  /** A test that screenshots the workbench (artifacts/screenshots/e2e-fail-NAME.png) when it fails. */
  const step = (name: string, shot: string, fn: (s: VsCodeSession) => Promise<void>) => it(name, async () => {
    const s = session();
    try {
      await fn(s);
    } catch (e) {
      const file = await s.screenshot(`fail-${shot}`).catch(() => 'none');
      if (e instanceof Error) e.message += `\nscreenshot: ${file}\nlast logs:\n${s.logs().slice(-3000)}`;
      throw e;
    }
  });

  step('has the VSIX installed in the fresh extensions folder and lists it in the Extensions view', 'extensions', async ({ page, extensionsDir, screenshot }) => {
    const installed = fs.readdirSync(extensionsDir).filter((d) => d.startsWith(`${EXTENSION_ID}-`));
    assert.equal(installed.length, 1, `extensions dir holds ${fs.readdirSync(extensionsDir).join(', ')}`);
    await runCommand(page, 'View: Show Extensions');
    const item = page.locator('.extensions-viewlet .monaco-list-row').filter({ hasText: 'Model Lens' });
    await item.first().waitFor({ state: 'visible', timeout: 30_000 });
    await screenshot('extensions');
    await runCommand(page, 'View: Show Explorer');
  });

  step('"Show Layer Summary" activates the extension and shows the summary in the Model Lens panel', 'summary', async (s) => {
    const { page } = s;
    await openFile(page, 'mnist-mlp.ts');
    await runCommand(page, 'Model Lens: Show Layer Summary');
    // The panel is a webview (two iframes deep); the model is built in a child process (esbuild-wasm
    // bundles the experiment, tfjs builds it): allow it time on a 2-core machine.
    const frame = await findWebviewFrame(page, 'dd[data-total="Total params"]', 120_000);
    assert.equal(await frame.locator('dd[data-total="Total params"]').innerText(), '468,874');
    assert.equal(await frame.locator('dd[data-total="Trainable params"]').innerText(), '468,874');
    assert.equal(await frame.locator('dd[data-total="Non-trainable params"]').innerText(), '0');
    const layers = await frame.locator('table.summary-table tbody tr').allInnerTexts();
    assert.ok(layers.some((l) => /Dense \(fc1\)/.test(l)), layers.join('\n'));
    await page.waitForTimeout(400);
    await s.screenshot('summary-panel');

    // The extension host logged the activation.
    await waitFor('the activation in the extension host log', () => {
      const logs = s.logFiles();
      const name = Object.keys(logs).find((n) => /exthost\d*[/\\]remoteexthost\.log$/.test(n));
      return name !== undefined && /ExtensionService#_doActivateExtension model-lens\.model-lens\b/.test(logs[name]);
    }, { timeoutMs: 10_000, details: () => Object.keys(s.logFiles()).join('\n') });
  });

  step('hovering a layer shows its summary row', 'hover', async (s) => {
    const line = lineOf(example('mnist-mlp.ts'), "name: 'fc1'");
    const text = await hoverWord(s.page, line, 'dense', { expect: /Params\s+401,920/ });
    assert.match(text, /Dense\s+fc1/);
    assert.match(text, /\[128, 784\] → \[128, 512\]/);
    await s.screenshot('hover');
    await s.page.keyboard.press('Escape');
    await s.page.mouse.move(5, 450);
  });

  step('"Train Model" trains with a progress notification and status bar item; "Stop Training" stops it', 'train', async (s) => {
    const { page } = s;
    await runCommand(page, 'Model Lens: Train Model');
    const message = await waitForNotification(page, /^Model Lens: training mnist-mlp\.ts: epoch 1\/5 · batch \d+\/469 · loss \d/, 180_000);
    assert.match(message, /it\/s$/);
    await waitFor('loss in the status bar', async () => /loss \d+\.\d+/.test(await statusBarText(page)), { timeoutMs: 30_000 });
    await page.waitForTimeout(300);
    await s.screenshot('train');
    await runCommand(page, 'Model Lens: Stop Training');
    const status = await waitFor('"stopped" in the status bar', async () => {
      const text = await statusBarText(page);
      return /\bstopped\b/.test(text) ? text : undefined;
    }, { timeoutMs: 30_000, details: () => 'status bar never said stopped' });
    assert.match(status, /stopped · loss \d+\.\d+/);
    await s.screenshot('train-stopped');
  });
});
