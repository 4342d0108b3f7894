/**
 * `trace` and `events` as a library: read the log files, classify every inbound row, replay the delivered flows
 * through the plan, and build the DESIGN §3.4 model the reporters render.
 */
import { InputError } from '../errors.js';
import { EMPTY_PROFILE } from '../profile/schema.js';
import { caveatsOf, directSourcesOf, inventoryOf, TraceClassifier, type TraceContext } from './classify.js';
import { replayImpact, type ImpactEntry, type ImpactInput, type UncertainImpact } from './impact.js';
import { LAYOUTS, type LayoutId } from './layouts.js';
import { DateOrderRestart, type DateOrder } from './time.js';
import { readLog } from './read.js';
import { top, TOP_ENTRIES, type LogCommand, type TraceReport } from './summary.js';

export type { LogCommand, TraceReport };

export interface AnalyseLogsOptions {
  onProgress?: ((file: string, bytesRead: number, size: number) => void) | undefined;
  /** The export and plan inputs for the impact replay; without them no replay (said in the notes). */
  impact?: Omit<ImpactInput, 'gateway' | 'profile'> | undefined;
  /**
   * false: every CSV record becomes a LogRow first (the reference the byte path is tested against; slower). The report
   * is the same either way.
   */
  byBytes?: boolean | undefined;
}

const EVENTS_LAYOUTS: readonly LayoutId[] = ['email-events'];

function titleOf(id: LayoutId): string {
  return LAYOUTS.find((l) => l.id === id)?.title ?? id;
}

export async function analyseLogs(
  command: LogCommand,
  paths: readonly string[],
  context: TraceContext,
  options: AnalyseLogsOptions = {},
): Promise<TraceReport> {
  // A file whose later dates show that its first, ambiguous ones were read in the wrong day/month order is read again
  // with the order given. The first reading learns the order of every such file (the files after one are still read,
  // to learn theirs), and a second reading, with those orders given, is the one reported: two readings at most.
  const orders = new Map<string, DateOrder>();
  for (let reading = 1; ; reading++) {
    const report = await analyseOnce(command, paths, context, options, orders);
    if (report) return report;
    // A file with its order given never asks again, and one that did not ask reads the same the second time.
    if (reading > 1) throw new Error('internal: a second reading asked for a third');
  }
}

async function analyseOnce(
  command: LogCommand,
  paths: readonly string[],
  context: TraceContext,
  options: AnalyseLogsOptions,
  orders: Map<string, DateOrder>,
): Promise<TraceReport | undefined> {
  const c = new TraceClassifier(context, { flows: options.impact !== undefined });
  const files: TraceReport['files'] = [];
  const dateNotes: string[] = [];
  let again = false;
  for (const path of paths) {
    c.startFile(path, orders.get(path));
    let result: Awaited<ReturnType<typeof readLog>>;
    try {
      result = await readLog(path, (row) => c.add(row), {
        onProgress: options.onProgress ? (n, size) => options.onProgress?.(path, n, size) : undefined,
        recordReader: options.byBytes === false ? undefined : (bound) => c.recordReader(bound),
      });
    } catch (e) {
      // Its first, ambiguous dates were read in the other order than its later ones show: the order is learnt, the
      // other files are still read (to learn theirs), and the caller reads them all again (undefined).
      if (!(e instanceof DateOrderRestart) || orders.has(e.file)) throw e;
      orders.set(e.file, e.order);
      again = true;
      continue;
    }
    const isEvents = EVENTS_LAYOUTS.includes(result.layout);
    if (isEvents !== (command === 'events'))
      throw new InputError(
        `${path}: this is ${titleOf(result.layout)}; read it with mxlock ${isEvents ? 'events' : 'trace'}`,
        path,
      );
    c.layouts.add(result.layout);
    files.push({ path, ...result });
    for (const n of c.dateNotes()) dateNotes.push(`${path}: ${n}`);
  }
  if (again) return undefined;
  const notes = [...files.flatMap((f) => f.notes.map((n) => `${f.path}: ${n}`)), ...dateNotes];
  let impact: ImpactEntry[] = [];
  let impactUncertain: UncertainImpact[] = [];
  let replay: TraceReport['replay'] = null;
  if (options.impact) {
    const r = replayImpact(c.flowList(), {
      ...options.impact,
      gateway: context.gateway,
      profile: context.profile ?? EMPTY_PROFILE,
    });
    impact = r.impact;
    impactUncertain = r.uncertain;
    replay = { flows: r.flows, stages: r.stages };
    notes.push(...r.notes);
  }
  return {
    command,
    files,
    rows: c.rows,
    outbound: c.outbound,
    inbound: { ...c.inbound },
    rejections: [...c.rejections.entries()]
      .map(([code, count]) => ({ code, count }))
      .sort((a, b) => b.count - a.count || (a.code < b.code ? -1 : 1)),
    byDay: top(c.byDay, Number.MAX_SAFE_INTEGER, true),
    topSourceIps: top(c.bySourceIp, TOP_ENTRIES),
    topSenderDomains: top(c.bySenderDomain, TOP_ENTRIES),
    topRecipients: top(c.byRecipient, TOP_ENTRIES),
    directSources: directSourcesOf(c),
    directSendInventory: inventoryOf(c),
    impact,
    impactUncertain,
    replay,
    caveats: caveatsOf(c),
    notes,
  };
}
