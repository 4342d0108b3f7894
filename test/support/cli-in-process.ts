/**
 * Runs the `mxlock` command line inside the test worker: `main()` of src/cli/program.ts with the argv, stdout,
 * stderr, standard input, environment, working directory and exit code a child process of the bundle would have,
 * and everything it changed put back afterwards. A run costs what the command costs, not a Node start-up (~0.3 s of
 * CPU each, most of the suite's time when every CLI test launched the bundle).
 *
 * What it is not: the bundle, Node's start-up, `main.ts`'s `--version` fast path, signals, a real exit (a handle left
 * open would hang a process but not this), process warnings, a TTY. Tests of those use `mxlockProcess`
 * (test/support/cli.ts).
 *
 * Runs are one at a time (the streams and the environment are the process's): a second run waits for the first.
 */
import { Readable } from 'node:stream';
import type { CliRun } from './cli-bundle.js';

export interface InProcessOptions {
  /** Variables set for the run (undefined: unset), over the worker's environment, as a child's env would be. */
  env?: Readonly<Record<string, string | undefined>>;
  /** The working directory of the run. */
  cwd: string;
  /** Standard input: these bytes, then end of file. Without it, end of file at once (never the worker's stdin). */
  input?: string | Uint8Array;
}

let queue: Promise<unknown> = Promise.resolve();

export function runInProcess(args: readonly string[], options: InProcessOptions): Promise<CliRun> {
  const run = queue.then(() => runOnce(args, options));
  queue = run.catch(() => undefined);
  return run;
}

type Restore = () => void;

/** Sets `obj[key]` as an own property and returns how to put back exactly what was there (own, inherited or none). */
function override<T extends object>(obj: T, key: PropertyKey, value: unknown): Restore {
  const own = Object.getOwnPropertyDescriptor(obj, key);
  Object.defineProperty(obj, key, {
    value,
    configurable: true,
    writable: true,
    enumerable: own?.enumerable ?? false,
  });
  return () => {
    if (own) Object.defineProperty(obj, key, own);
    else Reflect.deleteProperty(obj, key);
  };
}

type Write = (
  chunk: string | Uint8Array,
  encoding?: BufferEncoding | ((err?: Error | null) => void),
  cb?: (err?: Error | null) => void,
) => boolean;

/** Captures a stream's writes as bytes, as a pipe to a child would carry them; a callback is called as a write's. */
function capture(stream: NodeJS.WriteStream, into: Buffer[]): Restore[] {
  const write: Write = (chunk, encoding, cb) => {
    const callback = typeof encoding === 'function' ? encoding : cb;
    const enc = typeof encoding === 'string' ? encoding : 'utf8';
    into.push(typeof chunk === 'string' ? Buffer.from(chunk, enc) : Buffer.from(chunk));
    if (callback) process.nextTick(callback, null);
    return true;
  };
  // A pipe is not a TTY: no colour, no progress line, the 80-column layout, whatever the worker's streams are.
  return [
    override(stream, 'write', write),
    override(stream, 'isTTY', undefined),
    override(stream, 'columns', undefined),
  ];
}

function applyEnv(env: Readonly<Record<string, string | undefined>>): Restore {
  const before = new Map<string, string | undefined>();
  for (const [key, value] of Object.entries(env)) {
    before.set(key, process.env[key]);
    if (value === undefined) Reflect.deleteProperty(process.env, key);
    else process.env[key] = value;
  }
  return () => {
    for (const [key, value] of before) {
      if (value === undefined) Reflect.deleteProperty(process.env, key);
      else process.env[key] = value;
    }
  };
}

async function runOnce(args: readonly string[], options: InProcessOptions): Promise<CliRun> {
  // Loaded on the first run only: most files that import test/support/cli.ts never run the CLI.
  const { main } = await import('../../src/cli/program.js');
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  const restores: Restore[] = [];
  const exitCode = process.exitCode;
  const cwd = process.cwd();
  // Node prints a process warning on stderr (`(node:pid) Warning: …`); here it is put in the run's stderr the same way.
  const onWarning = (w: Error) => stderr.push(Buffer.from(`(node:${process.pid}) ${w.name}: ${w.message}\n`));
  process.on('warning', onWarning);
  restores.push(() => process.off('warning', onWarning));
  try {
    restores.push(...capture(process.stdout, stdout), ...capture(process.stderr, stderr));
    const input = options.input === undefined ? [] : [Buffer.from(options.input)];
    restores.push(override(process, 'stdin', Readable.from(input, { objectMode: false })));
    restores.push(applyEnv(options.env ?? {}));
    if (options.cwd !== cwd) {
      process.chdir(options.cwd);
      restores.push(() => process.chdir(cwd));
    }
    process.exitCode = undefined;
    const code = await main([process.execPath, 'mxlock', ...args]);
    return {
      code,
      stdout: Buffer.concat(stdout).toString('utf8'),
      stderr: Buffer.concat(stderr).toString('utf8'),
    };
  } finally {
    process.exitCode = exitCode;
    for (const restore of restores.reverse()) restore();
  }
}
