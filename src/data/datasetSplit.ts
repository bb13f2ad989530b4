// The seeded train/test split of streamed data (CSV rows, image files) by item index. Items are taken
// in blocks of SPLIT_BLOCK; in each block exactly round(length × testSplit) items, chosen by the seed,
// are test items. Known block by block, so a first pass can count both splits and compute training
// statistics without holding the file, and a later pass (or a worker) finds the same split.
import { createRandom, deriveSeed, permutation } from './seededRandom';

export const SPLIT_BLOCK = 1000;

/** 1 for the test items of block `block` (items block × SPLIT_BLOCK …), which holds `length` items. */
export function testMembers(block: number, length: number, testSplit: number, seed: number): Uint8Array {
  const members = new Uint8Array(length);
  const tests = Math.round(length * testSplit);
  if (tests === 0) return members;
  const order = permutation(length, createRandom(deriveSeed(seed, 0x5911, block)));
  for (let i = 0; i < tests; i++) members[order[i]] = 1;
  return members;
}

/** Test membership of `count` items (a list known up front, e.g. image files). */
export function splitMembers(count: number, testSplit: number, seed: number): Uint8Array {
  const members = new Uint8Array(count);
  for (let start = 0, block = 0; start < count; start += SPLIT_BLOCK, block++) {
    members.set(testMembers(block, Math.min(SPLIT_BLOCK, count - start), testSplit, seed), start);
  }
  return members;
}
