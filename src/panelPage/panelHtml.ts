// The HTML page of the Model Lens panel, shared by the VS Code webview (src/host), the standalone
// report (src/cli) and the webview tests. No `vscode` import: the host passes in the URIs it made with asWebviewUri.

export interface PanelHtmlOptions {
  /** webview.cspSource (in the report: nothing, everything is inline). */
  cspSource: string;
  nonce: string;
  /** <script src> of dist/webview.js, or its text inlined (report). */
  script: { src: string } | { inline: string };
  style: { href: string } | { inline: string };
  /** A host message ({ type: 'snapshot', ... }) embedded in the page (the report). */
  embeddedRun?: unknown;
  /** Every run of a report of several (overlaid in the Training view), before the script that reads them. */
  embeddedRuns?: unknown;
  title?: string;
}

const escapeJsonForHtml = (json: string) => json.replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');

export function panelHtml(o: PanelHtmlOptions): string {
  const csp = [
    "default-src 'none'",
    `img-src ${o.cspSource} data: blob:`.trim(),
    `style-src ${o.cspSource} 'nonce-${o.nonce}'`.trim(),
    `font-src ${o.cspSource}`.trim(),
    `script-src 'nonce-${o.nonce}'`,
    'worker-src blob:',
  ].join('; ');
  const style = 'href' in o.style
    ? `<link rel="stylesheet" href="${o.style.href}" nonce="${o.nonce}">`
    : `<style nonce="${o.nonce}">${o.style.inline}</style>`;
  const script = 'src' in o.script
    ? `<script nonce="${o.nonce}" src="${o.script.src}"></script>`
    : `<script nonce="${o.nonce}">${o.script.inline.replace(/<\/script/gi, '<\\/script')}</script>`;
  const run = o.embeddedRun === undefined ? ''
    : `<script type="application/json" id="model-lens-run">${escapeJsonForHtml(JSON.stringify(o.embeddedRun))}</script>`;
  const runs = o.embeddedRuns === undefined ? ''
    : `<script type="application/json" id="model-lens-runs">${escapeJsonForHtml(JSON.stringify(o.embeddedRuns))}</script>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${o.title ?? 'Model Lens'}</title>
${style}
</head>
<body>
<div id="status" class="status" role="status" aria-live="polite"></div>
<div id="app"></div>
${run}
${runs}
${script}
</body>
</html>`;
}

/** A random nonce for the CSP (crypto-strength; 32 characters). */
export function makeNonce(): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = new Uint8Array(32);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => chars[b % chars.length]).join('');
}
