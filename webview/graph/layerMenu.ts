// The graph's context menu on a layer or group: Freeze or Unfreeze it (the host writes the change into
// the experiment file). A menu with menu items, keyboard included: focus on open, arrows move,
// Enter or a click chooses, Escape or a click elsewhere closes.
export interface MenuItem { action: string; label: string; title: string; run: () => void }

export class LayerMenu {
  private readonly menu: HTMLDivElement;

  constructor(private readonly container: HTMLElement) {
    this.menu = document.createElement('div');
    this.menu.className = 'graph-menu';
    this.menu.hidden = true;
    this.menu.setAttribute('role', 'menu');
    this.menu.addEventListener('keydown', (e) => this.onKey(e));
    container.append(this.menu);
    document.addEventListener('click', () => this.close());
    document.addEventListener('keydown', (e) => { if (e.key === 'Escape') this.close(); });
  }

  /** Opens at the pointer of `e`, kept inside the container, with the first item focused. */
  open(e: MouseEvent, items: MenuItem[]): void {
    this.menu.replaceChildren(...items.map((item) => {
      const b = document.createElement('button');
      b.className = 'menu-item';
      b.setAttribute('role', 'menuitem');
      b.dataset.action = item.action;
      b.textContent = item.label;
      b.title = item.title;
      b.addEventListener('click', () => { this.close(); item.run(); });
      return b;
    }));
    const bounds = this.container.getBoundingClientRect();
    this.menu.style.left = `${Math.min(e.clientX - bounds.left, bounds.width - 240)}px`;
    this.menu.style.top = `${e.clientY - bounds.top}px`;
    this.menu.hidden = false;
    (this.menu.firstElementChild as HTMLElement | null)?.focus();
  }

  close(): void {
    this.menu.hidden = true;
  }

  private onKey(e: KeyboardEvent): void {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    e.preventDefault();
    const items = [...this.menu.querySelectorAll<HTMLElement>('.menu-item')];
    const at = items.indexOf(document.activeElement as HTMLElement);
    items[(at + (e.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length]?.focus();
  }
}
