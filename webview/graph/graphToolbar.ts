// The graph view's toolbar: search, depth, direction, Fit, export, the graph's figures and the
// gradient colour legend. It only reports what the user asked for; the view acts on it.
import * as d3 from 'd3';
import { button, labelled, selectField, textField, type TextField } from '../controls';
import { drawGradientLegend } from './gradientColors';
import type { LayoutDirection } from './graphLayout';

export interface ToolbarActions {
  /** The query changed (`next`: Enter was pressed, go to the next match). */
  search(query: string, next: boolean): void;
  /** Escape in the search field: the query is cleared, focus goes back to the graph. */
  leaveSearch(): void;
  depth(depth: number): void;
  direction(direction: LayoutDirection): void;
  fit(): void;
  export(format: 'svg' | 'png'): void;
}

const DIRECTIONS = [['DOWN', 'Top to bottom'], ['RIGHT', 'Left to right']] as const;
const LEGEND_WIDTH = 220;

export class GraphToolbar {
  private readonly searchField: TextField;
  private readonly info: HTMLSpanElement;
  private readonly depthField: TextField;
  private readonly legend: d3.Selection<SVGSVGElement, unknown, null, undefined>;

  constructor(parent: HTMLElement, initial: { depth: number; direction: LayoutDirection }, actions: ToolbarActions) {
    const bar = document.createElement('div');
    bar.className = 'toolbar graph-toolbar';
    const search = textField({ className: 'graph-search', label: 'Search layers', type: 'search', placeholder: 'Search name or type' });
    search.addEventListener('input', () => actions.search(search.value, false));
    search.addEventListener('keydown', (e: KeyboardEvent) => {
      if (e.key === 'Enter') { e.preventDefault(); actions.search(search.value, true); }
      if (e.key === 'Escape') { search.value = ''; actions.search('', false); actions.leaveSearch(); }
    });
    this.searchField = search;
    const depth = textField({ className: 'graph-depth', label: 'Depth', type: 'number', min: 1, max: 20, value: initial.depth });
    depth.addEventListener('change', () => actions.depth(Math.max(1, Number(depth.value) || 1)));
    this.depthField = depth;
    const direction = selectField({ className: 'graph-direction', label: 'Direction', options: DIRECTIONS, value: initial.direction });
    direction.addEventListener('change', () => actions.direction(direction.value as LayoutDirection));
    this.info = document.createElement('span');
    this.info.className = 'graph-info';
    bar.append(
      search, labelled('Depth', depth), direction,
      button({ className: 'graph-fit', text: 'Fit', title: 'Fit to view (0)', onClick: () => actions.fit() }),
      button({ className: 'graph-export-svg', text: 'SVG', title: 'Export the graph as SVG', onClick: () => actions.export('svg') }),
      button({ className: 'graph-export-png', text: 'PNG', title: 'Export the graph as PNG', onClick: () => actions.export('png') }),
      this.info,
    );
    this.legend = d3.select(bar).append('svg').attr('class', 'gradient-legend').style('display', 'none');
    parent.append(bar);
  }

  focusSearch(): void {
    this.searchField.focus();
  }

  get query(): string {
    return this.searchField.value;
  }

  /** Shows the depth the graph is drawn at (a big model opens shallower than the default). */
  showDepth(depth: number): void {
    if (this.depthField.value !== String(depth)) this.depthField.value = String(depth);
  }

  setInfo(text: string): void {
    if (this.info.textContent !== text) this.info.textContent = text;
  }

  /** The legend of the gradient colours, once there are gradients (drawn again: the theme may have changed). */
  showLegend(shown: boolean): void {
    if (shown) this.legend.style('display', null);
    else this.legend.style('display', 'none');
    if (shown) drawGradientLegend(this.legend, LEGEND_WIDTH);
  }
}
