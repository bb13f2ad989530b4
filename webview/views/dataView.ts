import type { View } from '../view';

// Placeholder until the data view lands: says so rather than pretending.
export function createDataView(): View {
  let root: HTMLElement;
  return {
    id: 'data',
    title: 'Data',
    mount(el) { root = el; root.textContent = 'The data view is being built.'; },
    update() { void root; },
  };
}
