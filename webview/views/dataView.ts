// Data: training samples as an image grid with their labels before step 1 (as a course shows a
// training batch), then the test samples with each epoch's predictions (wrong ones marked) and a gallery of the misclassified with their probabilities;
// per-class test accuracy and the confusion matrix. A table shows its first training rows instead of images,
// and a regression a scatter of predicted against true values instead of the class figures.
import { thousands } from '../format';
import type { Changes, RunState } from '../../src/protocol/runState';
import type { View } from '../view';
import { ClassBars } from '../charts/classBars';
import { ConfusionMatrix } from '../charts/confusionMatrix';
import { appendSubtitle, createChartFrame } from '../charts/chartFrame';
import { ImageGrid } from '../charts/imageGrid';
import { ScatterPlot } from '../charts/scatterPlot';
import type { SampleRowsMessage, SamplesMessage } from '../../src/protocol/messages';
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
  private wrong!: Section;
  private wrongGrid!: ImageGrid;
  private fit!: Section;
  private scatter!: ScatterPlot;
  private table!: HTMLDivElement;
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
    this.samples = section(this.content, 'samples', 'Samples');
    this.wrong = section(this.content, 'misclassified', 'Misclassified test samples');
    this.fit = section(this.content, 'predicted-vs-true', 'Predicted against true');
    const pair = document.createElement('div');
    pair.className = 'chart-grid';
    this.content.append(pair);
    this.perClass = section(pair, 'per-class', 'Per-class accuracy');
    this.confusion = section(pair, 'confusion', 'Confusion matrix');
    root.append(this.empty, this.content);
    this.table = document.createElement('div');
    this.table.className = 'table-scroll';
    this.samples.body.append(this.table);
    this.grid = new ImageGrid(this.samples.body);
    this.wrongGrid = new ImageGrid(this.wrong.body);
    this.scatter = new ScatterPlot(this.fit.body);
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
    const regression = state.regression;
    if (!ev && !s && !regression && !state.sampleRows) {
      content.hidden = true;
      empty.hidden = false;
      empty.textContent = state.status === 'error' || state.status === 'stopped'
        ? 'The run ended before its first evaluation: no test results.'
        : 'Training samples appear when the data is loaded; test predictions, per-class accuracy and the confusion matrix after the first epoch.';
      return;
    }
    empty.hidden = true;
    content.hidden = false;
    const fallback = () => root.clientWidth - 20;
    const w = [samples.root, perClass.root, confusion.root].map((el) => widths.width(el, fallback));
    const dataset = state.model?.dataset;

    this.drawWrong(s, w[0]);
    this.drawFit(state, w[0]);
    this.table.hidden = !state.sampleRows;
    if (state.sampleRows) {
      samples.note.hidden = true;
      samples.body.hidden = false;
      samples.subtitle.textContent = `the first ${state.sampleRows.rows.length} training rows as loaded · the last column is the label`;
      this.drawTable(state.sampleRows);
    } else if (s && s.images.length) {
      samples.note.hidden = true;
      samples.body.hidden = false;
      const wrong = s.labels.filter((l, i) => l !== s.predictions[i]).length;
      samples.subtitle.textContent = s.predictions.length === 0
        ? `${s.images.length} training samples as loaded, before training · caption: label`
        : `${s.images.length} test samples after epoch ${s.epoch} · ${wrong} wrong (✗, outlined) · caption: true label, then prediction`;
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

    for (const sec of [perClass, confusion]) sec.root.hidden = regression !== null;
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

  /** The wrong predictions among the samples, with the probability of the class predicted. */
  private drawWrong(s: RunState['samples'], width: number): void {
    const wrong = s && s.predictions.length ? s.labels.flatMap((l, i) => (l !== s.predictions[i] ? [i] : [])) : [];
    this.wrong.root.hidden = !s || s.predictions.length === 0;
    if (!s || this.wrong.root.hidden) return;
    this.wrong.subtitle.textContent = `${wrong.length} of ${s.labels.length} after epoch ${s.epoch} · caption: true label, then prediction (its probability)`;
    this.wrong.note.hidden = wrong.length > 0;
    this.wrong.note.textContent = 'Every sample shown is predicted right.';
    this.wrong.body.hidden = wrong.length === 0;
    const only: SamplesMessage = {
      ...s, images: wrong.map((i) => s.images[i]), labels: wrong.map((i) => s.labels[i]), predictions: wrong.map((i) => s.predictions[i]),
      ...(s.probabilities ? { probabilities: wrong.map((i) => s.probabilities![i]) } : {}),
    };
    if (wrong.length) this.wrongGrid.render(width, only);
  }

  private drawFit(state: RunState, width: number): void {
    const r = state.regression;
    this.fit.root.hidden = !r;
    if (!r) return;
    this.fit.subtitle.textContent = `${r.truth.length} test samples after epoch ${r.epoch} · MAE ${(r.test.mae ?? NaN).toPrecision(4)} · R² ${(r.test.r2 ?? NaN).toFixed(3)} · dashed: predicted = true`;
    this.scatter.render(width, r.truth, r.predicted, r.target);
  }

  private drawTable(rows: SampleRowsMessage): void {
    const table = document.createElement('table');
    table.className = 'sample-rows';
    const head = table.createTHead().insertRow();
    for (const c of rows.columns) head.append(Object.assign(document.createElement('th'), { textContent: c }));
    const body = table.createTBody();
    for (const r of rows.rows) {
      const tr = body.insertRow();
      for (const cell of r) tr.insertCell().textContent = cell === '' ? '—' : cell;
    }
    this.table.replaceChildren(table);
  }
}
