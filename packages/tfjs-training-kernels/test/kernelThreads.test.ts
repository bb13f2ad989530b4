// The kernel threads (src/kernelThreads.ts) on a bare shared WebAssembly.Memory, as tfjs-wasm's
// threaded build has: work split into ranges runs on the worker threads and gives what one call gives,
// a loop that traps (on a worker or here) is reported, and the ranges cover the work exactly once.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { kernelThreads, kernelThreadsWork, runOnThreads, runSplit, setKernelThreads, splitRange, spread } from '../src/kernelThreads';
import { simdKernels } from '../src/wasmSimd';
import { createRandom } from './testBackends';

describe('splitting work into ranges', () => {
  it('covers 0..count once, in order, in near-equal pieces, with no empty piece', () => {
    for (const [count, parts] of [[10, 3], [7, 2], [2, 5], [0, 2], [1024, 7]]) {
      const pieces = splitRange(count, parts);
      assert.deepEqual(pieces.flatMap(([s, e]) => Array.from({ length: e - s }, (_, k) => s + k)), Array.from({ length: count }, (_, k) => k));
      assert.ok(pieces.length <= parts && pieces.every(([s, e]) => e > s));
      const sizes = pieces.map(([s, e]) => e - s);
      if (sizes.length) assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, String(sizes));
    }
    assert.deepEqual(spread(['a', 'b', 'c'], 2), [['a'], ['b', 'c']]);
  });
});

describe('running SIMD loops on worker threads over a shared heap', () => {
  const memory = new WebAssembly.Memory({ initial: 64, maximum: 65536, shared: true });
  const backend = { wasm: { asm: { memory } } };
  const heap = new Float32Array(memory.buffer);
  const n = 65536 * 4; // floats per array: dy at 0, x after it, two outputs after that
  const [dy, x, out, reference] = [0, 1, 2, 3].map((k) => k * n * 4);
  after(() => setKernelThreads(1));

  it('gives, split over two threads, the bits one call gives', () => {
    const random = createRandom(5);
    for (let i = 0; i < 2 * n; i++) heap[i] = random() * 2 - 1;
    simdKernels(backend)!.reluGrad(dy, x, reference, n * 4);
    setKernelThreads(2);
    assert.equal(kernelThreads(backend), 2);
    // Until the worker has taken a chunk (the calling thread may take them all while it starts up).
    for (let job = 0; job < 500 && kernelThreadsWork() === 0; job++) {
      heap.fill(0, 2 * n, 3 * n);
      runSplit(backend, n / 4, (v0, v1) => ['reluGrad', dy + 16 * v0, x + 16 * v0, out + 16 * v0, 16 * (v1 - v0)]);
      assert.ok(heap.subarray(2 * n, 3 * n).some((v) => v !== 0));
      assert.deepEqual(heap.subarray(2 * n, 3 * n), heap.subarray(3 * n, 4 * n));
    }
    assert.ok(kernelThreadsWork() > 0, 'the worker thread never ran a chunk');
  });

  it('reports a loop that traps instead of hanging, and runs the next job', () => {
    setKernelThreads(2);
    const outside = memory.buffer.byteLength; // a store there is out of bounds
    assert.throws(() => runOnThreads(backend, [[], [['reluGrad', dy, x, outside, 16]]]), /kernel thread failed|out of bounds/);
    // The pool still works afterwards.
    runSplit(backend, n / 4, (v0, v1) => ['reluGrad', dy + 16 * v0, x + 16 * v0, out + 16 * v0, 16 * (v1 - v0)]);
    assert.deepEqual(heap.subarray(2 * n, 3 * n), heap.subarray(3 * n, 4 * n));
  });
});
