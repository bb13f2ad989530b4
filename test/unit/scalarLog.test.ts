// Custom scalars: globalThis.modelLens.log as the trainer installs it (scripts call it; lens.log
// from 'model-lens' calls it too), one scalars message a call, checked like every message.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkTrainerMessage } from '../../src/protocol/messageChecks';
import type { TrainerMessage } from '../../src/protocol/messages';
import { installScalarLog } from '../../src/trainer/scalarLog';

function installed(step: () => number) {
  const messages: TrainerMessage[] = [];
  const uninstall = installScalarLog((m) => messages.push(m), step);
  return { messages, uninstall };
}

describe('modelLens.log', () => {
  it('is absent until installed and gone again after (a no-op under plain node)', () => {
    assert.equal(globalThis.modelLens, undefined);
    const { uninstall } = installed(() => 0);
    const current = () => globalThis.modelLens;
    assert.equal(typeof current()?.log, 'function');
    uninstall();
    assert.equal(current(), undefined);
    assert.doesNotThrow(() => current()?.log({ x: 1 }));
  });

  it('sends one checked scalars message per call at the run\'s step, or the call count before any step', () => {
    let step = 0;
    const { messages, uninstall } = installed(() => step);
    globalThis.modelLens!.log({ gradNorm: 1.5 });
    step = 7;
    globalThis.modelLens!.log({ gradNorm: 1.25, temperature: 0.5 });
    uninstall();
    assert.deepEqual(messages, [
      { type: 'scalars', step: 1, values: { gradNorm: 1.5 } },
      { type: 'scalars', step: 7, values: { gradNorm: 1.25, temperature: 0.5 } },
    ]);
    for (const m of messages) assert.ok(checkTrainerMessage(m).ok);
  });

  it('leaves out what a message could not carry and warns once per kind of problem', () => {
    const { messages, uninstall } = installed(() => 3);
    globalThis.modelLens!.log({ ok: 1, bad: NaN, 'has space': 2 });
    globalThis.modelLens!.log({ bad: Infinity });
    globalThis.modelLens!.log('loss' as unknown as Record<string, number>);
    uninstall();
    assert.deepEqual(messages.filter((m) => m.type === 'scalars'), [{ type: 'scalars', step: 3, values: { ok: 1 } }]);
    const warnings = messages.filter((m) => m.type === 'log').map((m) => (m.type === 'log' ? m.message : ''));
    assert.equal(warnings.length, 4, warnings.join('\n'));
    assert.ok(warnings.some((w) => /bad is left out when it is not a finite number \(got NaN\)/.test(w)));
    assert.ok(warnings.some((w) => /"has space" is left out/.test(w)));
    assert.ok(warnings.some((w) => /takes an object of named numbers/.test(w)));
    for (const m of messages) assert.ok(checkTrainerMessage(m).ok);
  });
});
