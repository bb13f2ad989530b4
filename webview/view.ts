// The contract between the panel shell (webview/main.ts) and each view (a tab of the panel).
import type { StepCommand } from '../src/protocol/messageChecks';
import type { Changes, RunState } from '../src/protocol/runState';

export interface ViewContext {
  /** Asks the extension host to open the layer's line (no-op in the standalone report). */
  reveal(layer: string): void;
  /** Persisted UI state of this view (webview setState), e.g. a slider position. */
  getUiState<T>(key: string, fallback: T): T;
  setUiState(key: string, value: unknown): void;
  /** Logs a warning to the developer console (and the host's output channel when there is one). */
  warn(message: string): void;
  /** Asks the host to freeze or unfreeze a layer by editing the experiment file (false in the report). */
  freeze(layer: string, frozen: boolean): boolean;
  /** Saves a file the user exports (the host asks where; the report downloads it). */
  save(name: string, mime: string, base64: string): void;
  /** Sends a step-through command to the run's trainer through the host (false in the report). */
  stepControl(command: StepCommand): boolean;
}

export interface View {
  readonly id: string;
  readonly title: string;
  /** Called once with the view's own element (a tab panel). */
  mount(root: HTMLElement, context: ViewContext): void;
  /**
   * Called at most once per animation frame while the view is visible, with what changed since its
   * last update (everything, after a snapshot or when the view becomes visible).
   */
  update(state: RunState, changes: Changes): void;
}
