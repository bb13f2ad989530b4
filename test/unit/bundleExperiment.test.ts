// The experiment bundler as the VSIX runs it (esbuild-wasm): it leaves no service process behind,
// which would otherwise compete with training for the whole run, and bundles again after that.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { example } from '../helpers/fixtures';

process.env.MODEL_LENS_BUNDLER = 'esbuild-wasm';

/** States of this process's children that are still running (zombies have exited). */
function liveChildren(): string[] {
  let out = '';
  try {
    out = execFileSync('ps', ['--ppid', String(process.pid), '-o', 'stat=,args='], { encoding: 'utf8' });
  } catch {
    return []; // ps exits 1 when there is no child
  }
  return out.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('Z') && !l.includes('ps --ppid'));
}

describe('bundling an experiment with esbuild-wasm', () => {
  it('stops esbuild\'s service after each build and starts a new one for the next', async () => {
    const { bundleExperiment } = await import('../../src/model/bundleExperiment');
    for (let round = 0; round < 2; round++) {
      const bundle = await bundleExperiment(example('mnist-mlp.ts'));
      assert.match(bundle.code, /defineExperiment/);
      await new Promise((r) => setTimeout(r, 200));
      assert.deepEqual(liveChildren(), [], `round ${round}: no esbuild service left running`);
    }
  });
});
