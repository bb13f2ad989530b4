import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TrainerMessage } from '../../src/protocol/messages';
import { WALKTHROUGH_KEYS, WalkthroughEvents } from '../../src/host/walkthroughEvents';
import { ROOT } from '../helpers/fixtures';

interface Step { id: string; media: { markdown?: string }; completionEvents: string[] }
const walkthrough = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).contributes.walkthroughs[0] as { steps: Step[] };

const batch = { type: 'batch', epoch: 1, step: 1, batch: 1, metrics: { loss: 2, accuracy: 0.1 }, lr: 0.1, samplesPerSec: 1, elapsedSec: 1 } as TrainerMessage;
const model = (schedule: unknown) => ({ type: 'model', plan: { schedule } }) as unknown as TrainerMessage;
const epochEnd = { type: 'epochEnd', epoch: 1 } as TrainerMessage;

describe('the Getting Started walkthrough completes on real events, through context keys', () => {
  it('every step waits for one of the keys the host sets, and its markdown exists', () => {
    const keys = new Set<string>(Object.values(WALKTHROUGH_KEYS));
    assert.equal(walkthrough.steps.length, keys.size);
    for (const step of walkthrough.steps) {
      assert.equal(step.completionEvents.length, 1, step.id);
      const [event] = step.completionEvents;
      assert.ok(event.startsWith('onContext:') && keys.has(event.slice('onContext:'.length)), `${step.id}: ${event}`);
      assert.ok(step.media.markdown && fs.existsSync(path.join(ROOT, step.media.markdown)), `${step.id}: ${step.media.markdown}`);
    }
  });

  it('opening the course MLP (or its copy) completes the first step; another file does not', () => {
    const w = new WalkthroughEvents();
    assert.deepEqual(w.opened('/w/src/model.ts'), []);
    assert.deepEqual(w.opened('/w/mnist-mlp.ts'), [WALKTHROUGH_KEYS.openedCourseMlp]);
    assert.deepEqual(w.opened('/w/mnist-mlp.ts'), [], 'each key once');
  });

  it('a run\'s first batch completes "train"; the graph and the summary both shown complete "read"', () => {
    const w = new WalkthroughEvents();
    assert.deepEqual(w.message({}, 'a.ts', model(null)), []);
    assert.deepEqual(w.message({}, 'a.ts', batch), [WALKTHROUGH_KEYS.trained]);
    assert.deepEqual(w.shown('graph'), []);
    assert.deepEqual(w.shown('summary'), [WALKTHROUGH_KEYS.readGraphAndSummary]);
  });

  it('two runs of one file with different schedules, each an epoch, complete "compare"; the same schedule twice does not', () => {
    const w = new WalkthroughEvents();
    const [a, b, c] = [{}, {}, {}];
    w.message(a, 'x.ts', model({ type: 'cosine', tMax: 5 }));
    assert.deepEqual(w.message(a, 'x.ts', epochEnd), []);
    w.message(b, 'x.ts', model({ type: 'cosine', tMax: 5 }));
    assert.deepEqual(w.message(b, 'x.ts', epochEnd), []);
    w.message(c, 'x.ts', model({ type: 'step', stepSize: 1 }));
    assert.deepEqual(w.message(c, 'x.ts', epochEnd), [WALKTHROUGH_KEYS.comparedSchedules]);
  });

  it('a hover and a step-through trace complete their steps', () => {
    const w = new WalkthroughEvents();
    assert.deepEqual(w.hovered(), [WALKTHROUGH_KEYS.hoveredLayer]);
    assert.deepEqual(w.message({}, 'x.ts', { type: 'trace' } as unknown as TrainerMessage), [WALKTHROUGH_KEYS.steppedThroughBackprop]);
  });
});
