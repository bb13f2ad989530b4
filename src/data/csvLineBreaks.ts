// Line breaks of a CSV as \n, chunk by chunk, whatever each line ends with: \r\n, \n or a lone \r,
// mixed in one file (a header saved on Windows, rows appended on Linux). papaparse splits rows at one
// newline string only, so it reads the normalised text. Breaks inside a quoted cell stay as written;
// quotes are followed as papaparse reads them (one opens a cell only at its start, "" is a quote).

const QUOTE = 34;
const LF = 10;
const CR = 13;
const SPACE = 32;

const enum State {
  /** At a cell's start: a quote opens a quoted cell. */
  CellStart,
  /** In an unquoted cell: quotes are text. */
  Unquoted,
  /** In a quoted cell: line breaks are the cell's. */
  Quoted,
  /** Just after a quote in a quoted cell: "" (a quote), the cell's end, or text. */
  QuoteSeen,
  /** Spaces after a closing quote (papaparse allows them before the delimiter or the break). */
  AfterQuote,
}

export class LineBreaks {
  private state = State.CellStart;
  /** The last chunk ended in a \r outside quotes: a \n may start the next one. */
  private heldCr = false;
  /** Whether a lone \r has ended a line so far (the byte reader splits at \n only). */
  loneCr = false;

  constructor(private readonly delimiter: number) {}

  /** `chunk` (the file's next text) with its line breaks outside quotes as \n. A \r that ends the file is dropped. */
  normalize(chunk: string): string {
    let out = '';
    let from = 0;
    if (this.heldCr) {
      if (chunk.length === 0) return '';
      this.heldCr = false;
      out = '\n';
      if (chunk.charCodeAt(0) === LF) from = 1;
      else this.loneCr = true;
    }
    // No quote ahead, none open: every break ends a line, found at native speed.
    if ((this.state === State.CellStart || this.state === State.Unquoted) && !chunk.includes('"', from)) {
      let body = from === 0 ? chunk : chunk.slice(from);
      if (body.endsWith('\r')) {
        body = body.slice(0, -1);
        this.heldCr = true;
      }
      if (body.includes('\r')) {
        if (/\r(?!\n)/.test(body)) this.loneCr = true;
        body = body.replace(/\r\n?/g, '\n');
      }
      const c = body.charCodeAt(body.length - 1);
      if (this.heldCr || c === LF || c === this.delimiter) this.state = State.CellStart;
      else if (body.length > 0) this.state = State.Unquoted;
      return out + body;
    }
    for (let i = from; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      const state = this.state;
      if (state === State.Quoted) {
        if (c === QUOTE) this.state = State.QuoteSeen;
        continue;
      }
      if (c === CR || c === LF) {
        this.state = State.CellStart;
        if (c === LF) continue;
        out += chunk.slice(from, i);
        if (i + 1 === chunk.length) {
          this.heldCr = true; // its \n comes with the next chunk
        } else {
          out += '\n';
          if (chunk.charCodeAt(i + 1) === LF) i++;
          else this.loneCr = true;
        }
        from = i + 1;
        continue;
      }
      if (c === this.delimiter) {
        this.state = State.CellStart;
      } else if (state === State.CellStart) {
        this.state = c === QUOTE ? State.Quoted : State.Unquoted;
      } else if (state === State.QuoteSeen) {
        this.state = c === QUOTE ? State.Quoted : c === SPACE ? State.AfterQuote : State.Quoted;
      } else if (state === State.AfterQuote) {
        if (c === QUOTE) this.state = State.QuoteSeen;
        else if (c !== SPACE) this.state = State.Quoted;
      }
    }
    return from === 0 && out === '' ? chunk : out + chunk.slice(from);
  }
}
