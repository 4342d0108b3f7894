/**
 * `mxlock assess --fleet <folder>` (issue 14 item 5): every tenant of a fleet folder judged by `assess`'s own engine
 * (assessExport), a few at a time so memory stays bounded by the tenants in flight, each compared with its previous
 * run by src/diff. One tenant's failure is that tenant's error entry, never the run's. The I/O edge of the fleet run.
 */
import { assessExport, assessedSide, type AssessExportOptions } from '../assess-export.js';
import { exitCodeFor } from '../assess.js';
import type { Severity } from '../common/order.js';
import { diffAssessments, diffReportStates, type DiffResult } from '../diff/compare.js';
import { describeError, InputError, ConfigError } from '../errors.js';
import { decodeText, parseJson } from '../snapshot/decode.js';
import { readInputFile } from '../snapshot/read.js';
import { VERSION } from '../version.js';
import { discoverFleet, type FleetMember } from './discover.js';
import {
  fleetTotals,
  goneSince,
  parsePreviousFleet,
  reportState,
  sortTenants,
  summariseTenant,
  type FleetSummary,
  type FleetTenant,
  type PreviousRun,
  type PreviousTenants,
} from './summary.js';

/**
 * Tenants assessed at once. Offline, an assessment is CPU work on the one JavaScript thread and each export's files are
 * already read in parallel, so one tenant at a time is the fastest (bench/fleet.ts, 200 tenants on 2 cores: 5.1 s at 1,
 * 6.3 s at 2, 6.7 s at 4) and keeps memory to one tenant. Live DNS is mostly waiting on answers: a few tenants at once.
 */
export const FLEET_CONCURRENCY = { recorded: 1, live: 4 } as const;

export interface FleetOptions {
  /** The --fail-on of each tenant's exit code (DESIGN §2). */
  failOn: Severity | 'none';
  /** Ask DNS live for every tenant; default: each export's recorded dns.json (`--offline`). */
  liveDns?: boolean | undefined;
  dnsServers?: readonly string[] | undefined;
  /** An earlier `assess --fleet --format json` to compare each tenant with (else its dated subfolders). */
  previousFile?: string | undefined;
  now?: Date | undefined;
  timestamp?: Date | undefined;
  concurrency?: number | undefined;
  /** Called as each tenant is done (the CLI's progress line on a TTY). */
  onProgress?: ((done: number, total: number, tenant: string) => void) | undefined;
}

export interface FleetRun {
  summary: FleetSummary;
  /** Every path the run read (the fleet folder, each tenant's entry and exports, --previous): no output goes there. */
  reads: string[];
}

/** An earlier fleet summary, read like every input file (bounded, any encoding PowerShell writes). */
async function readPrevious(file: string): Promise<PreviousTenants> {
  const bytes = await readInputFile(file, { role: 'input', what: 'the previous fleet summary' });
  return parsePreviousFleet(parseJson(decodeText(bytes, file).text, file), file);
}

function errorEntry(m: FleetMember, message: string): FleetTenant {
  return { tenant: m.name, export: m.export, status: 'error', error: message, exitCode: 2 };
}

/** A failure as its one line: the typed errors already name the file; anything else is a bug, and says so. */
function failureText(err: unknown): string {
  return err instanceof InputError || err instanceof ConfigError
    ? err.message
    : `unexpected error: ${describeError(err)}`;
}

async function assessMember(
  m: FleetMember,
  options: FleetOptions,
  previous: PreviousTenants | undefined,
): Promise<FleetTenant> {
  if (m.problem !== undefined) return errorEntry(m, m.problem);
  const notes: string[] = [];
  const assessOptions = (log: (line: string) => void): AssessExportOptions => ({
    offline: options.liveDns !== true,
    dnsServers: options.dnsServers,
    ...(options.now ? { now: options.now } : {}),
    log,
  });
  let current;
  try {
    current = await assessExport(
      m.export,
      assessOptions((line) => notes.push(line)),
    );
  } catch (err) {
    return errorEntry(m, failureText(err));
  }
  for (const w of current.warnings) notes.push(`warning: ${w}`);
  let prior: PreviousRun | null = null;
  let changes: DiffResult | undefined;
  if (previous && options.previousFile !== undefined) {
    // --previous names the earlier run for every tenant: its state, compared without the objects it did not keep.
    const state = previous.get(m.name);
    prior = {
      source: options.previousFile,
      status: state === undefined ? 'absent' : state === null ? 'error' : 'ok',
    };
    if (state) changes = diffReportStates(state, reportState(current.report));
  } else if (m.previous !== undefined) {
    // The dated export before the latest, assessed the same way: the whole drift, the objects included.
    try {
      const before = await assessExport(
        m.previous,
        assessOptions(() => undefined),
      );
      changes = diffAssessments(assessedSide(before), assessedSide(current));
      prior = { source: m.previous, status: 'ok' };
    } catch (err) {
      prior = { source: m.previous, status: 'error' };
      notes.push(
        `warning: the previous export could not be assessed, so nothing is compared: ${failureText(err)}`,
      );
    }
  }
  return summariseTenant({ name: m.name, export: m.export }, current.report, {
    exitCode: exitCodeFor(current.report, options.failOn),
    notes,
    previous: prior,
    changes,
  });
}

/** Runs `work` over `items` with at most `limit` in flight; results in input order. */
async function pooled<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/**
 * Assesses every tenant of `folder`. Throws (exit 2) only for what stops the whole run: the folder or --previous
 * unreadable, or the folder is one tenant's export; a tenant that fails is an `error` entry.
 */
export async function assessFleet(folder: string, options: FleetOptions): Promise<FleetRun> {
  const previous = options.previousFile ? await readPrevious(options.previousFile) : undefined;
  const members = await discoverFleet(folder);
  let done = 0;
  const limit = options.concurrency ?? FLEET_CONCURRENCY[options.liveDns ? 'live' : 'recorded'];
  const tenants = await pooled(members, limit, async (m) => {
    const entry = await assessMember(m, options, previous);
    options.onProgress?.(++done, members.length, m.name);
    return entry;
  });
  sortTenants(tenants);
  const summary: FleetSummary = {
    schemaVersion: 1,
    tool: { name: 'mxlock', version: VERSION },
    fleet: folder,
    dns: options.liveDns ? 'live' : 'recorded',
    failOn: options.failOn,
    previous: options.previousFile ?? null,
    totals: fleetTotals(tenants),
    gone: goneSince(previous, tenants),
    tenants,
    ...(options.timestamp ? { generatedAt: options.timestamp.toISOString() } : {}),
  };
  const reads = [
    folder,
    ...members.flatMap((m) => m.reads),
    ...(options.previousFile ? [options.previousFile] : []),
  ];
  return { summary, reads };
}
