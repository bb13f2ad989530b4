// Freeze / Unfreeze from the graph panel, written back into the experiment file as its `freeze`
// list so the run stays reproducible from the file alone. Pure text edit; no `vscode` import.

const FREEZE_LIST = /\bfreeze\s*:\s*\[([^\]]*)\]/;
const EXPORT_OBJECT = /export\s+default\s+(?:defineExperiment\s*\(\s*)?\{/;

export interface FreezeEdit {
  text: string;
  /** 1-based line that now holds the freeze list. */
  line: number;
}

function quoteLike(text: string): string {
  return /'[^']*'/.test(text) || !/"/.test(text) ? "'" : '"';
}

/**
 * `text` with `layer` added to (frozen) or removed from the default export's `freeze` list, or
 * null when nothing changes or the file has no `export default { … }` to put one in.
 */
export function editFreezeList(text: string, layer: string, frozen: boolean): FreezeEdit | null {
  const match = FREEZE_LIST.exec(text);
  const q = quoteLike(text);
  if (match) {
    const items = [...match[1].matchAll(/(['"`])(.*?)\1/g)].map((m) => m[2]);
    const has = items.includes(layer);
    if (has === frozen) return null;
    const next = frozen ? [...items, layer] : items.filter((i) => i !== layer);
    const list = `freeze: [${next.map((i) => `${q}${i}${q}`).join(', ')}]`;
    const out = text.slice(0, match.index) + list + text.slice(match.index + match[0].length);
    return { text: out, line: text.slice(0, match.index).split('\n').length };
  }
  if (!frozen) return null;
  const anchor = EXPORT_OBJECT.exec(text);
  if (!anchor) return null;
  const at = anchor.index + anchor[0].length;
  const out = `${text.slice(0, at)}\n  freeze: [${q}${layer}${q}], // frozen from the Model Lens graph${text.slice(at)}`;
  return { text: out, line: text.slice(0, at).split('\n').length + 1 };
}
