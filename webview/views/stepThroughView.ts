// The step-through view: asks the trainer to trace one sample of the next step (or step N) and pause,
// then walks that trace on the layer chain — forward layer by layer, the loss, backward as a sweep
// along the edges in reverse, the update — with each layer type's formula filled in with the sample's
// numbers. ←/→ (or the buttons) move between stages; "Continue training" resumes the run.
import type { StepCommand } from '../../src/protocol/messageChecks';
import type { Changes, RunState } from '../../src/protocol/runState';
import type { TensorView, TraceMessage } from '../../src/protocol/traceMessages';
import type { View, ViewContext } from '../view';
import { drawTensor } from '../stepThrough/tensorDrawing';
import { traceStages, type Stage } from '../stepThrough/traceStages';

const BOX_W = 96;
const BOX_H = 30;
const GAP = 34;

/** A plain list of numbers as a TensorView (the loss's rows travel as lists). */
function listView(values: number[]): TensorView {
  const mean = values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
  const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, values.length));
  return {
    shape: [values.length], mean, std, min: Math.min(...values), max: Math.max(...values),
    l2: Math.sqrt(values.reduce((a, b) => a + b * b, 0)), nonFinite: 0, values,
  };
}

export class StepThroughView implements View {
  readonly id = 'step';
  readonly title = 'Step through';
  private root!: HTMLElement;
  private ctx!: ViewContext;
  private status!: HTMLElement;
  private stepField!: HTMLInputElement;
  private sampleField!: HTMLInputElement;
  private buttons!: { trace: HTMLButtonElement; resume: HTMLButtonElement; stepOne: HTMLButtonElement; prev: HTMLButtonElement; next: HTMLButtonElement };
  private chain!: HTMLElement;
  private stageHead!: HTMLElement;
  private body!: HTMLElement;
  private trace: TraceMessage | null = null;
  private stages: Stage[] = [];
  private index = 0;

  mount(root: HTMLElement, ctx: ViewContext): void {
    this.root = root;
    this.ctx = ctx;
    root.tabIndex = 0;
    const bar = document.createElement('div');
    bar.className = 'toolbar step-toolbar';
    const button = (text: string, title: string, className: string, onClick: () => void) => {
      const b = document.createElement('button');
      b.className = className;
      b.textContent = text;
      b.title = title;
      b.addEventListener('click', onClick);
      return b;
    };
    const field = (label: string, placeholder: string, className: string) => {
      const input = document.createElement('input');
      input.type = 'number';
      input.min = className === 'step-sample' ? '0' : '1';
      input.placeholder = placeholder;
      input.className = className;
      const l = document.createElement('label');
      l.className = 'control-label';
      l.append(label, input);
      bar.append(l);
      return input;
    };
    this.buttons = {
      trace: button('Step through', 'Pause before the step, trace one sample of its batch through it, and pause after it', 'step-trace', () => this.requestTrace()),
      resume: button('Continue training', 'Resume the run', 'step-resume', () => this.send({ type: 'resume' })),
      stepOne: button('Step 1', 'Run one step, then pause again', 'step-one', () => this.send({ type: 'step', count: 1 })),
      prev: button('◀ Previous', 'Previous stage (←)', 'step-prev', () => this.go(this.index - 1)),
      next: button('Next ▶', 'Next stage (→)', 'step-next', () => this.go(this.index + 1)),
    };
    bar.append(this.buttons.trace);
    this.stepField = field('at step', 'next', 'step-at');
    this.sampleField = field('sample', '0', 'step-sample');
    bar.append(this.buttons.stepOne, this.buttons.resume);
    this.status = document.createElement('span');
    this.status.className = 'step-status note';
    bar.append(this.status);
    this.chain = document.createElement('div');
    this.chain.className = 'step-chain';
    const nav = document.createElement('div');
    nav.className = 'toolbar step-nav';
    this.stageHead = document.createElement('span');
    this.stageHead.className = 'step-stage-title';
    nav.append(this.buttons.prev, this.stageHead, this.buttons.next);
    this.body = document.createElement('div');
    this.body.className = 'step-body';
    root.append(bar, this.chain, nav, this.body);
    root.addEventListener('keydown', (e) => {
      if ((e.target as HTMLElement).tagName === 'INPUT') return;
      if (e.key === 'ArrowRight' || e.key === 'j') { this.go(this.index + 1); e.preventDefault(); }
      if (e.key === 'ArrowLeft' || e.key === 'k') { this.go(this.index - 1); e.preventDefault(); }
    });
  }

