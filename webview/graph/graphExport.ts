// Export of the graph as a standalone SVG (styles resolved from the theme and inlined) or a PNG.
import type { ViewContext } from '../view';

const STYLE_PROPERTIES = ['fill', 'fill-opacity', 'stroke', 'stroke-width', 'stroke-dasharray', 'stroke-opacity', 'opacity',
  'font-family', 'font-size', 'font-weight', 'display', 'visibility'];

function inlineStyles(source: Element, target: Element): void {
  const computed = getComputedStyle(source);
  const style = STYLE_PROPERTIES.map((p) => `${p}:${computed.getPropertyValue(p)}`).join(';');
  target.setAttribute('style', style);
  for (let i = 0; i < source.children.length; i++) inlineStyles(source.children[i], target.children[i]);
}

/** The drawn graph (`viewport`: the canvas's zoomed group) as a standalone SVG document. */
export function graphSvgText(viewport: SVGGElement): string {
  const box = viewport.getBBox();
  const pad = 16;
  const out = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  out.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  out.setAttribute('width', String(Math.ceil(box.width + 2 * pad)));
  out.setAttribute('height', String(Math.ceil(box.height + 2 * pad)));
  out.setAttribute('viewBox', `${box.x - pad} ${box.y - pad} ${box.width + 2 * pad} ${box.height + 2 * pad}`);
  const background = document.createElementNS('http://www.w3.org/2000/svg', 'rect');
  background.setAttribute('x', String(box.x - pad));
  background.setAttribute('y', String(box.y - pad));
  background.setAttribute('width', String(box.width + 2 * pad));
  background.setAttribute('height', String(box.height + 2 * pad));
  background.setAttribute('fill', getComputedStyle(document.body).backgroundColor);
  out.append(background);
  const clone = viewport.cloneNode(true) as SVGGElement;
  clone.removeAttribute('transform');
  inlineStyles(viewport, clone);
  clone.removeAttribute('style');
  out.append(clone);
  return new XMLSerializer().serializeToString(out);
}

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

async function svgToPng(svgText: string, scale = 2): Promise<Uint8Array> {
  const url = URL.createObjectURL(new Blob([svgText], { type: 'image/svg+xml' }));
  try {
    const img = new Image();
    await new Promise<void>((resolve, reject) => { img.onload = () => resolve(); img.onerror = () => reject(new Error('the SVG did not render')); img.src = url; });
    const canvas = document.createElement('canvas');
    canvas.width = Math.ceil(img.width * scale);
    canvas.height = Math.ceil(img.height * scale);
    const g = canvas.getContext('2d')!;
    g.scale(scale, scale);
    g.drawImage(img, 0, 0);
    const blob = await new Promise<Blob>((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('no PNG'))), 'image/png'));
    return new Uint8Array(await blob.arrayBuffer());
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** Saves the graph's SVG text (see graphSvgText) as an SVG or PNG file through the view's context. */
export async function exportGraph(text: string, format: 'svg' | 'png', ctx: ViewContext): Promise<void> {
  try {
    if (format === 'svg') ctx.save('model-graph.svg', 'image/svg+xml', toBase64(new TextEncoder().encode(text)));
    else ctx.save('model-graph.png', 'image/png', toBase64(await svgToPng(text)));
  } catch (e) {
    ctx.warn(`export failed: ${(e as Error).message}`);
  }
}
