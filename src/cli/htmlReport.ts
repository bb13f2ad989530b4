import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeNonce, panelHtml } from '../host/panelHtml';
import type { TrainerMessage } from '../protocol/messages';

/** dist/webview.js and media/ next to this bundle (dist/cli.js), as in the repo and the VSIX. */
function asset(...parts: string[]): string {
  const file = path.join(__dirname, ...parts);
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: build Model Lens first (npm run build)`);
  return fs.readFileSync(file, 'utf8');
}

/**
 * One self-contained HTML file with the panel's UI and the whole recorded run: no server, no
 * network, opens in any browser (strict CSP; scripts and styles inline with a nonce).
 */
export function writeHtmlReport(file: string, runFile: string, messages: TrainerMessage[]): void {
  const html = panelHtml({
    cspSource: '',
    nonce: makeNonce(),
    script: { inline: asset('webview.js') },
    style: { inline: `${asset('..', 'media', 'themes.css')}\n${asset('..', 'media', 'panel.css')}` },
    embeddedRun: { type: 'snapshot', runId: 'report', file: runFile, messages },
    title: `Model Lens — ${path.basename(runFile)}`,
  });
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  fs.writeFileSync(file, html);
}
