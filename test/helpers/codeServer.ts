// End-to-end harness: a real VS Code workbench (npm `code-server`, VS Code 1.100.3 with a real Node
// extension host) driven by Debian's Chromium through playwright-core. Install code-server once with
// `bash scripts/install-code-server.sh`; everything else happens here, offline, on 127.0.0.1.
//
// Each session gets fresh HOME/XDG/user-data/extensions/workspace folders under one temp dir, the
// VSIX installed with `code-server --install-extension`, user settings that keep VS Code from
// reaching the marketplace or telemetry hosts, a free port, and its own Chromium profile.
// stop() kills code-server's whole process group and removes the temp dir.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type BrowserContext, type Frame, type Locator, type Page } from 'playwright-core';

export const CODE_SERVER_VERSION = '4.100.3';

/** Where scripts/install-code-server.sh puts code-server. */
export function codeServerDir(): string {
  return process.env.MODEL_LENS_CODE_SERVER_DIR ?? path.join(os.homedir(), '.cache', 'model-lens-e2e', 'code-server');
}

/** code-server's entry script; throws (never skips) with the install instruction when it is missing. */
export function codeServerEntry(): string {
  const entry = path.join(codeServerDir(), 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  if (!fs.existsSync(entry)) {
    throw new Error(
      `code-server ${CODE_SERVER_VERSION} is not installed (no ${entry}). ` +
        'Run `bash scripts/install-code-server.sh` first (set MODEL_LENS_CODE_SERVER_DIR to use another folder).');
  }
  return entry;
}

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

export interface StartOptions {
  /** The VSIX to install (absolute path). */
  vsix: string;
  /** Files of the workspace folder, by relative path. */
  workspaceFiles: Record<string, string>;
  /** Extra user settings; they win over the defaults below. */
  settings?: Record<string, unknown>;
  /** Open the folder as trusted (default) or in Restricted Mode. */
  trusted?: boolean;
  /** Browser viewport (default 1400×900). */
  viewport?: { width: number; height: number };
  /** Time allowed for start-up: server, page load, workbench (default 120 s). */
  timeoutMs?: number;
}

export interface VsCodeSession {
  page: Page;
  context: BrowserContext;
  /** The workspace folder on disk. */
  workspace: string;
  /** The workbench URL (with ?folder=). */
  url: string;
  /** VS Code's user data dir (logs/ holds the window's and the extension host's logs). */
  userDataDir: string;
  extensionsDir: string;
  /** code-server's stdout/stderr and the page's console errors, in order. */
  logs(): string;
  /** The extension host's log files and the output channels' files VS Code keeps under logs/. */
  logFiles(): Record<string, string>;
  /** Screenshot to artifacts/screenshots/e2e-NAME.png; returns the path. */
  screenshot(name: string): Promise<string>;
  stop(): Promise<void>;
}

const ROOT = findRoot(__dirname);

function findRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, 'utf8')).name === 'model-lens') return dir;
    if (path.dirname(dir) === dir) return process.cwd();
  }
}

export const SCREENSHOT_DIR = path.join(ROOT, 'artifacts', 'screenshots');

/** Polls `probe` until it returns a value other than undefined/false, or throws with `what` and details. */
export async function waitFor<T>(
  what: string, probe: () => Promise<T | undefined | false> | T | undefined | false,
  opts: { timeoutMs?: number; intervalMs?: number; details?: () => string } = {},
): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value as T;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) {
      const cause = lastError instanceof Error ? `\nlast error: ${lastError.message}` : '';
      const details = opts.details ? `\n${opts.details()}` : '';
      throw new Error(`Timed out after ${opts.timeoutMs ?? 30_000} ms waiting for ${what}${cause}${details}`);
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 200));
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function httpStatus(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 2000 }, (res) => { res.resume(); resolve(res.statusCode ?? 0); });
    req.on('error', () => resolve(0));
    req.on('timeout', () => { req.destroy(); resolve(0); });
  });
}

/** Kills a detached child's whole process group (code-server, its extension host, file watcher, pty host). */
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try { process.kill(-child.pid, signal); } catch { /* already gone */ }
}

const live = new Set<ChildProcess>();
process.on('exit', () => { for (const child of live) killGroup(child, 'SIGKILL'); });

const tail = (text: string, n = 4000) => (text.length > n ? `…${text.slice(-n)}` : text);