  update(state: RunState, changes: Changes): void {
    const live = state.status === 'running' || state.status === 'starting';
    const canControl = live && state.model !== null;
    this.buttons.trace.disabled = !canControl;
    this.buttons.resume.disabled = !canControl || !state.paused;
    this.buttons.stepOne.disabled = !canControl || !state.paused;
    this.status.textContent = state.paused ? `paused after step ${state.paused.step}` : live && state.model ? 'training' : state.trace ? 'recorded trace' : '';
    if (state.trace !== this.trace || changes.model) {
      const fresh = state.trace !== this.trace;
      this.trace = state.trace;
      this.stages = this.trace ? traceStages(this.trace) : [];
      if (fresh) this.index = 0;
      this.render();
    }
  }

  private requestTrace(): void {
    const step = this.stepField.value ? Math.max(1, Math.floor(Number(this.stepField.value))) : null;
    const sample = this.sampleField.value ? Math.max(0, Math.floor(Number(this.sampleField.value))) : 0;
    this.send({ type: 'trace', step, sample });
    this.status.textContent = step ? `waiting for step ${step}…` : 'waiting for the next step…';
  }

  private send(command: StepCommand): void {
    if (!this.ctx.stepControl(command)) this.status.textContent = 'no running trainer to control';
  }

  private go(index: number): void {
    if (this.stages.length === 0) return;
    this.index = Math.max(0, Math.min(this.stages.length - 1, index));
    this.render();
  }

  private render(): void {
    this.chain.replaceChildren();
    this.body.replaceChildren();
    const t = this.trace;
    if (!t) {
      this.stageHead.textContent = '';
      this.buttons.prev.disabled = this.buttons.next.disabled = true;
      this.body.append(Object.assign(document.createElement('p'), {
        className: 'empty', textContent: 'Step through pauses training before the next step (or step N), follows one sample of its batch forward, into the loss, backward and into the update.',
      }));
      return;
    }
    const stage = this.stages[this.index];
    this.buttons.prev.disabled = this.index === 0;
    this.buttons.next.disabled = this.index === this.stages.length - 1;
    this.stageHead.textContent = `${this.index + 1}/${this.stages.length}  ${stage.title}`;
    this.root.dataset.stage = stage.kind;
    this.chain.append(this.chainSvg(t, stage));
    const info = document.createElement('p');
    info.className = 'note';
    info.textContent = `Sample ${t.sample} (from 0) of the ${t.batchSize} in the batch of step ${t.step} (epoch ${t.epoch}, batch ${t.batch}; ` +
      `#${t.sampleIndex} in the epoch's shuffled order).` +
      (stage.kind === 'backward' ? ' Gradients here are this sample\'s own; the update uses the batch mean.' : '') + (t.note ? ` ${t.note}` : '');
    const formula = document.createElement('div');
    formula.className = 'step-formula';
    formula.textContent = stage.formula;
    const filled = document.createElement('ul');
    filled.className = 'step-filled';
    for (const line of stage.filled) filled.append(Object.assign(document.createElement('li'), { textContent: line }));
    this.body.append(info, formula, filled);
    this.drawStageTensors(t, stage);
  }

  private drawStageTensors(t: TraceMessage, stage: Stage): void {
    const grid = document.createElement('div');
    grid.className = 'step-tensors';
    this.body.append(grid);
    if (stage.kind === 'forward') {
      const l = t.layers[stage.layer];
      drawTensor(grid, 'input x', l.input);
      if (l.preActivation) drawTensor(grid, 'z (before the activation)', l.preActivation);
      drawTensor(grid, l.activation ? `output a = ${l.activation}(z)` : 'output', l.output, l.activeShare !== null);
    } else if (stage.kind === 'loss') {
      if (t.loss.logits) drawTensor(grid, 'logits z', listView(t.loss.logits));
      drawTensor(grid, 'prediction p', listView(t.loss.prediction));
      drawTensor(grid, 'target y', listView(t.loss.target));
      drawTensor(grid, t.loss.logits ? 'dL/dz = p − y' : 'dL/dŷ', listView(t.loss.outputGradient));
    } else if (stage.kind === 'backward') {
      const l = t.layers[stage.layer];
      drawTensor(grid, 'dL/d(output)', l.dOutput);
      if (l.dPreActivation) drawTensor(grid, 'dL/dz', l.dPreActivation);
      for (const w of l.weights) {
        drawTensor(grid, `dL/d${w.name}, this sample`, w.sampleGrad);
        drawTensor(grid, `dL/d${w.name}, batch mean (used)`, w.batchGrad);
      }
      drawTensor(grid, 'dL/d(input) → the layer before', l.dInput);
    } else {
      for (const l of t.layers) {
        for (const w of l.weights) {
          drawTensor(grid, `${l.layer}.${w.name} before`, w.before);
          drawTensor(grid, `ΔW`, w.delta);
          drawTensor(grid, 'after', w.after);
        }
      }
    }
  }

