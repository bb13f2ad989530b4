// Reads a CSV file as rows of cells, chunk by chunk, so a file larger than memory streams. The cells
// are parsed by papaparse's core parser (quotes, doubled quotes, delimiters and line breaks inside
// quotes); this file feeds it chunks, keeps the unfinished last row for the next chunk, drops a
// UTF-8 BOM and reads lines ending in \n, \r\n or \r, mixed in one file too (csvLineBreaks.ts).
import * as fs from 'node:fs';
import Papa from 'papaparse';
import { UserError } from '../model/userError';
import { LineBreaks } from './csvLineBreaks';

export interface CsvRows {
  /** Rows as parsed, blank lines included (as ['']) so row numbers stay those a spreadsheet shows. */
  rows: string[][];
  /** Spreadsheet number of rows[0]: the file's first row (the header) is row 1. */
  firstRowNumber: number;
  /** Whether this chunk's text holds a double quote. */
  quoted: boolean;
  /** Whether a line so far ended in a lone \r (not \r\n). */
  loneCr: boolean;
}

export interface CsvReadOptions {
  delimiter?: string;
  /** Characters read at a time. */
  chunkChars?: number;
}

const DEFAULT_CHUNK_CHARS = 1 << 20;

/** The rows of `file`, in order, a chunk at a time. */
export async function* readCsvRows(file: string, options: CsvReadOptions = {}): AsyncGenerator<CsvRows> {
  const chunkChars = options.chunkChars ?? DEFAULT_CHUNK_CHARS;
  let stream: fs.ReadStream;
  let folder = false;
  try {
    await fs.promises.access(file, fs.constants.R_OK);
    // access() passes for a folder, whose read would fail later as EISDIR (an internal error).
    folder = (await fs.promises.stat(file)).isDirectory();
    stream = fs.createReadStream(file, { encoding: 'utf8', highWaterMark: chunkChars });
  } catch (e) {
    throw new UserError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`,
      null, 'Set data.file to a CSV file, relative to the experiment file.');
  }
  if (folder) {
    stream.destroy();
    throw new UserError(`${file} is a folder, but data.file must be a CSV file`, null, `Set data.file to a CSV file (relative to the experiment file)${tablesIn(file)}.`);
  }
  const encoding = await notUtf8(file);
  if (encoding) {
    stream.destroy();
    throw new UserError(`${file} ${encoding}, but tables are read as UTF-8`, null,
      'Save it as UTF-8 (Excel: "CSV UTF-8 (comma delimited)"; pandas: to_csv(file, encoding="utf-8")).');
  }
  // One newline for papaparse: every line break outside quotes reaches it as \n.
  const parser = new Papa.Parser({ delimiter: options.delimiter ?? ',', newline: '\n', quoteChar: '"' });
  const breaks = new LineBreaks((options.delimiter ?? ',').charCodeAt(0));
  let pending = '';
  let first = true;
  let rowNumber = 1;
  let quoted = false;
  const parse = (input: string, last: boolean): CsvRows => {
    const result = parser.parse(input, 0, !last) as Papa.ParseResult<string[]>;
    const quoteError = result.errors.find((e) => e.type === 'Quotes');
    if (quoteError) {
      throw new UserError(`${file}: row ${rowNumber + (quoteError.row ?? 0)}: ${quoteError.message.toLowerCase()}`, null,
        'A cell that starts with a double quote must end with one; a quote inside a quoted cell is written twice ("").');
    }
    pending = last ? '' : input.slice(result.meta.cursor);
    const out = { rows: result.data, firstRowNumber: rowNumber, quoted, loneCr: breaks.loneCr };
    rowNumber += result.data.length;
    return out;
  };
  try {
    for await (const chunk of stream) {
      let raw = chunk as string;
      if (first && raw.charCodeAt(0) === 0xfeff) raw = raw.slice(1);
      first = false;
      // `pending` (the unfinished last row) is normalised already.
      const text = pending + breaks.normalize(raw);
      quoted = text.includes('"');
      const rows = parse(text, false);
      if (rows.rows.length > 0) yield rows;
    }
    if (first) return; // empty file
    if (pending.length > 0) {
      const rows = parse(pending, true);
      if (rows.rows.length > 0) yield rows;
    }
  } finally {
    stream.destroy();
  }
}

/**
 * What the first bytes say when the file is not UTF-8 text: a UTF-16 byte order mark (Excel's
 * "Unicode text", PowerShell's default), or NUL bytes, which UTF-8 text does not hold. Null otherwise.
 */
async function notUtf8(file: string): Promise<string | null> {
  const bytes = Buffer.alloc(4096);
  let read = 0;
  try {
    const handle = await fs.promises.open(file, 'r');
    try {
      ({ bytesRead: read } = await handle.read(bytes, 0, bytes.length, 0));
    } finally {
      await handle.close();
    }
  } catch {
    return null; // the stream says why it cannot be read
  }
  if (read >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) {
    return `is UTF-16 text (it starts with a UTF-16${bytes[0] === 0xff ? 'LE' : 'BE'} byte order mark)`;
  }
  return bytes.subarray(0, read).includes(0) ? 'holds NUL bytes (UTF-16 text, or not text at all)' : null;
}

/** ', such as a.csv or b.tsv in that folder' when it holds tables. */
function tablesIn(folder: string): string {
  try {
    const tables = fs.readdirSync(folder).filter((name) => /\.(csv|tsv|txt)$/i.test(name)).sort().slice(0, 3);
    return tables.length > 0 ? `, such as ${tables.join(' or ')} in that folder` : '';
  } catch {
    return '';
  }
}

/** A row that is only a line break (or spaces): skipped, but counted for row numbers. */
export function isBlankRow(row: string[]): boolean {
  return row.length === 1 && row[0].trim() === '';
}