export async function startVsCode(options: StartOptions): Promise<VsCodeSession> {
  const entry = codeServerEntry();
  const timeoutMs = options.timeoutMs ?? 120_000;
  const trusted = options.trusted ?? true;
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'model-lens-e2e-'));
  const dirs = {
    home: path.join(base, 'home'),
    userData: path.join(base, 'user-data'),
    extensions: path.join(base, 'extensions'),
    workspace: path.join(base, 'workspace'),
    browser: path.join(base, 'chromium-profile'),
  };
  for (const d of Object.values(dirs)) fs.mkdirSync(d, { recursive: true });
  for (const [rel, text] of Object.entries(options.workspaceFiles)) {
    const file = path.join(dirs.workspace, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  }
  const settings: Record<string, unknown> = {
    'telemetry.telemetryLevel': 'off',
    // VS Code for the web saves after a delay by default; desktop VS Code does not (and tests check what is saved when).
    'files.autoSave': 'off',
    'update.mode': 'none',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'extensions.ignoreRecommendations': true,
    'workbench.startupEditor': 'none',
    'workbench.enableExperiments': false,
    'workbench.tips.enabled': false,
    'workbench.welcomePage.walkthroughs.openOnInstall': false,
    'chat.commandCenter.enabled': false,
    'npm.fetchOnlinePackageInfo': false,
    'typescript.disableAutomaticTypeAcquisition': true,
    'git.enabled': false,
    'security.workspace.trust.enabled': !trusted,
    'security.workspace.trust.startupPrompt': 'never',
    'security.workspace.trust.banner': 'always',
    ...options.settings,
  };
  fs.mkdirSync(path.join(dirs.userData, 'User'), { recursive: true });
  fs.writeFileSync(path.join(dirs.userData, 'User', 'settings.json'), JSON.stringify(settings, null, 2));

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: dirs.home,
    XDG_CONFIG_HOME: path.join(dirs.home, '.config'),
    XDG_DATA_HOME: path.join(dirs.home, '.local', 'share'),
    XDG_CACHE_HOME: path.join(dirs.home, '.cache'),
    XDG_STATE_HOME: path.join(dirs.home, '.local', 'state'),
    XDG_RUNTIME_DIR: path.join(dirs.home, 'run'),
    EXTENSIONS_GALLERY: '{}',
    VSCODE_PROXY_URI: '',
  };
  fs.mkdirSync(env.XDG_RUNTIME_DIR!, { recursive: true, mode: 0o700 });
  delete env.ELECTRON_RUN_AS_NODE;
  delete env.NODE_OPTIONS;
  const common = ['--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions];

  let output = '';
  const append = (prefix: string, text: string) => {
    output += text.split('\n').filter((l) => l.trim()).map((l) => `${prefix}${l}\n`).join('');
    if (output.length > 200_000) output = output.slice(-150_000);
  };

  // 1. The VSIX, into the fresh extensions dir.
  const install = spawnSync(process.execPath, [entry, ...common, '--install-extension', options.vsix], {
    env, encoding: 'utf8', timeout: 120_000,
  });
  append('[install] ', `${install.stdout ?? ''}${install.stderr ?? ''}`);
  if (install.status !== 0 || !/successfully installed/i.test(install.stdout ?? '')) {
    fs.rmSync(base, { recursive: true, force: true });
    throw new Error(`code-server --install-extension ${options.vsix} failed (status ${install.status}):\n${tail(output)}`);
  }

  // 2. code-server on a free port, in its own process group.
  const port = await freePort();
  const child = spawn(process.execPath, [entry, '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none',
    '--disable-telemetry', '--disable-update-check', '--disable-getting-started-override', ...(trusted ? ['--disable-workspace-trust'] : []),
    ...common, dirs.workspace], { env, cwd: dirs.home, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  let exited: string | undefined;
  child.stdout!.setEncoding('utf8').on('data', (d: string) => append('[code-server] ', d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => append('[code-server:err] ', d));
  child.on('exit', (code, signal) => { exited = `code-server exited (code ${code}, signal ${signal})`; live.delete(child); });

  let context: BrowserContext | undefined;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await context?.close().catch(() => {});
    if (!exited) {
      killGroup(child, 'SIGTERM');
      const gone = await waitFor('code-server to exit', () => exited !== undefined, { timeoutMs: 5000 }).then(() => true, () => false);
      if (!gone) killGroup(child, 'SIGKILL');
    }
    killGroup(child, 'SIGKILL'); // stragglers that outlived the parent (extension host, pty host)
    live.delete(child);
    fs.rmSync(base, { recursive: true, force: true, maxRetries: 3 });
  };
  const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(dirs.workspace)}`;
  const details = () => `code-server ${exited ?? 'running'}; last logs:\n${tail(output)}`;

  try {
    await waitFor(`code-server on 127.0.0.1:${port}`, async () => {
      if (exited) throw new Error(exited);
      return (await httpStatus(`http://127.0.0.1:${port}/healthz`)) === 200;
    }, { timeoutMs, details });

    // 3. Chromium, with a fresh profile.
    context = await chromium.launchPersistentContext(dirs.browser, {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: options.viewport ?? { width: 1400, height: 900 },
    });
    const page = context.pages()[0] ?? await context.newPage();
    page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') append(`[browser:${m.type()}] `, m.text()); });
    page.on('pageerror', (e) => append('[browser:pageerror] ', String(e)));
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: timeoutMs });

    // 4. The workbench, with the folder open in the explorer.
    await waitFor('the VS Code workbench', async () =>
      (await page.locator('.monaco-workbench .part.statusbar').isVisible()) &&
      (await page.locator('.monaco-workbench .part.activitybar, .monaco-workbench .part.sidebar').first().isVisible()),
    { timeoutMs, details });

    const session: VsCodeSession = {
      page, context, workspace: dirs.workspace, url, userDataDir: dirs.userData, extensionsDir: dirs.extensions,
      logs: () => output,
      logFiles: () => readLogFiles(path.join(dirs.userData, 'logs')),
      screenshot: async (name: string) => {
        fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
        const file = path.join(SCREENSHOT_DIR, `e2e-${name}.png`);
        await page.screenshot({ path: file });
        return file;
      },
      stop,
    };
    return session;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    await stop();
    throw new Error(message.includes('last logs:') ? message : `${message}\n${details()}`);
  }
}

