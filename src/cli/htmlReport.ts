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

/** The element that holds every run of a report of several: `[EmbeddedRun, …]` as JSON. */
export const EMBEDDED_RUNS_ID = 'model-lens-runs';

const jsonForHtml = (value: unknown) =>
  JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');

/**
 * One self-contained HTML file with the panel's UI and the whole recorded run: no server, no
 * network, opens in any browser (strict CSP; scripts and styles inline with a nonce). With `runs`,
 * every one of them is embedded as well (EMBEDDED_RUNS_ID), in order; the panel shows the first.
 */
export function writeHtmlReport(file: string, runFile: string, messages: TrainerMessage[], runs?: EmbeddedRun[]): void {
  let html = panelHtml({
    cspSource: '',
    nonce: makeNonce(),
    script: { inline: asset('webview.js') },
    style: { inline: `${asset('..', 'media', 'themes.css')}\n${asset('..', 'media', 'panel.css')}` },
    embeddedRun: { type: 'snapshot', runId: 'report', file: runFile, messages },
    title: `Model Lens — ${path.basename(runFile)}`,
  });
  if (runs) {
    const at = html.lastIndexOf('</body>');
    html = `${html.slice(0, at)}<script type="application/json" id="${EMBEDDED_RUNS_ID}">${jsonForHtml(runs)}</script>\n${html.slice(at)}`;
  }
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  fs.writeFileSync(file, html);
}
