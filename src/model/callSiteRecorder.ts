import type * as tfType from '@tensorflow/tfjs';
import type { SourceLocation } from '../protocol/modelInfo';
import { userFrame } from './stackLocation';

type Tf = typeof tfType;
type AnyFn = (...args: unknown[]) => unknown;

/** Factories outside tf.layers whose results we also locate (models and input tensors). */
const TOP_LEVEL_FACTORIES = ['sequential', 'model', 'input'] as const;

/**
 * Hands the user's experiment a tf whose `tf.layers.*`, `tf.sequential`, `tf.model` and `tf.input`
 * note where in the user's source each layer was made, so hovers and graph clicks can find it.
 */
export class CallSiteRecorder {
  private readonly sites = new WeakMap<object, SourceLocation>();

  constructor(private readonly isUserFile: (file: string) => boolean) {}

  /** Where `layerOrModel` was constructed, if it was made by the user's code. */
  locate(layerOrModel: object): SourceLocation | null {
    return this.sites.get(layerOrModel) ?? null;
  }

  wrapTf(tf: Tf): Tf {
    const wrapped: Record<string, unknown> = { __esModule: true };
    for (const key of Object.keys(tf)) wrapped[key] = (tf as unknown as Record<string, unknown>)[key];
    const layers: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(tf.layers)) {
      layers[key] = typeof value === 'function' ? this.recording(value as AnyFn) : value;
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
      const made = factory(...args);
      if (made && typeof made === 'object') nameLayerInErrors(made);
      if (site && made && typeof made === 'object') {
        // tf.input returns a SymbolicTensor: the layer to locate is the InputLayer behind it.
        const target = (made as { sourceLayer?: object }).sourceLayer ?? made;
        if (!this.sites.has(target)) this.sites.set(target, site);
      }
      return made;
    };
  }
}

const NAMED = Symbol('modelLens.layerNamed');

/**
 * tfjs's shape errors often say only "Operands could not be broadcast": prefix the message of any
 * error thrown while a layer is applied with that layer's name and type.
 */
function nameLayerInErrors(made: object): void {
  const layer = made as { apply?: AnyFn; name?: string; getClassName?: () => string; layers?: unknown };
  if (typeof layer.apply !== 'function' || typeof layer.getClassName !== 'function' || Array.isArray(layer.layers)) return;
  const apply = layer.apply.bind(layer);
  layer.apply = (...args: unknown[]) => {
    try {
      return apply(...args);
    } catch (e) {
      if (e instanceof Error && !(e as unknown as Record<symbol, boolean>)[NAMED]) {
        e.message = `layer "${layer.name}" (${layer.getClassName!()}): ${e.message}`;
        (e as unknown as Record<symbol, boolean>)[NAMED] = true;
      }
      throw e;
    }
  };
}
