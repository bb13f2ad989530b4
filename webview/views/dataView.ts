// Data: the test samples the trainer sends each epoch as an image grid with true labels and
// predictions (wrong ones marked), per-class test accuracy, and the confusion matrix.
import { thousands } from '../format';
import type { Changes, RunState } from '../../src/protocol/runState';
import type { View } from '../view';
import { ClassBars } from '../charts/classBars';
import { ConfusionMatrix } from '../charts/confusionMatrix';
import { appendSubtitle, createChartFrame } from '../charts/chartFrame';
import { ImageGrid } from '../charts/imageGrid';
import { everythingChanged, WidthWatcher } from '../charts/widthWatcher';

interface Section { root: HTMLDivElement; subtitle: HTMLSpanElement; note: HTMLParagraphElement; body: HTMLDivElement }

function section(parent: HTMLElement, id: string, title: string): Section {
  const frame = createChartFrame(parent, id, title);
  const subtitle = appendSubtitle(frame.head);
  const note = document.createElement('p');
  note.className = 'empty';
  note.hidden = true;
  frame.root.insertBefore(note, frame.body);
  return { root: frame.root, subtitle, note, body: frame.body };
}

export class DataView implements View {
  readonly id = 'data';
  readonly title = 'Data';
  private root!: HTMLElement;
  private last: RunState | null = null;
  private empty!: HTMLParagraphElement;
  private content!: HTMLDivElement;
  private samples!: Section;
  private perClass!: Section;
  private confusion!: Section;
  private grid!: ImageGrid;
  private bars!: ClassBars;
  private matrix!: ConfusionMatrix;
  private readonly widths = new WidthWatcher(() => { if (this.last && !this.content.hidden) this.draw(this.last); });

  mount(root: HTMLElement): void {
    this.root = root;
    root.classList.add('chart-view');
    this.empty = document.createElement('p');
    this.empty.className = 'empty';
    this.content = document.createElement('div');
    this.content.className = 'data';
    this.content.hidden = true;
    this.samples = section(this.content, 'samples', 'Test samples');
    const pair = document.createElement('div');
    pair.className = 'chart-grid';
    this.content.append(pair);
    this.perClass = section(pair, 'per-class', 'Per-class accuracy');
    this.confusion = section(pair, 'confusion', 'Confusion matrix');
    root.append(this.empty, this.content);
    this.grid = new ImageGrid(this.samples.body);
    this.bars = new ClassBars(this.perClass.body);
    this.matrix = new ConfusionMatrix(this.confusion.body);
    this.widths.watch(this.samples.root, this.perClass.root, this.confusion.root);
  }

  update(state: RunState, changes: Changes): void {
    const fresh = state !== this.last;
    this.last = state;
    if (!fresh && !changes.samples && !changes.evaluation && !changes.model && !changes.status) return;
    if (everythingChanged(changes)) this.widths.invalidate();
    this.draw(state);
  }

  private draw(state: RunState): void {
    const { empty, content, samples, perClass, confusion, grid, bars, matrix, widths, root } = this;
    const ev = state.evaluation;
    const s = state.samples;
    if (!ev && !s) {
      content.hidden = true;
      empty.hidden = false;
      empty.textContent = state.status === 'error' || state.status === 'stopped'
        ? 'The run ended before its first evaluation: no test results.'
        : 'Test samples with their predictions, per-class accuracy and the confusion matrix appear after the first epoch.';
      return;
    }
    empty.hidden = true;
    content.hidden = false;
    const fallback = () => root.clientWidth - 20;
    const w = [samples.root, perClass.root, confusion.root].map((el) => widths.width(el, fallback));
    const dataset = state.model?.dataset;

    if (s && s.images.length) {
      samples.note.hidden = true;
      samples.body.hidden = false;
      const wrong = s.labels.filter((l, i) => l !== s.predictions[i]).length;
      samples.subtitle.textContent = `${s.images.length} after epoch ${s.epoch} · ${wrong} wrong (✗, outlined) · caption: true label, then prediction`;
      grid.render(w[0], s);
    } else {
      samples.body.hidden = true;
      samples.note.hidden = false;
      samples.subtitle.textContent = '';
      const shape = dataset?.inputShape;
      samples.note.textContent = shape && shape.length !== 3
        ? `${dataset?.name ?? 'This data set'} is not an image data set (inputs of shape [${shape.join(', ')}]): no sample images to show.`
        : 'No sample images in this run.';
    }

    if (ev) {
      for (const sec of [perClass, confusion]) { sec.note.hidden = true; sec.body.hidden = false; }
      const names = ev.classNames.length ? ev.classNames : ev.perClassAccuracy.map((_a, i) => String(i));
      const support = ev.confusion.map((r) => r.reduce((a, b) => a + b, 0));
      const total = support.reduce((a, b) => a + b, 0);
      const overall = ev.test.accuracy ?? null;
      perClass.subtitle.textContent = `after epoch ${ev.epoch}${overall === null ? '' : ` · overall ${(overall * 100).toFixed(1)}% (dotted line)`}`;
      confusion.subtitle.textContent = `${thousands(total)} test samples · colour: share of the true class`;
      bars.render(w[1], ev.perClassAccuracy.map((a, i) => ({ index: i, name: names[i] ?? String(i), accuracy: a, support: support[i] ?? 0 })), overall);
      matrix.render(w[2], ev.confusion, names);
    } else {
      for (const sec of [perClass, confusion]) {
        sec.body.hidden = true;
        sec.note.hidden = false;
        sec.note.textContent = 'Appears after the first evaluation on the test set.';
        sec.subtitle.textContent = '';
      }
    }
  }
}
