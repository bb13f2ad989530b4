import type * as tfType from '@tensorflow/tfjs';
import type { SourceLocation } from '../protocol/modelInfo';
import { formatBytes, memoryLimits } from './memoryLimits';
import { userFrame } from './stackLocation';
import { UserError } from './userError';

type Tf = typeof tfType;
type AnyFn = (...args: unknown[]) => unknown;

/** Factories outside tf.layers whose results we also locate (models and input tensors). */
const TOP_LEVEL_FACTORIES = ['sequential', 'model', 'input'] as const;

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
 * note where in the user's source each layer was made, so hovers and graph clicks can find it, and
 * errors and weights too large for the backend point at the layer that caused them.
 */
export class CallSiteRecorder {
  private readonly sites = new WeakMap<object, SourceLocation>();
  /** Bytes of every weight the user's layers have made so far. */
  private weightBytes = 0;
  private backend = () => 'cpu';

  constructor(private readonly isUserFile: (file: string) => boolean) {}

  /** Where `layerOrModel` was constructed, if it was made by the user's code. */
  locate(layerOrModel: object): SourceLocation | null {
    return this.sites.get(layerOrModel) ?? null;
  }

  wrapTf(tf: Tf): Tf {
    this.backend = () => tf.getBackend();
    const wrapped: Record<string, unknown> = { __esModule: true };
    for (const key of Object.keys(tf)) wrapped[key] = (tf as unknown as Record<string, unknown>)[key];
    const layers: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(tf.layers)) {
      // Factories (dense, conv2d…) are recorded; classes (Layer, for custom layers) stay subclassable.
      const isClass = key[0] === key[0].toUpperCase();
      layers[key] = typeof value === 'function' && !isClass ? this.recording(value as AnyFn) : value;
    }
    wrapped.layers = layers;
    for (const key of TOP_LEVEL_FACTORIES) {
      wrapped[key] = this.recording((tf as unknown as Record<string, AnyFn>)[key].bind(tf));
    }
    wrapped.default = wrapped;
    return wrapped as unknown as Tf;
  }

  private recording(factory: AnyFn): AnyFn {
    return (...args: unknown[]) => {
      const site = userFrame(new Error().stack, this.isUserFile);
      let made: unknown;
      try {
        made = factory(...args);
      } catch (e) {
        throw tagWithSite(e, site); // an invalid config: the factory call is the place
      }
      if (made && typeof made === 'object') {
        // tf.input returns a SymbolicTensor: the layer to locate is the InputLayer behind it.
        const target = (made as { sourceLayer?: object }).sourceLayer ?? made;
        if (site && !this.sites.has(target)) this.sites.set(target, site);
        if (isLeafLayer(made)) this.guard(made, this.sites.get(made) ?? null);
      }
      return made;
    };
  }

  /**
   * Errors thrown while `layer` is built or applied name it and carry its site; a weight too large
   * for the backend is refused before it is allocated.
   */
  private guard(layer: LeafLayer, site: SourceLocation | null): void {
    const apply = layer.apply.bind(layer);
    layer.apply = (...args: unknown[]) => {
      try {
        return apply(...args);
      } catch (e) {
        // tfjs's shape errors often say only "Operands could not be broadcast": name the layer.
        if (e instanceof Error && !(e instanceof UserError) && !layerSiteOf(e)) e.message = `${describeLayer(layer)}: ${e.message}`;
        throw tagWithSite(e, site);
      }
    };
    if (typeof layer.addWeight !== 'function') return;
    const addWeight = layer.addWeight.bind(layer);
    layer.addWeight = (name: unknown, shape: unknown, ...rest: unknown[]) => {
      if (Array.isArray(shape)) this.countWeight(layer, String(name), shape as number[], site);
      return addWeight(name, shape, ...rest);
    };
  }

  private countWeight(layer: LeafLayer, name: string, shape: number[], site: SourceLocation | null): void {
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

interface LeafLayer {
  apply: AnyFn;
  addWeight?: AnyFn;
  name: string;
  getClassName(): string;
}

function isLeafLayer(made: object): made is LeafLayer {
  const layer = made as Partial<LeafLayer> & { layers?: unknown };
  return typeof layer.apply === 'function' && typeof layer.getClassName === 'function' && !Array.isArray(layer.layers);
}

const describeLayer = (layer: LeafLayer) => `layer "${layer.name}" (${layer.getClassName()})`;
