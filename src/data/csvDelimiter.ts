// The delimiter of a CSV whose experiment names none: the one of , ; tab | that splits the file's first
// lines into the same number of cells, most cells winning (as Python's csv.Sniffer and pandas' sep=None
// guess it). Spreadsheets in many locales write ';', and .tsv files tabs.
import * as fs from 'node:fs';

const CANDIDATES = [',', ';', '\t', '|'];
const SAMPLE_BYTES = 64 * 1024;
const SAMPLE_LINES = 20;

/** How many times `d` splits `line` outside double quotes. */
function countOutsideQuotes(line: string, d: string): number {
  let n = 0;
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (ch === d && !quoted) n++;
  }
  return n;
}

/**
 * The delimiter that `text` (the start of a file) is written with, or null when none splits it evenly.
 * `cut`: the text stops where the sample did, not at the file's end, so its last line is unfinished.
 */
export function sniffDelimiter(text: string, cut: boolean): string | null {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  if (lines.length > 1 && cut) lines.pop();
  const sample = lines.filter((l) => l.trim() !== '').slice(0, SAMPLE_LINES);
  if (sample.length === 0) return null;
  let best: { d: string; cells: number } | null = null;
  for (const d of CANDIDATES) {
    const counts = sample.map((l) => countOutsideQuotes(l, d));
    if (counts[0] === 0 || counts.some((c) => c !== counts[0])) continue;
    if (!best || counts[0] > best.cells) best = { d, cells: counts[0] };
  }
  return best?.d ?? null;
}

/** The delimiter of `file`: sniffed from its start, else a tab for .tsv and a comma otherwise. */
export async function detectDelimiter(file: string): Promise<string> {
  const fallback = /\.tsv$/i.test(file) ? '\t' : ',';
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(file, 'r');
  } catch {
    return fallback; // the reader says why it cannot read the file
  }
  try {
    const buffer = Buffer.alloc(SAMPLE_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, SAMPLE_BYTES, 0);
    // Bytes, not characters, say whether the sample was cut: text with ß or é is fewer characters than bytes.
    return sniffDelimiter(buffer.subarray(0, bytesRead).toString('utf8'), bytesRead === SAMPLE_BYTES) ?? fallback;
  } catch {
    return fallback; // a folder (EISDIR) or a read error: the reader says what is wrong
  } finally {
    await handle.close();
  }
}
