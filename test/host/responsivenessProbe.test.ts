// The extension host's responsiveness probe: a loop blocked by JS shows up as late ticks whose wait
// the loop spent running, Model Lens's own timed work is booked by label, and the report line says so.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { LATE_MS, ResponsivenessProbe, timeHostWork } from '../../src/host/responsivenessProbe';

function block(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) { /* busy: the loop cannot run timers */ }
}

describe('ResponsivenessProbe', () => {
  it('attributes late ticks to a loop blocked by JS', async () => {
    const probe = new ResponsivenessProbe();
    await sleep(30);
    for (let i = 0; i < 3; i++) {
      timeHostWork('blocking test work', () => block(3 * LATE_MS));
      await sleep(30);
    }
    const late = probe.lateness();
    const line = probe.stop();
    assert.ok(late.ticks >= 3, `expected ≥ 3 late ticks, got ${late.ticks}`);
    assert.ok(late.activeMs >= 3 * 2 * LATE_MS, `the blocked time should count as running: ${late.activeMs.toFixed(0)} ms`);
    assert.ok(late.activeMs > late.idleMs, `running ${late.activeMs.toFixed(0)} ms vs idle ${late.idleMs.toFixed(0)} ms`);
    assert.match(line, /^event-loop delay during the run: p50 [\d.]+ ms, p99 [\d.]+ ms, max [\d.]+ ms; loop busy [\d.]+% of the time; /);
    assert.match(line, /\d+ ticks more than 20 ms late, waiting \d+ ms in all: the loop was running \d+% of that time/);
    const ours = /Model Lens's own work: blocking test work 3× (\d+) ms, longest ([\d.]+) ms/.exec(line);
    assert.ok(ours, line);
    assert.ok(Number(ours[1]) >= 9 * LATE_MS - 1 && Number(ours[2]) >= 3 * LATE_MS - 1, line);
    const max = Number(/max ([\d.]+) ms/.exec(line)![1]);
    assert.ok(max >= 2 * LATE_MS, `max delay ${max} ms should show the ${3 * LATE_MS} ms blocks`);
  });
});
