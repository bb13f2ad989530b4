// Activations beside the gradients: per tapped layer at the latest sampled step, its activation,
// mean, std, the share of dead ReLU units and of saturated sigmoid/tanh outputs; a layer flagged
// dead (more than half its units dead for several samples) is marked as the graph marks it.
import type { ActivationsMessage } from '../../src/protocol/messages';
import { appendSubtitle, createChartFrame } from '../charts/chartFrame';

const figure = (v: number | null) => (v === null ? '–' : Math.abs(v) !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e4) ? v.toExponential(2) : v.toPrecision(3));
const share = (v: number | null) => (v === null ? '–' : `${(100 * v).toFixed(1)}%`);

export class ActivationTable {
  readonly root: HTMLDivElement;
  private readonly subtitle: HTMLSpanElement;
  private readonly body: HTMLTableSectionElement;
  private readonly empty: HTMLParagraphElement;
  private shownStep = -1;
  private shownDead = '';

  constructor(parent: HTMLElement, private readonly onLayerClick: (layer: string) => void) {
    const frame = createChartFrame(parent, 'activations', 'Activations');
    this.root = frame.root;
    this.subtitle = appendSubtitle(frame.head);
    this.empty = document.createElement('p');
    this.empty.className = 'empty';
    this.empty.textContent = 'Activation figures come with the gradient figures of a sampled step.';
    const table = document.createElement('table');
    table.className = 'summary-table activation-table';
    const header = table.createTHead().insertRow();
    for (const [text, numeric] of [['Layer', false], ['Activation', false], ['Mean', true], ['Std', true], ['Dead units', true], ['Saturated', true]] as const) {
      const th = document.createElement('th');
      th.textContent = text;
      if (numeric) th.className = 'num';
      header.append(th);
    }
    this.body = table.createTBody();
    frame.body.append(this.empty, table);
  }

  render(latest: ActivationsMessage | null, dead: ReadonlyMap<string, number>): void {
    const deadKey = [...dead.keys()].join('\n');
    if ((latest?.step ?? -1) === this.shownStep && deadKey === this.shownDead) return;
    this.shownStep = latest?.step ?? -1;
    this.shownDead = deadKey;
    this.empty.hidden = latest !== null;
    this.subtitle.textContent = latest ? `step ${latest.step}` : '';
    this.body.replaceChildren(...(latest?.layers ?? []).map((l) => {
      const row = document.createElement('tr');
      row.dataset.layer = l.layer;
      row.classList.toggle('dead', dead.has(l.layer));
      row.classList.toggle('saturated', (l.saturatedShare ?? 0) > 0.5);
      const name = document.createElement('a');
      name.href = '#';
      name.textContent = dead.has(l.layer) ? `⚠ ${l.layer}` : l.layer;
      name.addEventListener('click', (e) => { e.preventDefault(); this.onLayerClick(l.layer); });
      const cells: (string | HTMLElement)[] = [name, l.activation, figure(l.mean), figure(l.std), share(l.deadShare), share(l.saturatedShare)];
      cells.forEach((c, i) => {
        const td = row.insertCell();
        if (i >= 2) td.className = 'num';
        td.append(c);
      });
      return row;
    }));
  }
}
