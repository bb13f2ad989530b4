// The dropdown above the tabs when a script trains several models: which model the Graph, Summary,
// Training and Gradients views show. Hidden while the run has fewer than two models.
import type { ModelId, ModelMessage } from '../src/protocol/messages';
import { modelChoiceLabel } from '../src/protocol/modelTracks';
import { labelled, selectField } from './controls';

export class ModelPicker {
  readonly element = document.createElement('div');
  /** The options and selection drawn last, so an unchanged picker is not rebuilt (it would close while open). */
  private drawn = '';

  constructor(private readonly onPick: (id: ModelId) => void) {
    this.element.className = 'model-picker toolbar';
    this.element.hidden = true;
  }

  render(models: readonly ModelMessage[], selected: ModelId | null): void {
    const choices = models.filter((m) => m.modelId !== undefined);
    this.element.hidden = choices.length < 2;
    if (this.element.hidden) return;
    const options = choices.map((m) => [String(m.modelId), modelChoiceLabel(m)] as const);
    const value = String(selected ?? choices[choices.length - 1].modelId);
    const key = JSON.stringify([options, value]);
    if (key === this.drawn) return;
    this.drawn = key;
    const select = selectField({ className: 'model-choice', label: 'Model', options, value });
    select.addEventListener('change', () => this.onPick(Number(select.value)));
    const note = document.createElement('span');
    note.className = 'note';
    note.textContent = `${choices.length} models in this run`;
    this.element.replaceChildren(labelled('Model', select), note);
  }
}
