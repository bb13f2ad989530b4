// Data: the test samples the trainer sends each epoch as an image grid with true labels and
// predictions (wrong ones marked), per-class test accuracy, and the confusion matrix.
import { thousands } from '../format';
import type { RunState } from '../../src/protocol/runState';
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

export function createDataView(): View {
  let root: HTMLElement;
  let last: RunState | null = null;
  let empty: HTMLParagraphElement;
  let content: HTMLDivElement;
  let samples: Section;
  let perClass: Section;
  let confusion: Section;
  let grid: ImageGrid;
  let bars: ClassBars;
  let matrix: ConfusionMatrix;
  const widths = new WidthWatcher(() => { if (last && !content.hidden) draw(last); });

  function mount(el: HTMLElement): void {
    root = el;
    root.classList.add('chart-view');
    empty = document.createElement('p');
    empty.className = 'empty';
    content = document.createElement('div');
    content.className = 'data';
    content.hidden = true;
    samples = section(content, 'samples', 'Test samples');
    const pair = document.createElement('div');
    pair.className = 'chart-grid';
    content.append(pair);
    perClass = section(pair, 'per-class', 'Per-class accuracy');
    confusion = section(pair, 'confusion', 'Confusion matrix');
    root.append(empty, content);
    grid = new ImageGrid(samples.body);
    bars = new ClassBars(perClass.body);
    matrix = new ConfusionMatrix(confusion.body);
    widths.watch(samples.root, perClass.root, confusion.root);
  }

  function draw(state: RunState): void {
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
      perClass.subtitle.textContent = `after epoch ${ev.epoch} · overall ${(ev.testAccuracy * 100).toFixed(1)}% (dotted line)`;
      confusion.subtitle.textContent = `${thousands(total)} test samples · colour: share of the true class`;
      bars.render(w[1], ev.perClassAccuracy.map((a, i) => ({ index: i, name: names[i] ?? String(i), accuracy: a, support: support[i] ?? 0 })), ev.testAccuracy);
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

  return {
    id: 'data',
    title: 'Data',
    mount,
    update(state, changes) {
      const fresh = state !== last;
      last = state;
      if (!fresh && !changes.samples && !changes.evaluation && !changes.model && !changes.status) return;
      if (everythingChanged(changes)) widths.invalidate();
      draw(state);
    },
  };
}
