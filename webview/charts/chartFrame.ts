// The box every chart sits in: a titled head (with room for a legend or subtitle) above a body.

export interface ChartFrame {
  root: HTMLDivElement;
  head: HTMLDivElement;
  body: HTMLDivElement;
}

export function createChartFrame(parent: HTMLElement, id: string, title: string, bodyClass = 'chart-body'): ChartFrame {
  const root = document.createElement('div');
  root.className = `chart chart-${id}`;
  root.dataset.chart = id;
  const head = document.createElement('div');
  head.className = 'chart-head';
  const h = document.createElement('h3');
  h.className = 'chart-title';
  h.textContent = title;
  head.append(h);
  const body = document.createElement('div');
  body.className = bodyClass;
  root.append(head, body);
  parent.append(root);
  return { root, head, body };
}

/** A subtitle (counts, units, a hint) at the end of a chart's head. */
export function appendSubtitle(head: HTMLElement): HTMLSpanElement {
  const subtitle = document.createElement('span');
  subtitle.className = 'chart-subtitle';
  head.append(subtitle);
  return subtitle;
}
