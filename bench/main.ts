// Benchmarks print one JSON object to stdout: `npm run bench -- [suite…]` (default: all).
import { activationsBench } from './activationsBench';
import { backendsBench, backendsChild } from './backendsBench';
import { dataBench, dataStreamChild } from './dataBench';
import { hostBench } from './hostBench';
import { runsBench } from './runsBench';
import { scriptsBench } from './scriptsBench';
import { trainBench } from './trainBench';
import { webviewBench } from './webviewBench';

const SUITES: Record<string, () => Promise<Record<string, unknown>>> = {
  host: hostBench,
  train: trainBench,
  activations: activationsBench,
  backends: backendsBench,
  webview: webviewBench,
  runs: runsBench,
  data: dataBench,
  scripts: scriptsBench,
};

async function main(): Promise<void> {
  const asked = process.argv.slice(2);
  // The data suite's child process (a trainer-sized process whose memory is measured alone).
  if (asked[0] === 'data-stream-child') return dataStreamChild(asked[1]);
  if (asked[0] === 'backends-child') return backendsChild(asked[1], asked[2]);
  const unknown = asked.filter((s) => !(s in SUITES));
  if (unknown.length) {
    process.stderr.write(`unknown bench suite(s): ${unknown.join(', ')}; known: ${Object.keys(SUITES).join(', ')}\n`);
    process.exit(2);
  }
  const result: Record<string, unknown> = {};
  for (const name of asked.length ? asked : Object.keys(SUITES)) result[name] = await SUITES[name]();
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

void main();
