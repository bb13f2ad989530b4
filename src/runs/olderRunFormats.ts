// Run folders recorded before named metrics (run.json version 1; batch `loss`/`accuracy`, epochEnd
// `trainLoss`/`testAccuracy`..., evaluation `testLoss`/`testAccuracy`) read as today's shapes:
// converted on read, before the checks, so every reader downstream sees one shape. Pure.

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => !!v && typeof v === 'object' && !Array.isArray(v);

/** The fields of `from` that are numbers, under new names (`{ trainLoss: 'loss' }`); nulls left out. */
function named(from: Json, names: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [old, name] of Object.entries(names)) if (from[old] !== null && from[old] !== undefined) out[name] = from[old];
  return out;
}

function without(from: Json, keys: readonly string[]): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(from)) if (!keys.includes(k)) out[k] = v;
  return out;
}

/** A recorded message as today's protocol has it (a message already in today's shape is returned as it is). */
export function upgradeRecordedMessage(value: unknown): unknown {
  if (!isObject(value)) return value;
  switch (value.type) {
    case 'batch':
      if ('metrics' in value || !('loss' in value)) return value;
      return { ...without(value, ['loss', 'accuracy']), metrics: named(value, { loss: 'loss', accuracy: 'accuracy' }) };
    case 'epochEnd': {
      if ('metrics' in value || !('trainLoss' in value)) return value;
      const test = named(value, { testLoss: 'loss', testAccuracy: 'accuracy' });
      const upgraded: Json = { ...without(value, ['trainLoss', 'trainAccuracy', 'testLoss', 'testAccuracy']), metrics: named(value, { trainLoss: 'loss', trainAccuracy: 'accuracy' }) };
      if (Object.keys(test).length > 0) upgraded.test = test;
      return upgraded;
    }
    case 'evaluation':
      if ('test' in value || !('testLoss' in value)) return value;
      return { ...without(value, ['testLoss', 'testAccuracy']), test: named(value, { testLoss: 'loss', testAccuracy: 'accuracy' }) };
    default:
      return value;
  }
}

/** A version 1 run.json's figures (loss, accuracy, trainLoss, ..., bestTestAccuracy) as version 2's named records. */
export function upgradeRunHeader(value: unknown): unknown {
  if (!isObject(value) || value.version !== 1 || !isObject(value.figures)) return value;
  const f = value.figures;
  return {
    ...value,
    version: 2,
    figures: {
      steps: f.steps, epochs: f.epochs, lr: f.lr, elapsedSec: f.elapsedSec,
      batch: named(f, { loss: 'loss', accuracy: 'accuracy' }),
      train: named(f, { trainLoss: 'loss', trainAccuracy: 'accuracy' }),
      val: {},
      test: named(f, { testLoss: 'loss', testAccuracy: 'accuracy' }),
      bestVal: {},
      bestTest: named(f, { bestTestAccuracy: 'accuracy' }),
    },
  };
}
