// Custom scalars (`lens.log({ name: value })` in an experiment, `modelLens.log` in a script): one
// chart per name, over the steps they were logged at, added as names appear.
import type { MetricColumns } from '../../src/protocol/runState';
import { LineChart } from '../charts/lineChart';

export class ScalarCharts {
  private readonly charts = new Map<string, LineChart>();

  constructor(private readonly parent: HTMLElement, private readonly describeStep: (step: number) => string) {}

  /** Draws every scalar; `width` gives a chart's width from its root; `onNew` hears of each chart made. */
  render(scalars: MetricColumns, width: (root: HTMLDivElement) => number, onNew: (root: HTMLDivElement) => void): void {
    for (const name of Object.keys(scalars.metrics)) {
      let chart = this.charts.get(name);
      if (!chart) {
        chart = new LineChart(this.parent, { id: `scalar-${name}`, title: name, xLabel: 'step', yLabel: name, height: 200, describeStep: this.describeStep });
        chart.setSubtitle('custom scalar (lens.log)');
        this.charts.set(name, chart);
        onNew(chart.root);
      }
      const last = scalars.step.length ? scalars.step[scalars.step.length - 1] : 1;
      const first = scalars.step.length ? scalars.step[0] : 0;
      chart.render({
        width: width(chart.root), xDomain: [Math.min(0, first), Math.max(1, last)],
        series: [{ id: `scalar-${name}`, label: 'logged', x: scalars.step, y: scalars.metrics[name], colour: 'var(--ml-series-6)', mark: 'line' }],
      });
    }
  }
}
