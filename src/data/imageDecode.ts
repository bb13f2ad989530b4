// PNG and JPEG files as 8-bit RGB pixels, decoded in pure JS (pngjs, jpeg-js): what PIL's
// Image.open(path).convert('RGB') gives torchvision's ImageFolder. The format is read from the
// file's first bytes, not its name. Alpha is dropped (convert('RGB') does not composite); 16-bit
// PNGs are rounded to 8 bits; JPEG pixels can differ from libjpeg's by a level or two (its IDCT and
// chroma upsampling differ), PNG pixels are exact.
import * as fs from 'node:fs';
import { PNG } from 'pngjs';
import * as jpeg from 'jpeg-js';
import { UserError } from '../model/userError';

export interface RgbImage {
  width: number;
  height: number;
  /** height × width × 3, row after row. */
  pixels: Uint8Array;
}

export type ImageFormat = 'png' | 'jpeg';

/** The format of a file from its signature, or null. */
export function sniffFormat(head: Uint8Array): ImageFormat | null {
  if (head.length >= 8 && head[0] === 0x89 && head[1] === 0x50 && head[2] === 0x4e && head[3] === 0x47) return 'png';
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'jpeg';
  return null;
}

/** Reads and decodes `file`; a UserError names it when it cannot be read or is not a whole PNG/JPEG. */
export async function readRgbImage(file: string): Promise<RgbImage> {
  let bytes: Buffer;
  try {
    bytes = await fs.promises.readFile(file);
  } catch (e) {
    throw new UserError(`cannot read the image ${file}: ${(e as Error).message}`);
  }
  return decodeRgb(bytes, file);
}

export function decodeRgb(bytes: Uint8Array, file: string): RgbImage {
  const format = sniffFormat(bytes);
  if (!format) {
    throw new UserError(`${file} is not a PNG or JPEG image (its first bytes say otherwise)`, null,
      'Image folders are read as PNG and JPEG: convert other formats, or move the file out of the folder.');
  }
  let rgba: { width: number; height: number; data: Uint8Array };
  try {
    rgba = format === 'png'
      ? PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))
      : jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, tolerantDecoding: false, maxMemoryUsageInMB: 1024 });
  } catch (e) {
    throw new UserError(`${file} is a corrupt or unsupported ${format === 'png' ? 'PNG' : 'JPEG'} image: ${(e as Error).message ?? e}`, null,
      'Open it in an image viewer; re-save it, or remove it from the folder.');
  }
  const { width, height, data } = rgba;
  if (!(width > 0 && height > 0) || data.length < width * height * 4) {
    throw new UserError(`${file} decodes to no pixels (${width}×${height})`, null, 'Re-save the image, or remove it from the folder.');
  }
  const pixels = new Uint8Array(width * height * 3);
  for (let i = 0, o = 0; o < pixels.length; i += 4, o += 3) {
    pixels[o] = data[i];
    pixels[o + 1] = data[i + 1];
    pixels[o + 2] = data[i + 2];
  }
  return { width, height, pixels };
}
