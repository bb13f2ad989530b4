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
  codeServerEntry, findWebviewFrame, hoverWord, notifications, openFile, problems, revealLine, runCommand, startVsCode, statusBarText, waitFor,
  type VsCodeSession,
} from '../helpers/codeServer';
import { ROOT } from '../helpers/fixtures';
import { limitedMlp } from '../helpers/hostRun';

const VSIX = path.join(ROOT, 'model-lens.vsix');
const EXTENSION_ID = 'model-lens.model-lens';

/** The course MLP, limited to a few hundred samples (small batches, many epochs: a run of ~10 s). */
const EXPERIMENT = limitedMlp(400);
const lineWith = (needle: string) => EXPERIMENT.split('\n').findIndex((l) => l.includes(needle)) + 1;
/** The same experiment with a misspelt setting. */
const TYPO = EXPERIMENT.replace('epochs: 400,', 'epoch: 400,');
/** The same experiment whose last layer emits logits into a loss that reads probabilities (the model doctor's error). */
const LOGITS = EXPERIMENT.replace("tf.layers.dense({ units: 10, activation: 'softmax', name: 'fc3' })", "tf.layers.dense({ units: 10, name: 'fc3' })");
const logitsLine = (needle: string) => LOGITS.split('\n').findIndex((l) => l.includes(needle)) + 1;
/** A tfjs script that is not an experiment: running it would leave a marker file beside it. */
const SCRIPT = [
  "import * as tf from '@tensorflow/tfjs';",
  'declare const require: (id: string) => { writeFileSync(file: string, text: string): void };',
  'declare const __dirname: string;',
  "require('fs').writeFileSync(`${__dirname}/script-ran.txt`, 'the script ran');",
  'const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [4] })] });',
  'export { model };',
  '',
].join('\n');

/** A plain tfjs script as a tutorial has it (not an experiment): a functional model and a long fit. */
const FIT_SCRIPT = `import * as tf from '@tensorflow/tfjs';

const xs = tf.randomNormal([512, 4], 0, 1, 'float32', 7);
const ys = tf.tidy(() => tf.oneHot(tf.cast(tf.greater(tf.sum(xs, 1), 0), 'int32'), 2));
const input = tf.input({ shape: [4] });
const hidden = tf.layers.dense({ units: 8, activation: 'relu', name: 'hidden' }).apply(input) as tf.SymbolicTensor;
const output = tf.layers.dense({ units: 2, activation: 'softmax', name: 'out' }).apply(hidden) as tf.SymbolicTensor;
const model = tf.model({ inputs: input, outputs: output });
model.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
await model.fit(xs, ys, {
  epochs: 500, batchSize: 16, validationSplit: 0.2,
  callbacks: { onEpochEnd: (epoch, logs) => console.log(\`script epoch \${epoch + 1} loss \${logs?.loss}\`) },
});
`;
const fitScriptLine = (needle: string) => FIT_SCRIPT.split('\n').findIndex((l) => l.includes(needle)) + 1;

/** An experiment whose model() loops until LOOP is set to false (one line to edit in the editor). */
const LOOPING = `import * as tf from '@tensorflow/tfjs';

const LOOP = true;

export default {
  model: () => {
    while (LOOP) { /* never returns */ }
    return tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [2], name: 'only' })] });
  },
};
`;
const loopingLine = (needle: string) => LOOPING.split('\n').findIndex((l) => l.includes(needle)) + 1;
/** Short, so the test waits little for a model() that never returns; still ample for the course MLP. */
const BUILD_TIMEOUT_SECONDS = 5;
/** Four experiments that Show Model Graph opens in turn. */
const MODEL_FILES = ['model-a.ts', 'model-b.ts', 'model-c.ts', 'model-d.ts'];

/** Which editor group (0-based, in the order on screen) holds the Model Lens tab, and how many groups there are. */
async function panelColumn(page: VsCodeSession['page']): Promise<{ column: number; groups: number }> {
  return page.$$eval('.editor-group-container', (groups) => ({
    column: groups.findIndex((g) => Array.from(g.querySelectorAll('.tabs-container .tab')).some((t) => (t.getAttribute('aria-label') ?? '').startsWith('Model Lens'))),
    groups: groups.length,
  }));
}

/** Text of the "Model Lens" output channel, from VS Code's log files. */
function outputLog(s: VsCodeSession): string {
  const logs = s.logFiles();
  return Object.entries(logs).filter(([name]) => /Model Lens/.test(name)).map(([, text]) => text).join('\n');
}

