// Chart widths without forced layouts: a ResizeObserver keeps each chart container's width, so a
// live update (20 a second) reads a number instead of making the browser lay out the page
// mid-frame; when a width really changes (a resize, a scrollbar appearing) `onChange` redraws.

export class WidthWatcher {
  private readonly widths = new Map<Element, number>();
  private readonly observer: ResizeObserver;

  constructor(onChange: () => void) {
    this.observer = new ResizeObserver((entries) => {
      let changed = false;
      for (const e of entries) {
        const w = Math.floor(e.contentRect.width);
        if (w <= 0) continue; // a hidden tab: keep the last real width
        if (w !== this.widths.get(e.target)) { this.widths.set(e.target, w); changed = true; }
      }
      if (changed) onChange();
    });
  }

  watch(...elements: Element[]): void {
    for (const el of elements) this.observer.observe(el);
  }

  /** Forget the known widths: the next width() measures (after a resize the shell redraws everything). */
  invalidate(): void {
    this.widths.clear();
  }

  /** `el`'s width, measured (once) when not known yet; `fallback()` when it has none (not laid out). */
  width(el: HTMLElement, fallback: () => number): number {
    let w = this.widths.get(el);
    if (w === undefined) {
      w = el.clientWidth;
      if (w > 0) this.widths.set(el, w);
    }
    return w || fallback();
  }
}

/** True when every kind of change is flagged: a snapshot, a resize or the view just became visible. */
export function everythingChanged(changes: object): boolean {
  return Object.values(changes).every(Boolean);
}
