// Text widths without layout: a shared canvas's measureText with the panel's font, so chart margins
// can be sized to their longest label before anything is drawn.

let context: CanvasRenderingContext2D | null = null;
const fonts = new Map<string, string>();

/** The CSS font of `el` (e.g. an SVG text element's parent), cached per class of element. */
export function fontOf(el: Element, key: string): string {
  let font = fonts.get(key);
  if (!font) {
    const cs = getComputedStyle(el);
    font = `${cs.fontStyle} ${cs.fontWeight} ${cs.fontSize} ${cs.fontFamily}`;
    fonts.set(key, font);
  }
  return font;
}

const widths = new Map<string, number>();

/** Width of `text` in `font` (memoised: chart labels repeat every frame). */
export function textWidth(text: string, font: string): number {
  const key = `${font}\u0000${text}`;
  const known = widths.get(key);
  if (known !== undefined) return known;
  context ??= document.createElement('canvas').getContext('2d');
  if (!context) return text.length * 7;
  if (context.font !== font) context.font = font;
  const w = context.measureText(text).width;
  if (widths.size > 5000) widths.clear();
  widths.set(key, w);
  return w;
}

/** The longest of `texts` in `font`, in CSS pixels. */
export function maxTextWidth(texts: Iterable<string>, font: string): number {
  let max = 0;
  for (const t of texts) max = Math.max(max, textWidth(t, font));
  return Math.ceil(max);
}

/** `text` cut to fit `width` with an ellipsis (the whole text belongs in a title/tooltip). */
export function fitText(text: string, width: number, font: string): string {
  if (textWidth(text, font) <= width) return text;
  let lo = 0, hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (textWidth(`${text.slice(0, mid)}…`, font) <= width) lo = mid; else hi = mid - 1;
  }
  return lo === 0 ? '…' : `${text.slice(0, lo)}…`;
}
