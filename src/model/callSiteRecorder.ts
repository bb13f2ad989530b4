import type * as tfType from '@tensorflow/tfjs';
import type { SourceLocation } from '../protocol/modelInfo';
import type { CallFrame } from './codeGroups';
import { formatBytes, memoryLimits } from './memoryLimits';
import { AppliedCalls } from './appliedCalls';
import { userFrame, userStack } from './stackLocation';
import type { UserSources } from './userSources';
import { UserError } from './userError';

type Tf = typeof tfType;
type AnyFn = (...args: unknown[]) => unknown;

/** Factories outside tf.layers whose results we also locate (models and input tensors). */
const TOP_LEVEL_FACTORIES = ['sequential', 'model', 'input'] as const;
/** Factories that apply layers themselves: the user's frames of those applies are the factory call. */
const APPLYING_FACTORIES: ReadonlySet<string> = new Set(['sequential', 'model']);
/** Frames kept per stack: deep helpers stay whole (V8 keeps 10 by default). */
const STACK_LIMIT = 200;

const LAYER_SITE = Symbol('modelLens.layerSite');

/**
 * Where the layer whose construction, build or call threw `e` was made in the user's source. A layer
 * built inside tf.sequential() throws many tfjs frames below the user's code (often past the stack
 * trace's limit), so the recorded site is the only reliable place to point at.
 */
export function layerSiteOf(e: unknown): SourceLocation | null {
  return (e && typeof e === 'object' ? (e as Record<symbol, SourceLocation | undefined>)[LAYER_SITE] : undefined) ?? null;
}

function tagWithSite(e: unknown, site: SourceLocation | null): unknown {
  if (site && e && typeof e === 'object' && !layerSiteOf(e)) (e as Record<symbol, SourceLocation>)[LAYER_SITE] = site;
  return e;
}

/**
 * Hands the user's experiment a tf whose `tf.layers.*`, `tf.sequential`, `tf.model` and `tf.input`
 * note where in the user's source each layer was made and, for each call of a layer on symbolic
 * tensors, the user's whole call stack with which invocation of each function it ran in (so hovers
 * and graph clicks can find it and the graph can group layers by the helpers that built them);
 * errors and weights too large for the backend point at the layer that caused them.
 */
export class CallSiteRecorder {
  private readonly sites = new WeakMap<object, SourceLocation>();
  private readonly built = new WeakMap<object, CallFrame[]>();
  /** How many times each marked function of the user's files was entered (see functionEntries.ts). */
  private readonly entries = new Map<number, number>();
  /** Calls of layers on symbolic tensors while the model is built (for the graph's groups and a partial graph). */
  readonly calls = new AppliedCalls();
  /** Bytes of every weight the user's layers have made so far. */
  private weightBytes = 0;
  private backend = () => 'cpu';
  private isSymbolic: (x: unknown) => boolean = () => false;
  /** Inside tf.sequential()/tf.model(): their applies are tfjs's, not the user's. */
  private factoryDepth = 0;
  private sealed = false;

  constructor(private readonly sources: UserSources) {}

  /** Called by the mark at the start of every function of the user's files. */
  enter(id: number): void {
    this.entries.set(id, (this.entries.get(id) ?? 0) + 1);
  }

  /** The model is built: later applies (training, evaluation) are not recorded. */
  seal(): void {
    this.sealed = true;
    this.calls.clear();
  }

  /** Where `layerOrModel` was constructed, if it was made by the user's code. */
  locate(layerOrModel: object): SourceLocation | null {
    return this.sites.get(layerOrModel) ?? null;
  }

  /** The user's call stack (outermost first) of the layer's call that made inbound node `nodeIndex`, else of its construction. */
  stackOf(layer: object, nodeIndex: number): CallFrame[] | null {
    return this.calls.stackOf(layer, nodeIndex) ?? this.built.get(layer) ?? null;
  }

