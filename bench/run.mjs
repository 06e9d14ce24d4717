// Runs the benchmarks named on the command line (default: all) inside the stack `npm run bench` started.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { root } from './lib.mjs';

const ALL = {
  ingest: ['node', [join(root, 'bench/ingest.mjs')]],
  reads: ['node', [join(root, 'bench/reads.mjs')]],
  journeys: ['node', [join(root, 'bench/journeys.mjs')]],
  wakeups: ['node', [join(root, 'bench/wakeups.mjs')]],
  latency: ['node', [join(root, 'bench/latency.mjs')]],
  history: ['node', [join(root, 'bench/history.mjs')]],
  memory: ['node', [join(root, 'bench/memory.mjs')]],
  segments: [
    'node',
    [
      join(root, 'bench/dist/segments.js'),
      '--contacts',
      process.env.BENCH_SWEEP_CONTACTS ?? '1000',
      '--write',
    ],
  ],
  fliplag: [
    'node',
    [
      join(root, 'bench/dist/flip-lag.js'),
      '--contacts',
      process.env.BENCH_FLIP_CONTACTS ?? '300',
      '--write',
    ],
  ],
  designer: ['node', [join(root, 'bench/designer.mjs'), '--nodes', '500', '--runs', '3']],
  engines: ['node', [join(root, 'bench/engines.mjs')]],
};
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
let failed = 0;
for (const name of wanted.length ? wanted : Object.keys(ALL)) {
  const entry = ALL[name];
  if (!entry) {
    console.error(`unknown benchmark '${name}'; choose from ${Object.keys(ALL).join(', ')}`);
    process.exit(2);
  }
  console.log(`\n=== bench: ${name} ===`);
  const result = spawnSync(entry[0], entry[1], { stdio: 'inherit', cwd: root });
  if (result.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
