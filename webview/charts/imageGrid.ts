// Sample images tiled like torchvision's make_grid + imshow: eight per row, a small padding, each
// drawn pixel-exact on its own <canvas> from the trainer's base64 0–255 HWC pixels and scaled up
// without smoothing; below each, its true label and the model's prediction (✗ and an outline when
// wrong).
import type { SamplesMessage } from '../../src/protocol/messages';

const COLUMNS = 8; // torchvision make_grid's nrow default
const GAP = 6;
const MIN_TILE = 56; // room for a caption
const MAX_SCALE = 3;

/** RGBA pixels of one image (grey, RGB or RGBA input). */
export function decodeImage(base64: string, width: number, height: number, channels: number): ImageData {
  const bin = atob(base64);
  const image = new ImageData(width, height);
  const out = image.data;
  const n = width * height;
  for (let i = 0; i < n; i++) {
    const p = i * channels;
    const r = bin.charCodeAt(p);
    const g = channels >= 3 ? bin.charCodeAt(p + 1) : r;
    const b = channels >= 3 ? bin.charCodeAt(p + 2) : r;
    out[i * 4] = r; out[i * 4 + 1] = g; out[i * 4 + 2] = b;
    out[i * 4 + 3] = channels === 4 ? bin.charCodeAt(p + 3) : 255;
  }
  return image;
}

/** Tile scale and columns for `count` images of `w` pixels in `available` CSS pixels. */
export function gridLayout(available: number, w: number, count: number): { scale: number; columns: number } {
  let scale = Math.min(MAX_SCALE, Math.max(1, Math.floor((available - (COLUMNS - 1) * GAP) / (COLUMNS * w))));
  if (w * scale < MIN_TILE) scale = Math.max(scale, Math.ceil(MIN_TILE / w));
  const columns = Math.max(1, Math.min(COLUMNS, count, Math.floor((available + GAP) / (w * scale + GAP))));
  return { scale, columns };
}

export class ImageGrid {
  readonly el: HTMLDivElement;
  private key = '';

  constructor(parent: HTMLElement) {
    this.el = document.createElement('div');
    this.el.className = 'image-grid';
    parent.append(this.el);
  }

  render(width: number, s: SamplesMessage): void {
    const images = s.images ?? [];
    const { scale, columns } = gridLayout(width, s.width, images.length);
    const key = `${columns}|${scale}`;
    const tiles = this.el.children;
    if (this.el.dataset.epoch === String(s.epoch) && key === this.key && tiles.length === images.length && this.el.dataset.source === sourceId(s)) return;
    this.key = key;
    this.el.dataset.epoch = String(s.epoch);
    this.el.dataset.source = sourceId(s);
    this.el.dataset.tiles = String(images.length);
    const tileW = s.width * scale;
    this.el.style.gridTemplateColumns = `repeat(${columns}, ${tileW}px)`;
    this.el.style.gap = `${GAP}px`;
    const name = (k: number) => s.classNames[k] ?? String(k);
    // Before step 1 there are labels and no predictions yet.
    const predicted = s.predictions.length > 0;
    const figures = images.map((b64, i) => {
      const label = s.labels[i];
      const pred = predicted ? s.predictions[i] : label;
      const correct = label === pred;
      const probability = (k: number) => (s.probabilities?.[i]?.[k] !== undefined ? ` (p ${s.probabilities[i][k].toFixed(2)})` : '');
      const fig = document.createElement('figure');
      fig.className = correct ? 'sample-tile' : 'sample-tile wrong';
      fig.dataset.index = String(i);
      fig.dataset.label = name(label);
      fig.dataset.prediction = name(pred);
      fig.dataset.correct = String(correct);
      fig.title = predicted
        ? `#${i + 1}: true ${name(label)}${probability(label)}, predicted ${name(pred)}${probability(pred)}${correct ? '' : ' (wrong)'}`
        : `#${i + 1}: ${name(label)}`;
      const canvas = document.createElement('canvas');
      canvas.width = s.width;
      canvas.height = s.height;
      canvas.style.width = `${tileW}px`;
      canvas.style.height = `${s.height * scale}px`;
      canvas.getContext('2d')?.putImageData(decodeImage(b64, s.width, s.height, s.channels), 0, 0);
      const cap = document.createElement('figcaption');
      const t = document.createElement('span');
      t.className = 'tile-true';
      t.textContent = name(label);
      const p = document.createElement('span');
      p.className = 'tile-pred';
      p.textContent = `${correct ? '✓' : '✗'} ${name(pred)}${correct ? '' : probability(pred)}`;
      if (predicted) cap.append(t, p);
      else cap.append(t);
      fig.append(canvas, cap);
      return fig;
    });
    this.el.replaceChildren(...figures);
  }
}

/** Cheap identity of a samples message (a new one arrives every epoch). */
function sourceId(s: SamplesMessage): string {
  const images = s.images ?? [];
  return `${images.length}:${images[0]?.length ?? 0}:${images[0]?.slice(0, 24) ?? ''}:${s.predictions.join(',')}`;
}
