// Data that describes a model: its graph (as torchview draws it) and its summary (as torchinfo
// prints it). Plain JSON, no runtime dependencies: shared by trainer, host, CLI and webview.

/** A tensor shape; `null` is a dimension not known until run time (the batch, usually). */
export type Shape = (number | null)[];

/** A position in the user's source (1-based line and column, as editors show them). */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

/** One frame of the user's call stack: a position and the function it lies in (null: anonymous or top level). */
export interface StackFrame extends SourceLocation {
  function: string | null;
}

export type GraphNodeKind = 'input' | 'layer' | 'output' | 'group';

export interface GraphNode {
  id: string;
  kind: GraphNodeKind;
  /** Layer or tensor name as tfjs knows it (what `model.getLayer(name)` takes). */
  name: string;
  /** Layer class (`Dense`, `Conv2D`, ...); `Input` / `Output` for tensor nodes. */
  type: string;
  /** Id of the enclosing group node (a nested model), or null at the top level. */
  parent: string | null;
  inputShapes: Shape[];
  outputShape: Shape | Shape[];
  /** All weights of the layer (for a group: of everything inside it). */
  params: number;
  trainable: boolean;
  /** Where to open it: a layer built in a helper, the caller's line that built its block; a group, the line that called it. */
  source: SourceLocation | null;
  /** The user's call stack of the layer's call (outermost first), or of a group's helper call. */
  callStack?: StackFrame[];
  /** What grouped it: a nested model, an invocation of a helper function, or a shared name prefix (groups only). */
  groupBy?: 'model' | 'function' | 'prefix';
  /** The layer whose call threw while the model was built (a partial graph). */
  failed?: boolean;
  /** Facts of the layer's configuration, label → text (strides, padding, dilation, activation, initialisers). */
  facts?: Record<string, string>;
}

export interface GraphEdge {
  from: string;
  to: string;
  shape: Shape;
}

export interface ModelGraph {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

/** torchinfo's "Trainable" column: true, false, or "partial" for a container with both. */
export type TrainableState = boolean | 'partial';

export interface SummaryRow {
  name: string;
  type: string;
  /** torchinfo's `depth-idx`, e.g. "1-2"; "" for the model's own row. */
  depthIndex: string;
  depth: number;
  /** Name of the parent row's layer, null for the model's own row. */
  parent: string | null;
  inputShapes: Shape[];
  outputShape: Shape | Shape[];
  /** All weights of the layer; for a nested model, of everything inside it (the table prints torchinfo's "--" when expanded). */
  params: number;
  trainableParams: number;
  paramPercent: number;
  kernelShape: number[] | null;
  multAdds: number;
  trainable: TrainableState;
  /** True when the row is a nested model or a group of the user's helper calls (it has rows of its own below). */
  isContainer: boolean;
  /** torchinfo's `is_recursive`: a layer or nested model called again (or a helper group of layers all
   *  already counted); its params print "(recursive)" and count once in the totals. Absent when false. */
  recursive?: boolean;
  source: SourceLocation | null;
  /** The user's call stack of the layer's call (outermost first), or of a group's helper call. */
  callStack?: StackFrame[];
  /** Bytes of the layer's output at the summary's batch size (what the forward pass keeps for backprop). */
  activationBytes?: number;
  /** Facts of the layer's configuration, label → text (see GraphNode.facts). */
  facts?: Record<string, string>;
  /** Approximate forward time in ms of the layer's call on `ModelSummary.timedSamples` samples (a group: of its layers). */
  forwardMs?: number;
}

export interface SummaryTotals {
  totalParams: number;
  trainableParams: number;
  nonTrainableParams: number;
  multAdds: number;
  inputBytes: number;
  forwardBackwardBytes: number;
  paramBytes: number;
  totalBytes: number;
}

export interface ModelSummary {
  model: string;
  batchSize: number;
  depth: number;
  layers: SummaryRow[];
  totals: SummaryTotals;
  /** Samples in the batch the layers were timed on, when they were (see SummaryRow.forwardMs). */
  timedSamples?: number;
}
