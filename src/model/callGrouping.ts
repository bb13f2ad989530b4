// The groups of one model's layer calls, shared by the graph and the summary so both nest alike: by
// the user's helper functions when the calls' stacks show any, else by the prefixes of given names.
import { groupByCallStack, groupByNamePrefix, type CallFrame, type CallGrouping } from './codeGroups';
import type { LayerCall } from './layerCalls';

/** The user's call stack of a layer's call (its inbound node; -1: of its construction). */
export type StackOf = (layer: object, nodeIndex: number) => readonly CallFrame[] | null;

export function callGrouping(calls: readonly LayerCall[], stackOf: StackOf | undefined): CallGrouping {
  const taken = new Set(calls.map((c) => c.layer.name));
  if (stackOf) {
    const byCode = groupByCallStack(calls.map((c) => stackOf(c.layer, c.nodeIndex)), taken);
    if (byCode.groups.length) return byCode;
  }
  return groupByNamePrefix(calls.map((c) => ({ name: c.layer.name, className: c.layer.getClassName() })), taken);
}

/**
 * The calls and groups of a container as a tree in call order: a group stands where its first call
 * is, its calls and inner groups follow it.
 */
export type CallTreeItem = { kind: 'call'; index: number } | { kind: 'group'; name: string; items: CallTreeItem[] };

export function callTree(grouping: CallGrouping, count: number): CallTreeItem[] {
  const byName = new Map(grouping.groups.map((g) => [g.name, g]));
  const nodes = new Map<string, CallTreeItem & { kind: 'group' }>();
  const top: CallTreeItem[] = [];
  const itemsOf = (group: string | null): CallTreeItem[] => {
    if (group === null) return top;
    let node = nodes.get(group);
    if (!node) {
      node = { kind: 'group', name: group, items: [] };
      nodes.set(group, node);
      itemsOf(byName.get(group)!.parent).push(node);
    }
    return node.items;
  };
  for (let i = 0; i < count; i++) itemsOf(grouping.groupOf[i]).push({ kind: 'call', index: i });
  return top;
}