  /** The chain input → layers → loss; the stage's layer lit, and on backward stages the edge it came back along. */
  private chainSvg(t: TraceMessage, stage: Stage): SVGSVGElement {
    const ns = 'http://www.w3.org/2000/svg';
    const names = ['input', ...t.layers.map((l) => l.layer), 'loss'];
    const width = names.length * (BOX_W + GAP);
    const svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('class', 'step-chain-svg');
    svg.setAttribute('width', String(width));
    svg.setAttribute('height', String(BOX_H + 24));
    const lit = stage.kind === 'loss' ? names.length - 1 : stage.layer + 1;
    names.forEach((name, i) => {
      const x = i * (BOX_W + GAP);
      if (i > 0) {
        const edge = document.createElementNS(ns, 'line');
        edge.setAttribute('x1', String(x - GAP));
        edge.setAttribute('x2', String(x));
        edge.setAttribute('y1', String(BOX_H / 2 + 4));
        edge.setAttribute('y2', String(BOX_H / 2 + 4));
        const forwardEdge = stage.kind === 'forward' && i === lit;
        const lossEdge = stage.kind === 'loss' && i === lit;
        // Backward: the gradient arrives along the edge after the layer and leaves along the one before it.
        const backwardEdge = stage.kind === 'backward' && (i === lit + 1 || i === lit);
        edge.setAttribute('class', `step-edge${forwardEdge || lossEdge ? ' lit-forward' : ''}${backwardEdge ? ' lit-backward' : ''}`);
        edge.setAttribute('marker-end', '');
        svg.append(edge);
        if (backwardEdge) {
          const arrow = document.createElementNS(ns, 'text');
          arrow.setAttribute('x', String(x - GAP / 2));
          arrow.setAttribute('y', String(BOX_H / 2));
          arrow.setAttribute('class', 'step-arrow');
          arrow.setAttribute('text-anchor', 'middle');
          arrow.textContent = '◀';
          svg.append(arrow);
        }
      }
      const layer = i > 0 && i <= t.layers.length ? t.layers[i - 1] : null;
      const litNow = stage.kind === 'update' ? Boolean(layer?.weights.length) : i === lit;
      const box = document.createElementNS(ns, 'rect');
      box.setAttribute('x', String(x));
      box.setAttribute('y', '4');
      box.setAttribute('width', String(BOX_W));
      box.setAttribute('height', String(BOX_H));
      box.setAttribute('rx', '3');
      box.setAttribute('class', `step-box${litNow ? ` lit-${stage.kind}` : ''}`);
      box.dataset.layer = name;
      const label = document.createElementNS(ns, 'text');
      label.setAttribute('x', String(x + BOX_W / 2));
      label.setAttribute('y', String(4 + BOX_H / 2 + 4));
      label.setAttribute('text-anchor', 'middle');
      label.setAttribute('class', 'step-box-label');
      label.textContent = name.length > 13 ? `${name.slice(0, 12)}…` : name;
      const type = document.createElementNS(ns, 'text');
      type.setAttribute('x', String(x + BOX_W / 2));
      type.setAttribute('y', String(BOX_H + 18));
      type.setAttribute('text-anchor', 'middle');
      type.setAttribute('class', 'step-box-type');
      type.textContent = layer ? `${layer.type}${layer.activation ? ` · ${layer.activation}` : ''}` : '';
      svg.append(box, label, type);
    });
    return svg;
  }
}
