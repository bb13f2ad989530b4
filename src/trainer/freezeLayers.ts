import type * as tf from '@tensorflow/tfjs';
import { modelCalls } from '../model/layerCalls';
import { isModel, type LayerLike } from '../model/modelStructure';
import { UserError } from '../model/userError';
import { parseFreezePattern } from '../protocol/freezePatterns';

function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
}

/**
 * Applies the experiment's `freeze` list: a layer name or glob (`conv*`), a layer type (`Conv2D`),
 * or an index range of the top-level layers (`#0-3`, `#2`; the older `0-3` too, unless a layer is
 * named so). Returns the names frozen.
 */
export function freezeLayers(model: tf.LayersModel, patterns: string[]): string[] {
  const top = modelCalls(model as unknown as LayerLike).calls.map((c) => c.layer);
  const all: LayerLike[] = [];
  const visit = (layers: LayerLike[]) => {
    for (const l of layers) {
      all.push(l);
      if (isModel(l)) visit(modelCalls(l).calls.map((c) => c.layer));
    }
  };
  visit(top);
  const frozen: string[] = [];
  patterns.forEach((pattern, index) => {
    const parsed = parseFreezePattern(pattern);
    if (parsed.kind === 'invalid') throw UserError.atSetting(['freeze', index], `freeze: ${parsed.why}.`);
    const named = all.filter((l) => l.name === pattern);
    let matched: LayerLike[];
    if (parsed.kind === 'range' && !(parsed.legacy && named.length > 0)) {
      matched = top.slice(parsed.from, parsed.to + 1);
    } else {
      const re = globToRegExp(pattern);
      matched = all.filter((l) => re.test(l.name) || l.getClassName() === pattern);
    }
    if (matched.length === 0) {
      throw UserError.atSetting(['freeze', index], `freeze: "${pattern}" matches no layer.`,
        parsed.kind === 'range'
          ? `The model has ${top.length} top-level layers (#0-${Math.max(0, top.length - 1)}).`
          : `Layer names are ${all.map((l) => l.name).join(', ')}; patterns may use * and ?, a type (Conv2D) or an index range (#0-2).`);
    }
    for (const l of matched) {
      (l as unknown as { trainable: boolean }).trainable = false;
      frozen.push(l.name);
    }
  });
  return frozen;
}