describe('Model Lens in a real VS Code (code-server)', { timeout: 900_000 }, () => {
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
        workspaceFiles: {
          'mnist-mlp.ts': EXPERIMENT, 'typo.ts': TYPO, 'train-script.ts': SCRIPT, 'looping.ts': LOOPING, 'fit-script.ts': FIT_SCRIPT, 'logits.ts': LOGITS,
          ...Object.fromEntries(MODEL_FILES.map((f, i) => [f, EXPERIMENT.replace("name: 'fc2'", `name: 'fc2_${i}'`)])),
        },
        settings: { 'modelLens.buildTimeoutSeconds': BUILD_TIMEOUT_SECONDS },
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
    const line = lineWith("name: 'fc1'");
    const text = await hoverWord(s.page, line, 'dense', { expect: /Params\s+401,920/ });
    assert.match(text, /Dense\s+fc1/);
    assert.match(text, /\[16, 784\] → \[16, 512\]/);
    await s.screenshot('hover');
    await s.page.keyboard.press('Escape');
    await s.page.mouse.move(5, 450);
  });

  step('hovering a layer in a tfjs script that is not an experiment does not run the script', 'script-hover', async (s) => {
    const { page } = s;
    await openFile(page, 'train-script.ts');
    const line = SCRIPT.split('\n').findIndex((l) => l.includes('tf.layers.dense')) + 1;
    // Whatever hover shows (TypeScript's own), it is not Model Lens's: the script is never inspected.
    const text = await hoverWord(page, line, 'dense', { timeoutMs: 10_000 }).catch(() => '');
    assert.doesNotMatch(text, /Params|Mult-adds|Show in graph/);
    await page.keyboard.press('Escape');
    await page.waitForTimeout(3000);
    assert.equal(fs.existsSync(path.join(s.workspace, 'script-ran.txt')), false, 'the script ran');
    assert.doesNotMatch(outputLog(s), /inspecting .*train-script\.ts/);
    await page.mouse.move(5, 450);
  });

  step('shows no type errors for the imports in a folder without node_modules', 'types', async (s) => {
    const { page } = s;
    assert.equal(fs.existsSync(path.join(s.workspace, 'node_modules')), false);
    await openFile(page, 'mnist-mlp.ts');
    // The TypeScript server starts lazily: give it time, then no problem may name the file.
    await page.waitForTimeout(8000);
    const rows = await problems(page);
    assert.deepEqual(rows.filter((r) => /Cannot find module|mnist-mlp/.test(r)), [], rows.join('\n'));
    await s.screenshot('types');
  });

  step('"Train Model" trains live: graph, gradient colours, loss chart, progress and status bar; "Stop Training" stops it', 'train', async (s) => {
    const { page } = s;
    await openFile(page, 'mnist-mlp.ts');
    await runCommand(page, 'Model Lens: Train Model');
    // Progress in the status bar; no notification covers the panel (modelLens.progressNotification is off by default).
    await waitFor('progress and loss in the status bar', async () => /\d+% · epoch \d+\/400 · batch loss \d+\.\d+/.test(await statusBarText(page)), { timeoutMs: 180_000 });
    assert.ok(!(await notifications(page)).some((t) => /^Model Lens: training/.test(t)), 'no progress notification');

    // The graph (Train Model opens the panel on it): the four layers with their shapes.
    const frame = await findWebviewFrame(page, 'g.node[data-layer="fc1"]', 60_000);
    assert.equal(await frame.locator('g.node[data-kind="layer"]').count(), 4);
    const text = (layer: string) => frame.locator(`g.node[data-layer="${layer}"]`).innerText();
    assert.match(await frame.locator('g.node[data-kind="layer"][data-layer="flatten"]').textContent() ?? '', /\[B, 28, 28, 1\] → \[B, 784\]/);
    assert.match(await frame.locator('g.node[data-kind="layer"][data-layer="fc1"]').textContent() ?? '', /\[B, 784\] → \[B, 512\].*401,920 params/);
    assert.match(await frame.locator('g.node[data-kind="layer"][data-layer="fc2"]').textContent() ?? '', /\[B, 512\] → \[B, 128\]/);
    assert.match(await frame.locator('g.node[data-kind="layer"][data-layer="fc3"]').textContent() ?? '', /\[B, 128\] → \[B, 10\]/);
    void text;
    // Gradient colours change as gradient messages arrive.
    const l2 = () => frame.locator('g.node[data-layer="fc1"]').getAttribute('data-l2');
    const first = await waitFor('a gradient colour on fc1', async () => (await l2()) ?? undefined, { timeoutMs: 30_000 });
    await waitFor('the gradient colour of fc1 to change', async () => ((await l2()) !== first ? true : undefined), { timeoutMs: 30_000 });
    await s.screenshot('train-graph');
    // The loss chart grows.
    await frame.locator('[data-tab="training"]').click();
    const points = async () => Number(await frame.locator('[data-series="loss-raw"]').first().getAttribute('data-points'));
    const before = await waitFor('loss points', async () => ((await points()) > 0 ? points() : undefined), { timeoutMs: 30_000 });
    await waitFor('the loss chart to grow', async () => ((await points()) > before ? true : undefined), { timeoutMs: 30_000 });
    await page.waitForTimeout(300);
    await s.screenshot('train-chart');
    // A hover during the run shows the layer's live gradient figures.
    await openFile(page, 'mnist-mlp.ts');
    const hover = await hoverWord(page, lineWith("name: 'fc1'"), 'dense', { expect: /Gradient at step \d+/ });
    assert.match(hover, /‖g‖₂ \d/);
    await page.keyboard.press('Escape');

    await runCommand(page, 'Model Lens: Stop Training');
    const status = await waitFor('"stopped" in the status bar', async () => {
      const t = await statusBarText(page);
      return /\bstopped\b/.test(t) ? t : undefined;
    }, { timeoutMs: 30_000, details: () => 'status bar never said stopped' });
    assert.match(status, /stopped · (epoch mean |batch )loss \d+\.\d+/);
    await s.screenshot('train-stopped');
    const log = await waitFor('the event-loop delay in the output', () => /event-loop delay during the run: p50 ([\d.]+) ms, p99 ([\d.]+) ms, max ([\d.]+) ms; loop busy ([\d.]+)% of the time; ([^\n]*)/.exec(outputLog(s)) ?? undefined, { timeoutMs: 15_000 });
    console.log(`extension host event-loop delay while training: p50 ${log[1]} ms, p99 ${log[2]} ms, max ${log[3]} ms, loop busy ${log[4]}%, ${log[5]} (budget p99 < 20 ms)`);
  });

  step('freezing a layer from the graph edits the file and the next summary', 'freeze', async (s) => {
    const { page } = s;
    // Opening the file for the hover may have covered the panel: bring it back (it is restored from the run).
    await runCommand(page, 'Model Lens: Show Panel');
    const frame = await findWebviewFrame(page, '[data-tab="graph"]', 30_000);
    await frame.locator('[data-tab="graph"]').click();
    await frame.locator('g.node[data-kind="layer"][data-layer="fc1"]').click({ button: 'right' });
    await frame.locator('.graph-menu .menu-item[data-action="freeze"]').click();
    // The panel now shows the model as the editor's text defines it: fc1 frozen, 468,874 − 401,920 trainable.
    const summary = await findWebviewFrame(page, '[data-tab="summary"]', 60_000);
    await waitFor('the new summary', async () => {
      await summary.locator('[data-tab="summary"]').click().catch(() => undefined);
      const t = await summary.locator('dd[data-total="Trainable params"]').innerText({ timeout: 2000 }).catch(() => '');
      return t === '66,954' ? t : undefined;
    }, { timeoutMs: 90_000 });
    assert.equal(await summary.locator('dd[data-total="Non-trainable params"]').innerText(), '401,920');
    await s.screenshot('freeze');
    // The edit is in the editor, unsaved: the file on disk is the user's until they save it.
    const file = path.join(s.workspace, 'mnist-mlp.ts');
    assert.doesNotMatch(fs.readFileSync(file, 'utf8'), /freeze:/);
    await openFile(page, 'mnist-mlp.ts');
    await page.keyboard.press('Control+S');
    await waitFor('the freeze list in the saved file', () => (/\n {2}freeze: \['fc1'\],\n/.test(fs.readFileSync(file, 'utf8')) ? true : undefined), { timeoutMs: 30_000 });
  });

  step('a syntax error in the file shows in the Problems panel at its line', 'syntax', async (s) => {
    const { page } = s;
    await openFile(page, 'mnist-mlp.ts');
    const current = fs.readFileSync(path.join(s.workspace, 'mnist-mlp.ts'), 'utf8').split('\n');
    const line = current.findIndex((l) => l.includes("name: 'fc2'")) + 1;
    await revealLine(page, line);
    await page.keyboard.press('End');
    await page.keyboard.type(' ))');
    await page.keyboard.press('Control+S');
    const rows = await waitFor('a Model Lens problem', async () => {
      const r = await problems(page);
      return r.some((x) => /Model Lens/.test(x)) ? r : undefined;
    }, { timeoutMs: 90_000 });
    const mine = rows.find((x) => /Model Lens/.test(x))!;
    assert.match(mine, new RegExp(`at line ${line}\\b`), mine);
    await s.screenshot('syntax-error');
  });

  step('a misspelt setting shows in the Problems panel at its line, with the key meant', 'typo', async (s) => {
    const { page } = s;
    await openFile(page, 'typo.ts');
    const line = TYPO.split('\n').findIndex((l) => l.includes('epoch: 400')) + 1;
    // An edit and a save: inspect on save runs the trainer's checks.
    await revealLine(page, 1);
    await page.keyboard.press('End');
    await page.keyboard.type(' ');
    await page.keyboard.press('Control+S');
    const rows = await waitFor('the Model Lens problem for `epoch`', async () => {
      const r = await problems(page, '**/typo.ts');
      return r.some((x) => /unknown key `epoch` in training/.test(x)) ? r : undefined;
    }, { timeoutMs: 90_000 });
    const mine = rows.find((x) => /unknown key `epoch` in training/.test(x))!;
    assert.match(mine, /did you mean `epochs`\?/);
    assert.match(mine, new RegExp(`at line ${line}\\b`), mine);
    // The editor underlines it too: the shipped types have no index signatures.
    let seen: string[] = [];
    await waitFor("TypeScript's error on `epoch`", async () => {
      seen = await problems(page, '**/typo.ts');
      return seen.some((x) => /'epoch' does not exist in type 'TrainingSpec'/.test(x) && new RegExp(`at line ${line}\\b`).test(x)) ? true : undefined;
    }, { timeoutMs: 60_000, details: () => seen.join('\n') });
    await s.screenshot('typo');
  });

  step('the model doctor\'s missing softmax shows in Problems at the last layer, and its Quick Fix adds the softmax there', 'quick-fix', async (s) => {
    const { page } = s;
    assert.notEqual(LOGITS, EXPERIMENT, 'the example still has its softmax line');
    const line = logitsLine("name: 'fc3'");
    await openFile(page, 'logits.ts');
    await revealLine(page, 1);
    await page.keyboard.press('End');
    await page.keyboard.type(' ');
    await page.keyboard.press('Control+S');
    const missing = (r: string) => /the softmax is missing/.test(r);
    const rows = await waitFor('the doctor\'s problem for the last layer', async () => {
      const r = await problems(page, '**/logits.ts');
      return r.some(missing) ? r : undefined;
    }, { timeoutMs: 90_000 });
    assert.match(rows.find(missing)!, new RegExp(`at line ${line}\\b`));
    await s.screenshot('doctor-problem');
    await openFile(page, 'logits.ts');
    await revealLine(page, line);
    // Both fixes are offered; the preferred one (the softmax) is focused, and Enter applies it. The
    // menu is asked again until it lists them (an inspection still under way may answer "none" once).
    const menu = page.locator('.action-widget .monaco-list-row');
    await waitFor('the Quick Fix menu with both fixes', async () => {
      await page.keyboard.press('Escape');
      await page.keyboard.press('Control+.');
      const shown = await menu.filter({ hasText: "Use the loss 'softmaxCrossEntropy'" }).first().waitFor({ state: 'visible', timeout: 3000 }).then(() => true, () => false);
      return shown ? true : undefined;
    }, { timeoutMs: 45_000 });
    await page.locator('.action-widget .monaco-list-row.focused', { hasText: "Add activation: 'softmax'" }).waitFor({ state: 'visible', timeout: 10_000 });
    await s.screenshot('quick-fix');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Control+S');
    const file = path.join(s.workspace, 'logits.ts');
    const fixed = await waitFor('the fixed line on disk', async () => {
      const text = fs.readFileSync(file, 'utf8').split('\n')[line - 1];
      return /activation: 'softmax'/.test(text) ? text : undefined;
    }, { timeoutMs: 30_000, details: () => fs.readFileSync(file, 'utf8').split('\n')[line - 1] });
    assert.match(fixed, /name: 'fc3'/);
    await waitFor('the problem to clear once the fixed file is inspected', async () => {
      const r = await problems(page, '**/logits.ts');
      return r.some(missing) ? undefined : true;
    }, { timeoutMs: 90_000 });
  });

  step('a model() that never returns shows in Problems at its line, and the fixed file\'s next save is inspected', 'hang', async (s) => {
    const { page } = s;
    // Earlier steps left editors in two groups (and the panel): start from one editor.
    await runCommand(page, 'View: Close All Editor Groups');
    await openFile(page, 'looping.ts');
    await revealLine(page, loopingLine('const LOOP'));
    await page.keyboard.press('End');
    await page.keyboard.type(' // saved');
    await page.keyboard.press('Control+S');
    const timedOut = (r: string) => /model\(\) did not return within \d+ s/.test(r);
    const rows = await waitFor('the build timeout in Problems', async () => {
      const r = await problems(page, '**/looping.ts');
      return r.some(timedOut) ? r : undefined;
    }, { timeoutMs: 120_000 });
    const mine = rows.find(timedOut)!;
    assert.match(mine, new RegExp(`within ${BUILD_TIMEOUT_SECONDS} s`));
    assert.match(mine, new RegExp(`at line ${loopingLine('model:')}\\b`), mine);
    assert.match(mine, /modelLens\.buildTimeoutSeconds/);
    await s.screenshot('build-timeout');

    await openFile(page, 'looping.ts');
    await revealLine(page, loopingLine('const LOOP'));
    await page.keyboard.press('Home');
    await page.keyboard.press('Shift+End');
    await page.keyboard.type('const LOOP = false;');
    await page.keyboard.press('Control+S');
    await waitFor('the Problems entry to clear once the fixed file is inspected', async () => {
      const r = await problems(page, '**/looping.ts');
      return r.some(timedOut) ? undefined : true;
    }, { timeoutMs: 120_000, details: () => fs.readFileSync(path.join(s.workspace, 'looping.ts'), 'utf8') });
    assert.match(fs.readFileSync(path.join(s.workspace, 'looping.ts'), 'utf8'), /const LOOP = false;/);
  });

  step('Show Model Graph for four files in turn, with the focus moved between columns, keeps the panel in one column; the Summary shows Param #', 'columns', async (s) => {
    const { page } = s;
    const seen: { file: string; column: number; groups: number }[] = [];
    for (const [i, file] of MODEL_FILES.entries()) {
      // Alternate the column the file is opened from (a click on its active tab): the first group, then the last.
      const groups = page.locator('.editor-group-container');
      await groups.nth(i % 2 ? (await groups.count()) - 1 : 0).locator('.tabs-container .tab.active').first().click().catch(() => undefined);
      await openFile(page, file);
      await runCommand(page, 'Model Lens: Show Model Graph');
      const frame = await findWebviewFrame(page, 'g.node[data-kind="layer"]', 120_000);
      await waitFor(`the graph of ${file}`, async () => ((await frame.locator(`g.node[data-layer="fc2_${i}"]`).count()) > 0 ? true : undefined), { timeoutMs: 120_000 });
      seen.push({ file, ...(await panelColumn(page)) });
    }
    await s.screenshot('columns');
    const columns = new Set(seen.map((x) => x.column));
    assert.equal(columns.size, 1, `the panel moved: ${JSON.stringify(seen)}`);
    assert.ok(seen.every((x) => x.groups <= 2), `columns were added: ${JSON.stringify(seen)}`);

    await runCommand(page, 'Model Lens: Show Layer Summary');
    const frame = await findWebviewFrame(page, 'th[data-column="params"]', 60_000);
    const header = await frame.$eval('th[data-column="params"]', (th) => ({
      right: th.getBoundingClientRect().right, width: document.documentElement.clientWidth, text: th.textContent,
    }));
    assert.ok(header.right <= header.width, `Param # ends at ${header.right} of ${header.width}`);
    const cells = await frame.$$eval('td.col-params', (tds) => tds.map((td) => ({ right: td.getBoundingClientRect().right, cut: td.scrollWidth > td.clientWidth })));
    assert.ok(cells.length > 0 && cells.every((c) => !c.cut && c.right <= header.width), JSON.stringify(cells));
    await s.screenshot('summary-columns');
  });

  step('"Run Script with Model Lens" on a plain fit script draws its graph, grows the loss chart, and a hover on a layer line shows its row', 'run-script', async (s) => {
    const { page } = s;
    await runCommand(page, 'View: Close All Editor Groups');
    await openFile(page, 'fit-script.ts');
    await runCommand(page, 'Model Lens: Run Script with Model Lens');
    const frame = await findWebviewFrame(page, 'g.node[data-layer="hidden"]', 180_000);
    assert.equal(await frame.locator('g.node[data-kind="layer"]').count(), 2);
    assert.match(await frame.locator('g.node[data-kind="layer"][data-layer="hidden"]').textContent() ?? '', /\[B, 4\] → \[B, 8\]/);
    await s.screenshot('script-graph');
    await frame.locator('[data-tab="training"]').click();
    const points = async () => Number(await frame.locator('[data-series="loss-raw"]').first().getAttribute('data-points'));
    const before = await waitFor('loss points', async () => ((await points()) > 0 ? points() : undefined), { timeoutMs: 60_000 });
    await waitFor('the loss chart to grow', async () => ((await points()) > before ? true : undefined), { timeoutMs: 60_000 });
    await s.screenshot('script-chart');
    // The script's own output goes to the Output channel.
    await waitFor("the script's onEpochEnd line in the output", () => (/script epoch \d+ loss/.test(outputLog(s)) ? true : undefined), { timeoutMs: 60_000 });
    await openFile(page, 'fit-script.ts');
    const hover = await hoverWord(page, fitScriptLine("name: 'hidden'"), 'dense', { expect: /Params\s+40\b/ });
    assert.match(hover, /Dense\s+hidden/);
    await s.screenshot('script-hover');
    await page.keyboard.press('Escape');
    await runCommand(page, 'Model Lens: Stop Training');
    await waitFor('the script run to end', () => (/run of fit-script\.ts ended: stopped/.test(outputLog(s)) ? true : undefined), { timeoutMs: 30_000 });
  });

  step('a window reload brings the panel back with the last run, and the Runs tree lists it interrupted or stopped', 'reload', async (s) => {
    const { page } = s;
    await runCommand(page, 'Model Lens: Show Panel');
    await findWebviewFrame(page, '[data-tab="training"]', 30_000);
    const runs = path.join(s.workspace, '.model-lens', 'runs');
    const kept = fs.readdirSync(runs).filter((d) => d.endsWith('-mnist-mlp'));
    assert.equal(kept.length, 1, `the training run is kept in ${runs}: ${fs.readdirSync(runs).join(', ')}`);
    // The last run the panel showed is the script step's (folders are named by their start time).
    const last = fs.readdirSync(runs).filter((d) => fs.existsSync(path.join(runs, d, 'run.json'))).sort().at(-1)!;
    assert.match(last, /-fit-script$/);
    // Every batch it recorded (a stopped script may have applied one update more than it reported).
    const steps = fs.readFileSync(path.join(runs, last, 'messages.jsonl'), 'utf8').split('\n')
      .filter((l) => l.startsWith('{') && (JSON.parse(l) as { type: string }).type === 'batch').length;
    assert.ok(steps > 0);

    await runCommand(page, 'Developer: Reload Window');
    // The restored panel shows the last run, read back from its folder: every step it recorded.
    const frame = await findWebviewFrame(page, '[data-tab="training"]', 120_000);
    await waitFor('the restored run\'s loss chart', async () => {
      await frame.locator('[data-tab="training"]').click().catch(() => undefined);
      const points = await frame.locator('[data-series="loss-raw"]').first().getAttribute('data-points', { timeout: 2000 }).catch(() => null);
      return points === String(steps) ? true : undefined;
    }, { timeoutMs: 60_000, details: () => `expected ${steps} loss points` });
    await s.screenshot('reload-panel');

    // The Model Lens view's Runs tree lists the file and, under it, the run.
    await runCommand(page, 'Model Lens: Focus on Runs View');
    const rows = page.locator('.pane-body .monaco-list-row');
    const file = await waitFor('the file row in the Runs tree', async () => {
      const labels = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? e.textContent ?? ''));
      // The script step's run is listed too (newest first): the experiment's row by its file name.
      const i = labels.findIndex((l) => l.startsWith('mnist-mlp.ts: ') && /1 run\b/.test(l));
      return i >= 0 ? i : undefined;
    }, { timeoutMs: 30_000, details: () => 'no row of mnist-mlp.ts says "1 run"' });
    await rows.nth(file).click();
    const run = await waitFor('the run row', async () => {
      const labels = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
      return labels.find((l) => l.startsWith('mnist-mlp.ts run '));
    }, { timeoutMs: 30_000 });
    assert.match(run, /: stopped · /);
    await s.screenshot('reload-runs-tree');
  });
});
