// The schedules against sequences recorded from real PyTorch (test/fixtures/torch-schedules.json,
// written by scripts/record-torch-schedules.py: torch.optim.lr_scheduler on an SGD optimizer over a
// dummy parameter, stepped like a training loop; rerun the script to refresh it).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSchedule, plannedLearningRates, type ScheduleContext, type ScheduleSpec } from '../src/index';
import recorded from './fixtures/torch-schedules.json';
import { assertSeq, drive } from './scheduleAssertions';

describe('recorded PyTorch sequences', () => {
  interface RecordedCase {
    name: string;
    spec: ScheduleSpec;
    ctx: ScheduleContext;
    losses?: number[];
    lrs: number[];
  }
  const doc = recorded as { torch: string; cases: RecordedCase[] };

  it('covers every schedule type', () => {
    const types = new Set(doc.cases.map((c) => c.spec.type));
    for (const t of ['none', 'step', 'exponential', 'cosine', 'cosineWarmRestarts', 'oneCycle', 'cyclic', 'plateau']) {
      assert.ok(types.has(t), `a recorded case for ${t}`);
    }
  });

  for (const c of doc.cases) {
    it(`matches torch ${doc.torch}: ${c.spec.type} — ${c.name}`, () => {
      const lrs = c.losses ? drive(createSchedule(c.spec, c.ctx), c.ctx, c.losses) : plannedLearningRates(c.spec, c.ctx);
      assertSeq(lrs, c.lrs, c.name);
    });
  }
});
