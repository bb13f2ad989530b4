// The minimap in the graph's corner, as Netron and TensorBoard have: the whole graph in miniature
// (top-level groups as outlines, boxes as dots) with the part on screen framed; a click or a drag
// on it moves the view there. Shown only when the graph does not fit the view. Drawn on a 2D
// canvas: a few hundred rectangles cost less there than as SVG elements.
import type { CanvasGraph, Region } from './canvasGeometry';

const WIDTH = 140;
const MAX_HEIGHT = 180;

export class Minimap {
  private readonly canvas: HTMLCanvasElement;
  private graph: CanvasGraph | null = null;
  private onScreen: Region | null = null;
  private scale = 1;
  private frame = 0;
  /** The theme's colours, read once per graph (reading them forces a style pass). */
  private colours: { node: string; group: string; view: string } | null = null;

  /** `panTo` centres the view on a point of the layout. */
  constructor(parent: HTMLElement, private readonly panTo: (x: number, y: number) => void) {
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'graph-minimap';
    this.canvas.hidden = true;
    this.canvas.setAttribute('aria-hidden', 'true');
    parent.append(this.canvas);
    const follow = (e: PointerEvent) => {
      if (!this.graph) return;
      const r = this.canvas.getBoundingClientRect();
      this.panTo((e.clientX - r.left) / this.scale, (e.clientY - r.top) / this.scale);
    };
    this.canvas.addEventListener('pointerdown', (e) => {
      e.stopPropagation();
      this.canvas.setPointerCapture(e.pointerId);
      follow(e);
    });
    this.canvas.addEventListener('pointermove', (e) => { if (this.canvas.hasPointerCapture(e.pointerId)) follow(e); });
  }

  /** Redraws, in the next frame, for the graph and the part of it on screen; hides when all of it is on screen. */
  update(graph: CanvasGraph | null, onScreen: Region): void {
    if (graph !== this.graph) this.colours = null;
    this.graph = graph;
    this.onScreen = onScreen;
    if (!this.frame) this.frame = requestAnimationFrame(() => { this.frame = 0; this.draw(); });
  }

  private draw(): void {
    const { graph, onScreen } = this;
    if (!onScreen) return;
    const placed = graph?.placed;
    const whole = !placed || (onScreen.x0 <= 0 && onScreen.y0 <= 0 && onScreen.x1 >= placed.width && onScreen.y1 >= placed.height);
    this.canvas.hidden = whole;
    if (whole || !graph) return;
    this.scale = Math.min(WIDTH / placed.width, MAX_HEIGHT / placed.height);
    const w = Math.max(1, Math.round(placed.width * this.scale));
    const h = Math.max(1, Math.round(placed.height * this.scale));
    const ratio = window.devicePixelRatio || 1;
    if (this.canvas.width !== w * ratio || this.canvas.height !== h * ratio) {
      this.canvas.width = w * ratio;
      this.canvas.height = h * ratio;
      this.canvas.style.width = `${w}px`;
      this.canvas.style.height = `${h}px`;
    }
    const c = this.canvas.getContext('2d');
    if (!c) return;
    if (!this.colours) {
      const style = getComputedStyle(this.canvas);
      const read = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
      this.colours = { node: read('--minimap-node', 'gray'), group: read('--minimap-group', 'gray'), view: read('--minimap-view', 'dodgerblue') };
    }
    const colours = this.colours;
    c.setTransform(ratio * this.scale, 0, 0, ratio * this.scale, 0, 0);
    c.clearRect(0, 0, placed.width, placed.height);
    c.lineWidth = 1 / this.scale;
    for (const v of graph.visible.nodes) {
      const p = placed.nodes.get(v.id);
      if (!p) continue;
      if (v.kind === 'group') {
        if (v.parent !== null) continue;
        c.strokeStyle = colours.group;
        c.strokeRect(p.x, p.y, p.width, p.height);
      } else {
        c.fillStyle = colours.node;
        c.fillRect(p.x, p.y, p.width, p.height);
      }
    }
    c.strokeStyle = colours.view;
    c.lineWidth = 2 / this.scale;
    c.strokeRect(onScreen.x0, onScreen.y0, onScreen.x1 - onScreen.x0, onScreen.y1 - onScreen.y0);
  }
}