function readLogFiles(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of fs.existsSync(d) ? fs.readdirSync(d) : []) {
      const p = path.join(d, name);
      if (fs.statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.log')) files[path.relative(dir, p)] = fs.readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return files;
}

// ---- Driving the workbench ---------------------------------------------------------------------

const QUICK_INPUT = '.quick-input-widget';

async function openQuickInput(page: Page, prefix: string): Promise<Locator> {
  const input = page.locator(`${QUICK_INPUT} .quick-input-box input`);
  // A webview that takes the focus as it loads can close the quick input between opening and
  // typing: open and fill again until the text is in it.
  await waitFor('the quick input', async () => {
    if (!(await input.isVisible())) {
      await page.keyboard.press('F1');
      await input.waitFor({ state: 'visible', timeout: 2000 });
    }
    await input.fill(prefix, { timeout: 2000 });
    return (await input.inputValue({ timeout: 1000 })) === prefix ? true : undefined;
  }, { timeoutMs: 30_000 });
  return input;
}

async function closeQuickInput(page: Page): Promise<void> {
  const widget = page.locator(QUICK_INPUT);
  if (await widget.isVisible()) await page.keyboard.press('Escape');
}

/** Picks the quick input row whose label is exactly `label` (or, failing that, the first row that starts with it). */
async function acceptRow(page: Page, label: string, what: string): Promise<void> {
  const rows = page.locator(`${QUICK_INPUT} .quick-input-list .monaco-list-row`);
  const index = await waitFor(what, async () => {
    const labels = await rows.evaluateAll((els) => els.map((el) => (el.getAttribute('aria-label') ?? el.textContent ?? '').trim()));
    const exact = labels.findIndex((l) => l === label || l.startsWith(`${label},`));
    if (exact >= 0) return exact;
    const prefix = labels.findIndex((l) => l.startsWith(label));
    return prefix >= 0 ? prefix : undefined;
  }, {
    timeoutMs: 15_000,
    details: () => 'the quick input did not list it',
  }).catch(async (e: Error) => {
    const labels = await rows.evaluateAll((els) => els.map((el) => el.getAttribute('aria-label') ?? el.textContent));
    await closeQuickInput(page);
    throw new Error(`${e.message}\nrows: ${JSON.stringify(labels)}`);
  });
  await rows.nth(index).click();
  await page.locator(`${QUICK_INPUT}`).waitFor({ state: 'hidden', timeout: 10_000 }).catch(() => {});
}

/** Runs a command by its palette title ("Model Lens: Show Layer Summary"): F1 → type → pick it. */
export async function runCommand(page: Page, title: string): Promise<void> {
  await openQuickInput(page, `>${title}`);
  await acceptRow(page, title, `command "${title}" in the command palette`);
}

/** Opens a workspace file through quick open and waits for its editor tab to be active. */
export async function openFile(page: Page, relativePath: string): Promise<void> {
  const base = path.posix.basename(relativePath);
  await openQuickInput(page, relativePath);
  await acceptRow(page, base, `"${relativePath}" in quick open`);
  await waitFor(`the editor for ${relativePath}`, async () => {
    const tab = page.locator('.editor-group-container.active .tabs-container .tab.active');
    return (await tab.count()) > 0 && (await tab.first().getAttribute('aria-label') ?? '').startsWith(base) &&
      (await page.locator('.editor-group-container.active .monaco-editor .view-lines').first().isVisible());
  }, { timeoutMs: 20_000 });
}

/** The first frame (any depth: webviews sit two iframes deep) holding `selector`. */
export async function findWebviewFrame(page: Page, selector: string, timeoutMs = 30_000): Promise<Frame> {
  return waitFor(`a frame with ${selector}`, async () => {
    for (const frame of page.frames()) {
      if (frame.isDetached()) continue;
      const found = await frame.$(selector).catch(() => null);
      if (found) return frame;
    }
    return undefined;
  }, { timeoutMs, details: () => `frames: ${page.frames().map((f) => f.url().slice(0, 120)).join('\n  ')}` });
}

/** Mouse over `word` on 1-based `lineNumber` of the active editor; returns the hover's text once it has
 *  settled (not "Loading...", the same twice 400 ms apart) and, if `opts.expect` is given, matches it.
 *  Moves the mouse off and back on to ask again until then. */
export async function hoverWord(
  page: Page, lineNumber: number, word: string, opts: { expect?: string | RegExp; timeoutMs?: number } = {},
): Promise<string> {
  await revealLine(page, lineNumber);
  const hover = page.locator('.monaco-editor .monaco-hover:not(.hidden)').filter({ hasText: /\S/ });
  const wanted = (t: string) => !opts.expect || (typeof opts.expect === 'string' ? t.includes(opts.expect) : opts.expect.test(t));
  let last = '';
  return waitFor(`a hover over "${word}" on line ${lineNumber}${opts.expect ? ` showing ${opts.expect}` : ''}`, async () => {
    const box = await wordBox(page, lineNumber, word);
    if (!box) throw new Error(`"${word}" is not on line ${lineNumber} in view`);
    await page.mouse.move(box.x + box.width / 2, box.y + box.height + 60); // off the word first
    await page.waitForTimeout(200);
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 4 });
    try {
      await hover.first().waitFor({ state: 'visible', timeout: 3000 });
    } catch {
      return undefined;
    }
    let previous = '';
    for (let i = 0; i < 10; i++) {
      await page.waitForTimeout(400);
      if (!(await hover.first().isVisible())) return undefined;
      last = (await hover.first().innerText()).trim();
      if (last && !/^Loading\.*$/i.test(last) && last === previous) return wanted(last) ? last : undefined;
      previous = last;
    }
    return undefined;
  }, { timeoutMs: opts.timeoutMs ?? 30_000, details: () => `last hover text: ${JSON.stringify(last)}` });
}

