// Small RGB test images written as PNG or JPEG (by the file's extension), for the image-folder tests.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PNG } from 'pngjs';
import * as jpeg from 'jpeg-js';

export type Rgb = [number, number, number];

/** A w × h image of `colour` with a little texture (so resizing has something to do), as RGBA bytes. */
export function texturedRgba(w: number, h: number, [r, g, b]: Rgb): Buffer {
  const data = Buffer.alloc(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 4;
      const t = ((x + y) % 5) * 4;
      data[i] = Math.min(255, r + t);
      data[i + 1] = Math.min(255, g + t);
      data[i + 2] = Math.min(255, b + t);
      data[i + 3] = 255;
    }
  }
  return data;
}

/** Writes that image to `file` (its folders made): PNG for `.png`, else JPEG at quality 90. */
export function writeImage(file: string, w: number, h: number, colour: Rgb): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const data = texturedRgba(w, h, colour);
  if (file.endsWith('.png')) {
    const png = new PNG({ width: w, height: h });
    data.copy(png.data);
    fs.writeFileSync(file, PNG.sync.write(png));
  } else {
    fs.writeFileSync(file, jpeg.encode({ width: w, height: h, data }, 90).data);
  }
}
