// Folding trainer messages into the run state the host and the panel share: samples messages after
// the first leave their images out, and the state keeps them.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SamplesMessage } from '../../src/protocol/messages';
import { checkTrainerMessage } from '../../src/protocol/messageChecks';
import { runStateFrom } from '../../src/protocol/runState';

const samples = (epoch: number, predictions: number[], images?: string[]): SamplesMessage => ({
  type: 'samples', epoch, width: 2, height: 1, channels: 1, labels: [0, 1], predictions, classNames: ['a', 'b'], ...(images ? { images } : {}),
});

describe('run state: samples', () => {
  it('keeps the first message\'s images for later epochs\' predictions', () => {
    const state = runStateFrom([samples(1, [1, 1], ['AAA=', 'AQE=']), samples(2, [0, 1]), samples(3, [0, 0])]);
    assert.deepEqual(state.samples?.images, ['AAA=', 'AQE=']);
    assert.deepEqual(state.samples?.predictions, [0, 0]);
    assert.equal(state.samples?.epoch, 3);
  });
  it('takes new images when a message brings them', () => {
    const state = runStateFrom([samples(1, [1, 1], ['AAA=', 'AQE=']), samples(2, [0, 1], ['AgI=', 'AwM='])]);
    assert.deepEqual(state.samples?.images, ['AgI=', 'AwM=']);
  });
  it('accepts a samples message without images and refuses malformed ones', () => {
    assert.ok(checkTrainerMessage(samples(2, [0, 1])).ok);
    assert.equal(checkTrainerMessage({ ...samples(2, [0, 1]), images: 'AAA=' }).ok, false);
  });
});
