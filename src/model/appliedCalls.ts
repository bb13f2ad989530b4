// The calls of layers on symbolic tensors while the user's model() runs, in the order they were made:
// the user's call stack of each (what groups the graph by the helpers that built it), and, when a call
// fails (a shape mismatch in `apply`), everything applied before it, so the panel can draw what built.
import type { CallFrame } from './codeGroups';

/** A symbolic tensor as tfjs makes it: which layer's call (inbound node) and output produced it. */
export interface SymbolicLike {
  shape: (number | null)[];
  dtype?: string;
  sourceLayer: AppliedLayer;
  nodeIndex: number;
  tensorIndex: number;
}

export interface AppliedLayer {
  name: string;
  getClassName(): string;
  inboundNodes: unknown[];
  layers?: unknown;
  countParams?(): number;
}

export interface AppliedCall {
  layer: AppliedLayer;
  /** Index of the inbound node this call made on the layer. */
  nodeIndex: number;
  inputs: SymbolicLike[];
  outputs: SymbolicLike[];
  stack: CallFrame[];
}

/** A call that threw, with the tensors it was given. */
export interface FailedCall {
  layer: AppliedLayer;
  inputs: SymbolicLike[];
  stack: CallFrame[];
}

const asList = (x: unknown): SymbolicLike[] => (Array.isArray(x) ? x : x ? [x] : []) as SymbolicLike[];

export class AppliedCalls {
  private readonly stacks = new WeakMap<object, Map<number, CallFrame[]>>();
  private log: AppliedCall[] = [];
  private failure: FailedCall | null = null;

  applied(layer: AppliedLayer, inputs: unknown, outputs: unknown, stack: CallFrame[]): void {
    const nodeIndex = layer.inboundNodes.length - 1;
    let byNode = this.stacks.get(layer);
    if (!byNode) this.stacks.set(layer, (byNode = new Map()));
    byNode.set(nodeIndex, stack);
    this.log.push({ layer, nodeIndex, inputs: asList(inputs), outputs: asList(outputs), stack });
  }

  failed(layer: AppliedLayer, inputs: unknown, stack: CallFrame[]): void {
    // The innermost failing call is the one to show: a nested model's apply fails after its layer did.
    this.failure ??= { layer, inputs: asList(inputs), stack };
  }

  stackOf(layer: object, nodeIndex: number): CallFrame[] | null {
    return this.stacks.get(layer)?.get(nodeIndex) ?? null;
  }

  /** What was applied before the first failing call, and that call; null when nothing failed. */
  failedBuild(): { calls: AppliedCall[]; failed: FailedCall } | null {
    return this.failure ? { calls: [...this.log], failed: this.failure } : null;
  }

  /** Forgets the tensors (the stacks stay, for the graph). */
  clear(): void {
    this.log = [];
    this.failure = null;
  }
}
