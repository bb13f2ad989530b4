import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeNonce, panelHtml } from '../panelPage/panelHtml';
import type { TrainerMessage } from '../protocol/messages';

/** dist/webview.js and media/ next to this bundle (dist/cli.js), as in the repo and the VSIX. */
function asset(...parts: string[]): string {
  const file = path.join(__dirname, ...parts);
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: build Model Lens first (npm run build)`);
  return fs.readFileSync(file, 'utf8');
}

/** A recorded run embedded beside the shown one, for the panel's overlay of several runs. */
export interface EmbeddedRun {
  runId: string;
  file: string;
  name: string;
  status: string;
  messages: TrainerMessage[];
}

/**
 * One self-contained HTML file with the panel's UI and the whole recorded run: no server, no
 * network, opens in any browser (strict CSP; scripts and styles inline with a nonce). With `runs`,
 * every one of them is embedded as well (`#model-lens-runs`), in order; the panel shows the first and
 * overlays them all in its Training view.
 */
export function writeHtmlReport(file: string, runFile: string, messages: TrainerMessage[], runs?: EmbeddedRun[]): void {
  const html = panelHtml({
    cspSource: '',
    nonce: makeNonce(),
    script: { inline: asset('webview.js') },
    style: { inline: `${asset('..', 'media', 'themes.css')}\n${asset('..', 'media', 'panel.css')}` },
    embeddedRun: { type: 'snapshot', runId: 'report', file: runFile, messages },
    embeddedRuns: runs,
    title: `Model Lens — ${path.basename(runFile)}`,
  });
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  fs.writeFileSync(file, html);
}
