import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventLoopTurns } from '../../src/trainer/script/eventLoopTurns';

describe("how often a script's training lets the event loop turn", () => {
  it('asks for nothing within the interval, for one turn once it has passed, and counts the next interval from that turn', async () => {
    const clock = { t: 0 };
    const turns = new EventLoopTurns(50, () => clock.t);
    clock.t = 49;
    assert.equal(turns.due(), null);
    clock.t = 50;
    const turn = turns.due();
    assert.ok(turn instanceof Promise);
    clock.t = 60;
    await turn;
    clock.t = 100;
    assert.equal(turns.due(), null, 'the interval runs from the turn (60), not from when it was asked for (50)');
    clock.t = 110;
    assert.ok(turns.due() instanceof Promise);
  });
});
