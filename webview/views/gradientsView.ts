import type { View } from '../view';

// Placeholder until the gradients view lands: says so rather than pretending.
export function createGradientsView(): View {
  let root: HTMLElement;
  return {
    id: 'gradients',
    title: 'Gradients',
    mount(el) { root = el; root.textContent = 'The gradients view is being built.'; },
    update() { void root; },
  };
}
