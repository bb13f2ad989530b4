// Which steps of the Getting Started walkthrough the user has done, from the real events (a file
// opened, a run's messages, a view shown, a hover): each becomes a context key that the step's
// `completionEvents: onContext:…` waits for. No vscode here: the host sets the keys it returns.
import type { TrainerMessage } from '../protocol/messages';

export const WALKTHROUGH_KEYS = {
  openedCourseMlp: 'modelLens.walkthrough.openedCourseMlp',
  trained: 'modelLens.walkthrough.trained',
  readGraphAndSummary: 'modelLens.walkthrough.readGraphAndSummary',
  hoveredLayer: 'modelLens.walkthrough.hoveredLayer',
  comparedSchedules: 'modelLens.walkthrough.comparedSchedules',
  steppedThroughBackprop: 'modelLens.walkthrough.steppedThroughBackprop',
} as const;

export type WalkthroughKey = (typeof WALKTHROUGH_KEYS)[keyof typeof WALKTHROUGH_KEYS];

/** The course MLP as the extension ships it (examples/mnist-mlp.ts), or a copy made by Open Example. */
const COURSE_MLP = /(^|[\\/])mnist-mlp[\w-]*\.(ts|js)$/;

export class WalkthroughEvents {
  private readonly done = new Set<WalkthroughKey>();
  private readonly views = new Set<string>();
  /** Per experiment file, the schedules of its runs that trained a whole epoch. */
  private readonly schedules = new Map<string, Set<string>>();
  private readonly pendingSchedule = new Map<object, string>();

  /** The keys newly completed (each key once). */
  private complete(...keys: WalkthroughKey[]): WalkthroughKey[] {
    const fresh = keys.filter((k) => !this.done.has(k));
    for (const k of fresh) this.done.add(k);
    return fresh;
  }

  opened(file: string): WalkthroughKey[] {
    return COURSE_MLP.test(file) ? this.complete(WALKTHROUGH_KEYS.openedCourseMlp) : [];
  }

  /** A panel view shown (graph and summary both, for the "read the graph and the summary" step). */
  shown(view: string): WalkthroughKey[] {
    this.views.add(view);
    return this.views.has('graph') && this.views.has('summary') ? this.complete(WALKTHROUGH_KEYS.readGraphAndSummary) : [];
  }

  hovered(): WalkthroughKey[] {
    return this.complete(WALKTHROUGH_KEYS.hoveredLayer);
  }

  /** One message of a training run (`run` tells runs apart) of `file`. */
  message(run: object, file: string, m: TrainerMessage): WalkthroughKey[] {
    if (m.type === 'batch') return this.complete(WALKTHROUGH_KEYS.trained);
    if (m.type === 'model') this.pendingSchedule.set(run, JSON.stringify(m.plan?.schedule ?? { type: 'none' }));
    if (m.type === 'epochEnd') {
      const schedule = this.pendingSchedule.get(run);
      if (schedule === undefined) return [];
      const seen = this.schedules.get(file) ?? new Set<string>();
      seen.add(schedule);
      this.schedules.set(file, seen);
      if (seen.size >= 2) return this.complete(WALKTHROUGH_KEYS.comparedSchedules);
    }
    // The step-through's figures come as `trace` messages.
    if (m.type === 'trace') return this.complete(WALKTHROUGH_KEYS.steppedThroughBackprop);
    return [];
  }
}
