import type { View } from '../view';

// Placeholder until the training view lands: says so rather than pretending.
export function createTrainingView(): View {
  let root: HTMLElement;
  return {
    id: 'training',
    title: 'Training',
    mount(el) { root = el; root.textContent = 'The training view is being built.'; },
    update() { void root; },
  };
}
