/**
 * `assess` with its inputs gathered: the export read from disk, the profile found beside it, and the DNS analysed
 * (recorded with `offline`, live otherwise). The I/O wrapper around the pure `assessSnapshot`; the CLI and
 * library users call this.
 */
import { lstat, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { assessSnapshot, type AssessResult } from './assess.js';
import type { DnsReport } from './dns/analyse.js';
import { liveResolver } from './dns/live.js';
import { query, recordedResolver, recordingResolver } from './dns/resolver.js';
import { analyseTenantDns, planTenantDns } from './dns/tenant.js';
import { zoneFromJson, type DnsZone, type ZoneEntry } from './common/zone.js';
import { gatewayMxDomains, resolveGateway } from './profile/infer.js';
import { loadProfile, PROFILE_FILE_NAME } from './profile/load.js';
import { EMPTY_PROFILE, type Profile } from './profile/schema.js';
import type { AssessedSide } from './diff/compare.js';
import { readExport } from './snapshot/read.js';
import type { Snapshot } from './snapshot/types.js';

export interface AssessExportOptions {
  /** Profile file; default `<export>/mxlock.yaml` (or beside a snapshot.json) when present. */
  profilePath?: string | undefined;
  /** Only the export's dns.json; never the network. */
  offline?: boolean | undefined;
  /** DNS servers for live analysis (`ip` or `ip:port`). */
  dnsServers?: readonly string[] | undefined;
  /** Live DNS: per-try timeout and tries (default: `liveResolver`'s). */
  dnsTimeoutMs?: number | undefined;
  dnsTries?: number | undefined;
  now?: Date;
  timestamp?: Date | undefined;
  /** Progress and diagnostics (stderr in the CLI). */
  log?: (line: string) => void;
}

export interface AssessExportResult extends AssessResult {
  /** The export as read, its `dns` the run's zone (live: the answers recorded, not the export's dns.json). */
  snapshot: Snapshot;
  profilePath: string | undefined;
  /** The profile that was found (undefined: none, everything inferred). */
  profile: Profile | undefined;
  /** The DNS answers of the run (dns.json, or what the live analysis recorded): `snapshot.dns`. */
  zone: DnsZone | undefined;
}

/** Something is at `path`, a symbolic link to nothing included: the profile reader then says what is wrong with it. */
async function present(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

export async function findProfile(
  exportPath: string,
  explicit: string | undefined,
): Promise<{ profile: Profile | undefined; path?: string }> {
  if (explicit) return { profile: await loadProfile(explicit), path: explicit };
  const info = await stat(exportPath).catch(() => undefined);
  const dir = info?.isDirectory() ? exportPath : dirname(exportPath);
  const candidate = join(dir, PROFILE_FILE_NAME);
  if (await present(candidate)) return { profile: await loadProfile(candidate), path: candidate };
  return { profile: undefined };
}

/**
 * The DNS facts of the run, for the dns.* checks, the gateway inference and the simulator: offline, the export's
 * dns.json (or none); live, fresh answers, recorded (failures included, as failures) into the zone everything else
 * reads. Live, the MX of the accepted domains is asked first: the gateway it infers decides which IPs SPF must
 * authorise and which DKIM selectors to look for, and the recorder gives the later readers the same answers.
 */
export async function tenantDns(
  snapshot: Snapshot,
  profile: Profile | undefined,
  options: Pick<AssessExportOptions, 'offline' | 'dnsServers' | 'dnsTimeoutMs' | 'dnsTries' | 'log'>,
): Promise<{
  dns: DnsReport | undefined;
  zone: DnsZone | undefined;
  /** Live: the answers recorded, in the dns.json shape (`mxlock collect` writes them as the export's dns.json). */
  recorded?: Record<string, ZoneEntry>;
}> {
  const log = options.log ?? (() => undefined);
  if (options.offline) {
    if (!snapshot.dns) {
      log('--offline and no dns.json in the export: the dns.* checks are unknown');
      return { dns: undefined, zone: undefined };
    }
    const plan = planTenantDns(snapshot, resolveGateway(profile, snapshot));
    return {
      dns: await analyseTenantDns(recordedResolver(snapshot.dns), plan, 'recorded answers (dns.json)'),
      zone: snapshot.dns,
    };
  }
  const servers = options.dnsServers?.flatMap((s) => s.split(',')).filter(Boolean);
  const recorder = recordingResolver(
    liveResolver({
      ...(servers && servers.length ? { servers } : {}),
      ...(options.dnsTimeoutMs !== undefined ? { timeoutMs: options.dnsTimeoutMs } : {}),
      ...(options.dnsTries !== undefined ? { tries: options.dnsTries } : {}),
    }),
  );
  await Promise.all(gatewayMxDomains(snapshot).map((d) => query(recorder.resolve, d, 'MX')));
  const gateway = resolveGateway(profile, { ...snapshot, dns: zoneFromJson(recorder.toJson()) });
  const plan = planTenantDns(snapshot, gateway);
  log(
    `analysing the DNS of ${plan.domains.length} domain(s) live${servers?.length ? ` via ${servers.join(', ')}` : ''} (--offline to use dns.json only)`,
  );
  const dns = await analyseTenantDns(
    recorder.resolve,
    plan,
    servers?.length ? `live DNS via ${servers.join(', ')}` : 'live DNS (system resolver)',
  );
  for (const u of recorder.failures) log(`warning: DNS failure (its answer stays unknown): ${u}`);
  const recorded = recorder.toJson();
  return { dns, zone: zoneFromJson(recorded), recorded };
}

export async function assessExport(
  exportPath: string,
  options: AssessExportOptions = {},
): Promise<AssessExportResult> {
  const exported = await readExport(exportPath);
  const { profile, path } = await findProfile(exportPath, options.profilePath);
  if (path && !options.profilePath) options.log?.(`using profile ${path}`);
  const { dns, zone } = await tenantDns(exported, profile, options);
  // One zone per run: live, the answers just recorded take the place of the export's dns.json in the snapshot, so the
  // gateway inference, the checks, the simulator and the planner (its "after" snapshots too) read the same facts.
  const snapshot: Snapshot = options.offline ? exported : { ...exported, dns: zone, dnsLive: true };
  const result = assessSnapshot(snapshot, {
    profile,
    dns,
    ...(options.now ? { now: options.now } : {}),
    ...(options.timestamp ? { timestamp: options.timestamp } : {}),
  });
  return { ...result, snapshot, profilePath: path, profile, zone };
}

/** An assessed export as `diff` compares it: the report, the snapshot, its gateway and profile (`diff`, `assess --fleet`). */
export function assessedSide(result: AssessExportResult): AssessedSide {
  return {
    report: result.report,
    snapshot: result.snapshot,
    gateway: resolveGateway(result.profile, result.snapshot),
    profile: result.profile ?? EMPTY_PROFILE,
  };
}
