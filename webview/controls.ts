// The panel's form controls, from @vscode-elements/elements: they look like VS Code's own (settings
// editor inputs, dropdowns, buttons) in every theme and bring their keyboard handling and ARIA roles.
// Views make controls only here, so the panel has one kind of each.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import type { VscodeButton } from '@vscode-elements/elements/dist/vscode-button/index.js';
import type { VscodeSingleSelect } from '@vscode-elements/elements/dist/vscode-single-select/index.js';
import type { VscodeTextfield } from '@vscode-elements/elements/dist/vscode-textfield/index.js';

export type TextField = VscodeTextfield;
export type SelectField = VscodeSingleSelect;

interface FieldOptions { className: string; label: string }

/** A text field; `type: 'number'` takes an integer in [min, max]. */
export function textField(o: FieldOptions & { type?: 'search' | 'number'; placeholder?: string; value?: string | number; min?: number; max?: number }): TextField {
  const field = document.createElement('vscode-textfield');
  field.className = o.className;
  field.label = o.label; // the inner input's aria-label
  if (o.type) field.type = o.type;
  if (o.placeholder) field.placeholder = o.placeholder;
  if (o.min !== undefined) field.min = o.min;
  if (o.max !== undefined) field.max = o.max;
  if (o.value !== undefined) field.value = String(o.value);
  return field;
}

/** A dropdown of `[value, text]` options. */
export function selectField(o: FieldOptions & { options: readonly (readonly [string, string])[]; value: string }): SelectField {
  const select = document.createElement('vscode-single-select');
  select.className = o.className;
  select.label = o.label;
  for (const [value, text] of o.options) {
    const option = document.createElement('vscode-option');
    option.value = value;
    option.textContent = text;
    option.selected = value === o.value;
    select.append(option);
  }
  return select;
}

/** A secondary button (the toolbar's actions are not the panel's main action). */
export function button(o: { className: string; text: string; title: string; onClick: () => void }): VscodeButton {
  const b = document.createElement('vscode-button');
  b.className = o.className;
  b.secondary = true;
  b.textContent = o.text;
  b.title = o.title;
  b.addEventListener('click', o.onClick);
  return b;
}

/** A labelled control: the label's text before the control, clicking it focuses the control. */
export function labelled(text: string, control: HTMLElement): HTMLLabelElement {
  const label = document.createElement('label');
  label.className = 'control-label';
  label.append(`${text} `, control);
  return label;
}