  wrapTf(tf: Tf): Tf {
    this.backend = () => tf.getBackend();
    const Symbolic = tf.SymbolicTensor;
    const symbolic = (x: unknown) => x instanceof Symbolic;
    this.isSymbolic = (x) => (Array.isArray(x) ? x.length > 0 && x.every(symbolic) : symbolic(x));
    const wrapped: Record<string, unknown> = { __esModule: true };
    for (const key of Object.keys(tf)) wrapped[key] = (tf as unknown as Record<string, unknown>)[key];
    const layers: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(tf.layers)) {
      // Factories (dense, conv2d…) are recorded; classes (Layer, for custom layers) stay subclassable.
      const isClass = key[0] === key[0].toUpperCase();
      layers[key] = typeof value === 'function' && !isClass ? this.recording(value as AnyFn, false) : value;
    }
    wrapped.layers = layers;
    for (const key of TOP_LEVEL_FACTORIES) {
      wrapped[key] = this.recording((tf as unknown as Record<string, AnyFn>)[key].bind(tf), APPLYING_FACTORIES.has(key));
    }
    wrapped.default = wrapped;
    return wrapped as unknown as Tf;
  }

  /** The user's frames of the current stack, each with the invocation of its function it runs in. */
  private captureStack(): CallFrame[] {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = STACK_LIMIT;
    const stack = new Error().stack;
    Error.stackTraceLimit = limit;
    return userStack(stack, this.sources).map((frame) => {
      const span = this.sources.functionAt(frame.file, frame.line, frame.column);
      return span
        ? { ...frame, function: span.name, fnId: span.id, invocation: this.entries.get(span.id) ?? 0 }
        : { ...frame, fnId: null, invocation: 0 };
    });
  }

  private recording(factory: AnyFn, applies: boolean): AnyFn {
    return (...args: unknown[]) => {
      const stack = this.sealed ? [] : this.captureStack();
      const site = stack.length ? stack[stack.length - 1] : userFrame(new Error().stack, this.sources);
      let made: unknown;
      if (applies) this.factoryDepth++;
      try {
        made = factory(...args);
      } catch (e) {
        throw tagWithSite(e, site); // an invalid config: the factory call is the place
      } finally {
        if (applies) this.factoryDepth--;
      }
      if (made && typeof made === 'object') {
        // tf.input returns a SymbolicTensor: the layer to locate is the InputLayer behind it.
        const target = (made as { sourceLayer?: object }).sourceLayer ?? made;
        if (site && !this.sites.has(target)) this.sites.set(target, { file: site.file, line: site.line, column: site.column });
        if (stack.length && !this.built.has(target)) this.built.set(target, stack);
        if (isLayer(made)) this.guard(made, this.sites.get(made) ?? null);
      }
      return made;
    };
  }

  /**
   * Errors thrown while `layer` is built or applied name it and carry its site; its calls on symbolic
   * tensors are recorded; a weight too large for the backend is refused before it is allocated.
   */
  private guard(layer: LayerObject, site: SourceLocation | null): void {
    const apply = layer.apply.bind(layer);
    // A model's own errors (its layers' are tagged already) keep their message and place.
    const nested = Array.isArray(layer.layers);
    layer.apply = (...args: unknown[]) => {
      const recorded = !this.sealed && this.isSymbolic(args[0]);
      const stack = recorded ? (this.factoryDepth === 0 ? this.captureStack() : this.built.get(layer) ?? []) : null;
      try {
        const out = apply(...args);
        if (stack) this.calls.applied(layer, args[0], out, stack);
        return out;
      } catch (e) {
        if (stack) this.calls.failed(layer, args[0], stack);
        if (nested) throw e;
        // tfjs's shape errors often say only "Operands could not be broadcast": name the layer.
        if (e instanceof Error && !(e instanceof UserError) && !layerSiteOf(e)) e.message = `${describeLayer(layer)}: ${e.message}`;
        throw tagWithSite(e, site);
      }
    };
    if (typeof layer.addWeight !== 'function' || nested) return;
    const addWeight = layer.addWeight.bind(layer);
    layer.addWeight = (name: unknown, shape: unknown, ...rest: unknown[]) => {
      if (Array.isArray(shape)) this.countWeight(layer, String(name), shape as number[], site);
      return addWeight(name, shape, ...rest);
    };
  }

  private countWeight(layer: LayerObject, name: string, shape: number[], site: SourceLocation | null): void {
    const backend = this.backend();
    const limits = memoryLimits(backend);
    const values = shape.reduce((n, d) => n * d, 1);
    const bytes = values * 4;
    if (bytes > limits.perTensor) {
      throw new UserError(`${describeLayer(layer)}: its ${name} [${shape.join(', ')}] has ${values.toLocaleString('en-US')} values (${formatBytes(bytes)}), ` +
        `more than one tensor can hold on the ${backend} backend (${formatBytes(limits.perTensor)}).`,
      site, 'Make the layer smaller: fewer units or filters, or a smaller input to it.');
    }
    this.weightBytes += bytes;
    if (this.weightBytes > limits.total) {
      throw new UserError(`${describeLayer(layer)} brings the model's weights to ${formatBytes(this.weightBytes)}, ` +
        `more than ${limits.totalIs} holds (${formatBytes(limits.total)}).`,
      site, backend === 'wasm' ? 'Make the model smaller, or train with --backend cpu (limited by this machine\'s memory).' : 'Make the model smaller.');
    }
  }
}

interface LayerObject {
  apply: AnyFn;
  inboundNodes: unknown[];
  addWeight?: AnyFn;
  layers?: unknown;
  name: string;
  getClassName(): string;
}

/** A layer or a model (a model applied to tensors is a layer of the outer model). */
function isLayer(made: object): made is LayerObject {
  const layer = made as Partial<LayerObject>;
  return typeof layer.apply === 'function' && typeof layer.getClassName === 'function';
}

const describeLayer = (layer: LayerObject) => `layer "${layer.name}" (${layer.getClassName()})`;
