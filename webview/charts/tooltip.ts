// A hover box inside a chart's (position: relative) container, kept inside it: it sits right of the
// pointer and flips left (or up) when it would cross the container's edge. Content is built with DOM
// nodes (no HTML strings), so no inline styles are ever parsed.

export interface TooltipRow {
  label: string;
  value: string;
  /** A CSS colour for the row's swatch (a var(--…) expression). */
  colour?: string;
  dashed?: boolean;
}

export class Tooltip {
  readonly el: HTMLDivElement;

  constructor(private readonly container: HTMLElement) {
    this.el = document.createElement('div');
    this.el.className = 'chart-tooltip';
    this.el.setAttribute('role', 'tooltip');
    this.el.hidden = true;
    container.append(this.el);
  }

  /** Shows `title` and `rows` near (x, y), in the container's coordinates. */
  show(x: number, y: number, title: string, rows: TooltipRow[] = []): void {
    const el = this.el;
    el.replaceChildren();
    const head = document.createElement('div');
    head.className = 'tooltip-title';
    head.textContent = title;
    el.append(head);
    for (const r of rows) {
      const row = document.createElement('div');
      row.className = 'tooltip-row';
      const sw = document.createElement('span');
      sw.className = r.dashed ? 'tooltip-swatch dashed' : 'tooltip-swatch';
      if (r.colour) sw.style.borderColor = r.colour;
      else sw.classList.add('none');
      const label = document.createElement('span');
      label.className = 'tooltip-label';
      label.textContent = r.label;
      const value = document.createElement('span');
      value.className = 'tooltip-value';
      value.textContent = r.value;
      row.append(sw, label, value);
      el.append(row);
    }
    el.hidden = false;
    const cw = this.container.clientWidth;
    const ch = this.container.clientHeight;
    const w = el.offsetWidth;
    const h = el.offsetHeight;
    let left = x + 14;
    if (left + w > cw) left = Math.max(0, x - 14 - w);
    let top = y + 12;
    if (top + h > ch) top = Math.max(0, y - 12 - h);
    el.style.left = `${left}px`;
    el.style.top = `${top}px`;
  }

  hide(): void {
    this.el.hidden = true;
  }
}
