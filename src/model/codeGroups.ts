// Groups a model's layer calls by the user's code that made them, as torchview groups by module: one
// group per invocation of a named helper function (`stage()` → `basicBlock()` → `convBn()`), nested
// as the calls were. Where no helper was used, layer names that share a prefix (`block1_conv`,
// `block1_bn`) group instead. Pure: stacks and names in, groups out.
import type { StackFrame } from '../protocol/modelInfo';

/** A frame of a recorded call stack, with the invocation of its function it ran in. */
export interface CallFrame extends StackFrame {
  /** The marked function that holds the frame (functionEntries.ts); null when the file was not marked. */
  fnId: number | null;
  /** How many times that function had been entered when the frame was recorded: equal within one invocation. */
  invocation: number;
}

export interface CodeGroup {
  key: string;
  /** Unique among the container's groups and layers: `stage_2`, `block1`. */
  name: string;
  /** `stage()` for a helper's invocation, `Group` for a name prefix. */
  type: string;
  /** Key of the enclosing group, null at the container's top level. */
  parent: string | null;
  /** The user's stack down to the line that called the helper (outermost first); empty for a prefix group. */
  callStack: StackFrame[];
}

export interface CallGrouping {
  /** Parents before their children, in the order of their first call. */
  groups: CodeGroup[];
  /** For each call, the key of the innermost group it is in (null: directly in the container). */
  groupOf: (string | null)[];
}

interface RawGroup {
  key: string;
  fn: string;
  parent: string | null;
  callStack: StackFrame[];
  calls: Set<number>;
}

const position = (f: StackFrame) => `${f.file}:${f.line}:${f.column}`;
const before = (a: StackFrame, b: StackFrame) => a.line < b.line || (a.line === b.line && a.column < b.column);
const plain = (f: StackFrame): StackFrame => ({ function: f.function, file: f.file, line: f.line, column: f.column });

/**
 * The rule: in a call's stack (outermost first) every frame below the outermost that lies in a named
 * function is one invocation of that function. Invocations are told apart by the function's entry
 * count (exact, also for calls from one line in a loop); in files without marks, a new invocation
 * begins when the position inside the function moves back (the helper's code restarted). A group of
 * a single call, a group of every call, and a group of exactly its enclosing group's calls add
 * nothing and are left out.
 */
export function groupByCallStack(stacks: readonly (readonly CallFrame[] | null)[], taken: ReadonlySet<string> = new Set()): CallGrouping {
  const raw = new Map<string, RawGroup>();
  const paths: string[][] = [];
  const restarts = new Map<string, { count: number; last: StackFrame }>();
  stacks.forEach((stack, call) => {
    const path: string[] = [];
    let parent: string | null = null;
    for (let j = 1; j < (stack?.length ?? 0); j++) {
      const frame = stack![j];
      if (!frame.function) continue; // an anonymous callback is no unit of the user's design
      const caller = stack![j - 1];
      let key: string;
      if (frame.fnId !== null) key = `${parent ?? ''}>${frame.fnId}#${frame.invocation}`;
      else {
        const base = `${parent ?? ''}>${frame.function}@${position(caller)}`;
        const seen = restarts.get(base);
        const count = !seen ? 0 : before(frame, seen.last) ? seen.count + 1 : seen.count;
        restarts.set(base, { count, last: frame });
        key = `${base}#${count}`;
      }
      let group = raw.get(key);
      if (!group) raw.set(key, (group = { key, fn: frame.function, parent, callStack: stack!.slice(0, j).map(plain), calls: new Set() }));
      group.calls.add(call);
      path.push(key);
      parent = key;
    }
    paths.push(path);
  });
  return prune(raw, paths, stacks.length, (g) => ({ type: `${g.fn}()`, callStack: g.callStack }), taken);
}

/** tfjs-layers' toSnakeCase (generic_utils.ts), which names unnamed layers: Conv2D → conv2d, MaxPooling2D → max_pooling2d. */
function tfjsSnakeCase(className: string): string {
  const snake = className.replace(/(.)([A-Z][a-z0-9]+)/g, '$1_$2').replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
  return snake[0] === '_' ? `private${snake}` : snake;
}

/** The name tfjs or Keras gives a layer the user did not name (`conv2d_Conv2D3`, `max_pooling2d_MaxPooling2D1`, `dense_1`). */
export function isGeneratedName(name: string, className: string): boolean {
  const snake = tfjsSnakeCase(className);
  return name.startsWith(`${snake}_${className}`) || new RegExp(`^${snake}(_\\d+)?$`).test(name);
}

/**
 * Groups by the prefixes of names the user gave (`conv2_block1_1_conv` sits in `conv2`, `conv2_block1`
 * and `conv2_block1_1`); generated names stay ungrouped.
 */
export function groupByNamePrefix(layers: readonly { name: string; className: string }[], taken: ReadonlySet<string> = new Set()): CallGrouping {
  const raw = new Map<string, RawGroup>();
  const paths = layers.map(({ name, className }, call) => {
    if (isGeneratedName(name, className)) return [];
    const parts = name.split('_');
    const path: string[] = [];
    for (let k = 1; k < parts.length; k++) {
      const key = parts.slice(0, k).join('_');
      let group = raw.get(key);
      if (!group) raw.set(key, (group = { key, fn: key, parent: path[path.length - 1] ?? null, callStack: [], calls: new Set() }));
      group.calls.add(call);
      path.push(key);
    }
    return path;
  });
  return prune(raw, paths, layers.length, () => ({ type: 'Group', callStack: [] }), taken, true);
}

function prune(raw: Map<string, RawGroup>, paths: string[][], total: number, describe: (g: RawGroup) => Pick<CodeGroup, 'type' | 'callStack'>,
  taken: ReadonlySet<string>, nameIsKey = false): CallGrouping {
  const kept = new Map<string, string | null>(); // kept key → its nearest kept ancestor
  const keptAncestor = (key: string | null): string | null => {
    let k = key;
    while (k !== null && !kept.has(k)) k = raw.get(k)?.parent ?? null;
    return k;
  };
  for (const g of raw.values()) { // parents come first: they were met first on every path
    const size = g.calls.size;
    if (size < 2 || size === total) continue;
    const above = keptAncestor(g.parent);
    if (above !== null && raw.get(above)!.calls.size === size) continue;
    kept.set(g.key, above);
  }
  const names = new Map<string, string>();
  const counts = new Map<string, number>();
  const used = new Set(taken);
  const groups: CodeGroup[] = [];
  for (const [key, parent] of kept) {
    const g = raw.get(key)!;
    let name: string;
    if (nameIsKey) name = g.fn;
    else {
      const k = (counts.get(g.fn) ?? 0) + 1;
      counts.set(g.fn, k);
      name = `${g.fn}_${k}`;
    }
    while (used.has(name)) name = `${name}_`;
    used.add(name);
    names.set(key, name);
    groups.push({ key, name, parent, ...describe(g) });
  }
  const groupOf = paths.map((path) => {
    for (let i = path.length - 1; i >= 0; i--) if (kept.has(path[i])) return path[i];
    return null;
  });
  return { groups: groups.map((g) => ({ ...g, key: names.get(g.key)!, parent: g.parent === null ? null : names.get(g.parent)! })), groupOf: groupOf.map((k) => (k === null ? null : names.get(k)!)) };
}