/** Puts line `lineNumber` of the active editor into view (Go to Line). */
export async function revealLine(page: Page, lineNumber: number): Promise<void> {
  await openQuickInput(page, `:${lineNumber}`);
  await page.keyboard.press('Enter');
  await page.locator(QUICK_INPUT).waitFor({ state: 'hidden', timeout: 5000 }).catch(() => {});
}

/** The on-screen box of `word` on 1-based `lineNumber` of the active editor, found through the line-number gutter. */
async function wordBox(page: Page, lineNumber: number, word: string) {
  return page.evaluate(({ lineNumber, word }) => {
    const editor = document.querySelector('.editor-group-container.active .monaco-editor') ?? document.querySelector('.monaco-editor');
    if (!editor) return undefined;
    const gutter = [...editor.querySelectorAll('.margin-view-overlays .line-numbers')].find((el) => el.textContent?.trim() === String(lineNumber));
    if (!gutter) return undefined;
    const top = gutter.getBoundingClientRect().top;
    const line = [...editor.querySelectorAll('.view-lines .view-line')].find((el) => Math.abs(el.getBoundingClientRect().top - top) < 2);
    if (!line) return undefined;
    const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const at = (node.textContent ?? '').search(new RegExp(`\\b${word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`));
      if (at < 0) continue;
      const range = document.createRange();
      range.setStart(node, at);
      range.setEnd(node, at + word.length);
      const r = range.getBoundingClientRect();
      return { x: r.x, y: r.y, width: r.width, height: r.height };
    }
    return undefined;
  }, { lineNumber, word });
}

