// The step-through view: asks the trainer to trace one sample of the next step (or step N) and pause,
// then walks that trace on the model's graph — forward layer by layer, the loss, backward as a sweep
// along the edges in reverse (a fork's paths summed), the update — with each layer type's formula filled in with the sample's
// numbers. ←/→ (or the buttons) move between stages; "Continue training" resumes the run.
import type { StepCommand } from '../../src/protocol/messageChecks';
import type { Changes, RunState } from '../../src/protocol/runState';
import type { TensorView, TraceMessage } from '../../src/protocol/traceMessages';
import type { View, ViewContext } from '../view';
import { drawTensor } from '../stepThrough/tensorDrawing';
import { traceGraphSvg } from '../stepThrough/traceGraphSvg';
import { forkPaths, traceStages, type Stage } from '../stepThrough/traceStages';

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
    this.chain.append(traceGraphSvg(t, stage));
    this.chain.querySelector('.step-box[class*="lit-"]')?.scrollIntoView?.({ block: 'nearest', inline: 'center' });
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
      if (l.inputs) l.inputs.forEach((v, k) => drawTensor(grid, `input ${k + 1} from ${l.sources?.[k] ?? '?'}`, v));
      else drawTensor(grid, l.sources ? `input x from ${l.sources[0]}` : 'input x', l.input);
      if (l.preActivation) drawTensor(grid, 'z (before the activation)', l.preActivation);
      drawTensor(grid, l.activation ? `output a = ${l.activation}(z)` : 'output', l.output, l.activeShare !== null);
    } else if (stage.kind === 'loss') {
      if (t.loss.logits) drawTensor(grid, 'logits z', listView(t.loss.logits));
      drawTensor(grid, 'prediction p', listView(t.loss.prediction));
      drawTensor(grid, 'target y', listView(t.loss.target));
      drawTensor(grid, t.loss.logits ? 'dL/dz = p − y' : 'dL/dŷ', listView(t.loss.outputGradient));
    } else if (stage.kind === 'backward') {
      const l = t.layers[stage.layer];
      const paths = forkPaths(t, l);
      paths.forEach((p, k) => drawTensor(grid, `path ${k + 1} of ${paths.length}: dL/d(input) ${p.from} sends back`, p.view));
      drawTensor(grid, l.consumers && l.consumers.length > 1 ? `dL/d(output) = sum of the ${l.consumers.length} paths` : 'dL/d(output)', l.dOutput);
      if (l.dPreActivation) drawTensor(grid, 'dL/dz', l.dPreActivation);
      for (const w of l.weights) {
        drawTensor(grid, `dL/d${w.name}, this sample`, w.sampleGrad);
        drawTensor(grid, `dL/d${w.name}, batch mean (used)`, w.batchGrad);
      }
      if (l.dInputs) l.dInputs.forEach((d, k) => drawTensor(grid, `dL/d(input ${k + 1}) → ${l.sources?.[k] ?? 'the layer before'}`, d));
      else drawTensor(grid, `dL/d(input) → ${l.sources?.[0] ?? 'the layer before'}`, l.dInput);
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
}
