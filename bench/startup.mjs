// Start-up benchmark (DESIGN §8): wall time of `mxlock --version` and `mxlock assess --offline` on the bundled
// example, median of repeated runs, next to bare `node -e 0`. Run `npm run build` first (npm run bench does).
import { spawnSync } from 'node:child_process';

const RUNS = Number(process.env.RUNS ?? 15);

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time(args) {
  const samples = [];
  for (let i = 0; i < RUNS; i++) {
    const t = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { stdio: 'ignore' });
    samples.push(Number(process.hrtime.bigint() - t) / 1e6);
    if (r.status !== 0 && r.status !== 1) throw new Error(`${args.join(' ')} exited ${r.status}`);
  }
  return median(samples);
}

// DESIGN §8 measured bare node at 60 ms; the targets are wall times on that machine, so the overhead column
// (wall minus this machine's bare start) is the figure to compare when the machine is slower or busy.
const baseline = time(['-e', '0']);
const rows = [
  ['mxlock --version', time(['dist/bin/main.js', '--version']), 100],
  [
    'mxlock assess examples/half-done --offline',
    time(['dist/bin/main.js', 'assess', 'examples/half-done', '--offline']),
    250,
  ],
];
console.log(`start-up, median of ${RUNS} runs (ms); bare node here: ${baseline.toFixed(1)}`);
console.log(
  `  ${'command'.padEnd(46)} ${'wall'.padStart(7)} ${'overhead'.padStart(9)}   target (wall at 60 ms bare node)`,
);
for (const [name, ms, target] of rows) {
  const over = ms - baseline;
  const flag = over > target - 60 ? '  (over)' : '';
  console.log(
    `  ${name.padEnd(46)} ${ms.toFixed(1).padStart(7)} ${over.toFixed(1).padStart(9)}   ≤ ${target}${flag}`,
  );
}
