// A sequential colour scale made only of the theme's colours (VS Code's chart colours via our
// --ml-series-* variables, and the editor background), as a 256-entry lookup table for canvas
// drawing. Low values sit close to the background and high values stand out most from it, in any
// theme: on dark backgrounds blue → purple → orange → yellow (like plasma), on light ones
// orange → red → purple. Re-read on every draw that asks, so a theme switch recolours the next frame.
import * as d3 from 'd3';

export interface ColorRamp {
  /** RGBA bytes of 256 colours, low to high. */
  lut: Uint8ClampedArray;
  /** A CSS colour for t in [0, 1]. */
  css(t: number): string;
}

let cached: { key: string; ramp: ColorRamp } | null = null;
/** Set when the theme may have changed: VS Code restyles <html>/<body>, the report follows the OS. */
let stale = true;
let watching = false;

function watchTheme(): void {
  if (watching) return;
  watching = true;
  const mark = () => { stale = true; };
  const observer = new MutationObserver(mark);
  observer.observe(document.documentElement, { attributes: true });
  if (document.body) observer.observe(document.body, { attributes: true });
  window.matchMedia?.('(prefers-color-scheme: dark)').addEventListener?.('change', mark);
}

const VARIABLES = ['--vscode-editor-background', '--ml-series-1', '--ml-series-4', '--ml-series-2', '--ml-series-6', '--ml-series-5'];

export function themeRamp(el: Element): ColorRamp {
  watchTheme();
  if (cached && !stale) return cached.ramp;
  stale = false;
  const cs = getComputedStyle(el);
  const values = VARIABLES.map((v) => cs.getPropertyValue(v).trim());
  const key = values.join('|');
  if (cached?.key === key) return cached.ramp;
  const grey = d3.rgb(128, 128, 128);
  const [bg, blue, purple, orange, yellow, red] = values.map((v) => d3.color(v) ?? grey);
  const light = d3.lab(bg).l > 50;
  const hues = light ? [orange, red, purple] : [blue, purple, orange, yellow];
  const start = d3.interpolateLab(bg, hues[0])(light ? 0.4 : 0.3);
  const interpolate = d3.piecewise(d3.interpolateLab, [start, ...hues.map((c) => c.formatRgb())]);
  const lut = new Uint8ClampedArray(256 * 4);
  for (let i = 0; i < 256; i++) {
    const c = d3.rgb(interpolate(i / 255));
    lut[i * 4] = c.r; lut[i * 4 + 1] = c.g; lut[i * 4 + 2] = c.b; lut[i * 4 + 3] = 255;
  }
  const ramp: ColorRamp = { lut, css: (t) => interpolate(Math.max(0, Math.min(1, t))) };
  cached = { key, ramp };
  return ramp;
}
