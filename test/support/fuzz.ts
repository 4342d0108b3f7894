/**
 * Seeded property tests over hostile input (issue 10, acceptance): a small generator on the one PRNG of the seeded
 * tests (`rng`, mulberry32), and a runner whose failure message names the seed and the generated input, so that a
 * failing case reproduces with `MXLOCK_FUZZ_SEED=<seed> MXLOCK_FUZZ_CASES=1`.
 *
 * Each property has a quick count for `npm test` and a full one for `npm run test:full` (MXLOCK_TEST_FULL=1, see
 * test/support/scale.ts). `MXLOCK_FUZZ_CASES` sets the number of cases of every property over both: a bug hunt runs
 * thousands. `MXLOCK_FUZZ_SEED` moves the first seed.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { inlineSafe } from '../../src/common/text.js';
import { rng } from './generated-zones.js';
import { cases } from './scale.js';

/** The first seed when MXLOCK_FUZZ_SEED is not set: fixed, so that a plain `npm test` is deterministic. */
const DEFAULT_FIRST_SEED = 10_000;

function envInt(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${name}=${raw}: expected a whole number`);
  return n;
}

/**
 * The seeds of one property: `quick` of them, `full` under MXLOCK_TEST_FULL=1, MXLOCK_FUZZ_CASES when set; from
 * MXLOCK_FUZZ_SEED or a fixed start.
 */
export function fuzzSeeds(quick: number, full: number): number[] {
  const n = envInt('MXLOCK_FUZZ_CASES') ?? cases(quick, full);
  const first = envInt('MXLOCK_FUZZ_SEED') ?? DEFAULT_FIRST_SEED;
  return Array.from({ length: n }, (_, i) => first + i);
}

/**
 * From this many cases a property asserts that each of its outcomes (a report and a refusal, say) was reached by a
 * share of them; fewer (one seed reproduced) cannot.
 */
export const MIN_CASES_FOR_SHARES = 20;

/**
 * The timeout of a property's test: generous per case (a loaded 2-core machine runs several workers), so that only a
 * case that hangs trips it; it grows with MXLOCK_FUZZ_CASES.
 */
export function fuzzTimeout(seeds: readonly number[], msPerCase: number): number {
  return 30_000 + seeds.length * msPerCase;
}

/** A seeded source of choices; `notes` records what was generated, for the failure message. */
export class Gen {
  private readonly next: () => number;
  readonly notes: string[] = [];
  constructor(readonly seed: number) {
    this.next = rng(seed);
  }
  /** In [0, 1). */
  float(): number {
    return this.next();
  }
  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    if (xs.length === 0) throw new Error('pick from an empty list');
    return xs[Math.floor(this.next() * xs.length)]!;
  }
  /** One of `weighted`'s values, each as likely as its weight. */
  weighted<T>(weighted: readonly (readonly [number, T])[]): T {
    const total = weighted.reduce((s, [w]) => s + w, 0);
    let x = this.next() * total;
    for (const [w, v] of weighted) {
      if (x < w) return v;
      x -= w;
    }
    return weighted[weighted.length - 1]![1];
  }
  /** `n` results of `f`. */
  times<T>(n: number, f: () => T): T[] {
    return Array.from({ length: n }, f);
  }
  /** Record what a case is made of (shown, truncated, when it fails). */
  note(label: string, value: string | Uint8Array): void {
    this.notes.push(`${label}: ${preview(value)}`);
  }
}

/** Input shown in a failure message: at most `max` characters (bytes shown as hex), control and bidi escaped. */
export function preview(value: string | Uint8Array, max = 600): string {
  if (typeof value !== 'string') {
    const hex = Buffer.from(value.subarray(0, max / 2)).toString('hex');
    return `<${value.length} bytes> ${hex}${value.length > max / 2 ? '…' : ''}`;
  }
  const shown = value.length > max ? `${value.slice(0, max)}… (${value.length} characters)` : value;
  return inlineSafe(shown);
}

/** Failures shown in full in one message; the others are counted. */
const SHOWN_FAILURES = 5;

/**
 * Runs `body` once per seed, sequentially (each case sees the process as one CLI run would). Every case runs, so that
 * a bug hunt with many seeds lists all it found: the error names each failing seed, the way to reproduce it and what
 * the case generated.
 */
export async function forEachSeed(
  property: string,
  seeds: readonly number[],
  body: (g: Gen) => Promise<void> | void,
): Promise<void> {
  const failures: string[] = [];
  let first: unknown;
  for (const seed of seeds) {
    const g = new Gen(seed);
    try {
      await body(g);
    } catch (err) {
      first ??= err;
      const why = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      const where = err instanceof Error && err.stack ? stackTop(err.stack) : '';
      failures.push(
        `seed ${seed} (reproduce: MXLOCK_FUZZ_SEED=${seed} MXLOCK_FUZZ_CASES=1): ${inlineSafe(why)}${where}\n  ${g.notes.join('\n  ')}`,
      );
    }
  }
  if (failures.length > 0) {
    const more = failures.length > SHOWN_FAILURES ? `\n… and ${failures.length - SHOWN_FAILURES} more` : '';
    throw new Error(
      `${property}: ${failures.length} of ${seeds.length} cases failed\n${failures.slice(0, SHOWN_FAILURES).join('\n')}${more}`,
      { cause: first },
    );
  }
}

/** The first frames of a stack inside the project's sources: where an unexpected exception came from. */
function stackTop(stack: string): string {
  const frames = stack
    .split('\n')
    .filter((l) => /\/src\//.test(l))
    .slice(0, 3)
    .map((l) => l.trim());
  return frames.length > 0 ? ` [${frames.join(' ← ')}]` : '';
}

/** Runs the garbage collector (exposed on demand, so no test needs `node --expose-gc`). */
export function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  gc();
}

/** Heap in use after a full collection: what a run keeps, not what it allocated on the way. */
export function heapAfterGc(): number {
  collectGarbage();
  return process.memoryUsage().heapUsed;
}
