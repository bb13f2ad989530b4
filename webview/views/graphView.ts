import type { View } from '../view';

export function createGraphView(): View {
  let root: HTMLElement;
  return { id: 'graph', title: 'Graph', mount(el) { root = el; }, update() { void root; } };
}