/** Opens the Problems panel and returns its rows (file rows and markers, as VS Code labels them). */
export async function problems(page: Page, filter = ''): Promise<string[]> {
  await runCommand(page, 'View: Focus Problems (Errors, Warnings, Infos)');
  const view = page.locator('.markers-panel');
  await view.first().waitFor({ state: 'visible', timeout: 10_000 });
  // The list draws only the rows in view: a filter (e.g. a file name) brings the ones wanted into it.
  await page.getByPlaceholder(/^Filter \(e\.g\./).first().fill(filter);
  await page.waitForTimeout(300);
  return view.locator('.monaco-list-row').evaluateAll((els) =>
    els.map((el) => (el.getAttribute('aria-label') ?? el.textContent ?? '').trim()).filter(Boolean));
}

/** All status bar items' text, left to right, joined by " | ". */
export async function statusBarText(page: Page): Promise<string> {
  const items = page.locator('.part.statusbar .statusbar-item');
  const texts = await items.evaluateAll((els) =>
    els.map((el) => (el as HTMLElement).innerText.replace(/\s+/g, ' ').trim()).filter(Boolean));
  return texts.join(' | ');
}

/** The visible notification toasts' messages (newest last). */
export async function notifications(page: Page): Promise<string[]> {
  return page.locator('.notifications-toasts .notification-toast .notification-list-item-message')
    .evaluateAll((els) => els.map((el) => (el as HTMLElement).innerText.trim()));
}

/** Waits for a notification toast whose message contains `text` (string or pattern); returns the message. */
export async function waitForNotification(page: Page, text: string | RegExp, timeoutMs = 30_000): Promise<string> {
  const matches = (m: string) => (typeof text === 'string' ? m.includes(text) : text.test(m));
  return waitFor(`a notification matching ${text}`, async () => (await notifications(page)).find(matches), {
    timeoutMs, details: () => 'no such toast',
  }).catch(async (e: Error) => { throw new Error(`${e.message}\ntoasts: ${JSON.stringify(await notifications(page))}`); });
}

/** The lines the Output panel shows, top to bottom (Monaco renders only the lines in view, in any DOM order). */
export async function outputPanelText(page: Page): Promise<string> {
  const lines = page.locator('.part.panel .output-view .monaco-editor .view-lines');
  await lines.first().waitFor({ state: 'visible', timeout: 10_000 });
  return lines.first().evaluate((el) => [...el.querySelectorAll('.view-line')]
    .map((line) => ({ top: parseFloat((line as HTMLElement).style.top) || 0, text: (line as HTMLElement).innerText }))
    .sort((a, b) => a.top - b.top).map((l) => l.text.replace(/\u00a0/g, ' ')).join('\n'));
}

/** The output channel the Output panel shows ('' when it shows none). */
export async function outputChannel(page: Page): Promise<string> {
  return page.locator('.part.panel .monaco-select-box').first().evaluate((el) => (el as HTMLSelectElement).value ?? '').catch(() => '');
}

/** Waits until the Output panel (showing `channel`, if given) shows `text`. Output scrolls to its end as it
 *  grows; if the text is not in view, the panel is maximised once so that more lines fit. */
export async function waitForOutput(page: Page, text: string | RegExp, opts: { channel?: string; timeoutMs?: number } = {}): Promise<string> {
  const matches = (s: string) => (typeof text === 'string' ? s.includes(text) : text.test(s));
  let last = '';
  let maximised = false;
  let polls = 0;
  return waitFor(`the Output panel${opts.channel ? ` (channel ${opts.channel})` : ''} to show ${text}`, async () => {
    if (opts.channel && (await outputChannel(page)) !== opts.channel) return undefined;
    last = await outputPanelText(page).catch(() => '');
    if (matches(last)) return last;
    if (!maximised && last.trim() && ++polls > 10) {
      maximised = true;
      await runCommand(page, 'View: Toggle Maximized Panel');
    }
    return undefined;
  }, {
    timeoutMs: opts.timeoutMs ?? 60_000,
    details: () => `Output panel shows channel "${opts.channel ?? '?'}":\n${last}`,
  });
}
