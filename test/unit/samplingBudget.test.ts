import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SAMPLING_BUDGET, SamplingBudget } from '../../src/trainer/script/samplingBudget';

/** Steps of `stepMs` each; a sampled step's figures cost `figuresMs`. Returns the sampled steps. */
function simulate(budget: SamplingBudget, clock: { t: number }, steps: number, stepMs: number, figuresMs: number): number[] {
  const sampled: number[] = [];
  for (let step = 1; step <= steps; step++) {
    clock.t += stepMs;
    if (budget.wants(step)) {
      sampled.push(step);
      clock.t += figuresMs;
      budget.spent(figuresMs);
    }
  }
  return sampled;
}

describe("which of a script's steps get gradient figures", () => {
  it('samples step 1 and every Nth step exactly when the user chose N, whatever it costs', () => {
    const clock = { t: 0 };
    const sampled = simulate(new SamplingBudget(5, false, () => clock.t), clock, 50, 1, 10);
    assert.deepEqual(sampled, [1, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50]);
  });

  it('samples every Nth step of the default when the figures are cheap against the steps', () => {
    const clock = { t: 0 };
    const sampled = simulate(new SamplingBudget(20, true, () => clock.t), clock, 400, 50, 5);
    assert.deepEqual(sampled, [1, ...Array.from({ length: 20 }, (_, i) => 20 * (i + 1))]);
  });

  it('skips multiples of N while the figures cost more than the budget, and keeps their share near it', () => {
    const clock = { t: 0 };
    const sampled = simulate(new SamplingBudget(20, true, () => clock.t), clock, 20_000, 2, 4);
    assert.ok(sampled.every((s) => s === 1 || s % 20 === 0));
    assert.ok(sampled.length < 1000 / 2, `${sampled.length} of 1,000 candidates sampled`);
    assert.ok(sampled.length > 20, 'it still samples now and then');
    const share = (sampled.length * 4) / clock.t;
    assert.ok(share <= SAMPLING_BUDGET * 1.1, `figures took ${(share * 100).toFixed(2)}% of the time`);
  });
});
