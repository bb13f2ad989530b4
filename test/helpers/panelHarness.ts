// Runs the built webview (dist/webview.js + media/*.css) in real headless Chromium, in a page made
// by the same panelHtml() the extension uses, with a stand-in for acquireVsCodeApi that records
// what the panel posts. Tests feed it recorded message streams of real runs.
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { panelHtml } from '../../src/panelPage/panelHtml';
import { ROOT } from './fixtures';

export type Theme = 'dark' | 'light' | 'hc';

const NONCE = 'testnonce0123456789abcdefghijklmn';
const TYPES: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css', '.html': 'text/html' };

function pageHtml(theme: Theme, base: string): string {
  const html = panelHtml({
    cspSource: base, nonce: NONCE, script: { src: `${base}/dist/webview.js` }, style: { href: `${base}/media/panel.css` },
  });
  const bootstrap = `<link rel="stylesheet" href="${base}/media/themes.css" nonce="${NONCE}">
<script nonce="${NONCE}">
  window.__posted = [];
  window.__warnings = [];
  const warn = console.warn.bind(console);
  console.warn = (...a) => { window.__warnings.push(a.join(' ')); warn(...a); };
  let state = null;
  window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__posted.push(m), getState: () => state, setState: (s) => { state = s; } });
</script>`;
  return html
    .replace('<html lang="en">', `<html lang="en" data-theme="${theme}">`)
    .replace('</head>', `${bootstrap}\n</head>`);
}

export interface Harness {
  browser: Browser;
  open(theme?: Theme, size?: { width: number; height: number }): Promise<Page>;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/panel.html') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(pageHtml((url.searchParams.get('theme') as Theme) ?? 'dark', `http://${req.headers.host}`));
      return;
    }
    const file = path.join(ROOT, path.normalize(url.pathname));
    if (!file.startsWith(ROOT) || !fs.existsSync(file)) { res.writeHead(404); res.end(); return; }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  return {
    browser,
    async open(theme = 'dark', size = { width: 1280, height: 800 }) {
      const page = await browser.newPage({ viewport: size });
      const problems: string[] = [];
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
      (page as unknown as { problems: string[] }).problems = problems;
      await page.goto(`http://127.0.0.1:${port}/panel.html?theme=${theme}`);
      try {
        await page.waitForFunction(() => (window as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'ready'), undefined, { timeout: 10_000 });
      } catch (e) {
        throw new Error(`the panel did not start: ${problems.join('; ') || (e as Error).message}`);
      }
      return page;
    },
    async close() {
      await browser.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Posts host messages to the panel as VS Code would. */
export async function postToPanel(page: Page, messages: unknown[]): Promise<void> {
  await page.evaluate((ms) => { for (const m of ms) window.postMessage(m, '*'); }, messages);
}

/** Waits for two animation frames: one to render what was posted, one to be sure it painted. */
export async function settled(page: Page): Promise<void> {
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

export const SCREENSHOT_DIR = path.join(ROOT, 'artifacts', 'screenshots');

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}
