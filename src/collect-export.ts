/**
 * `mxlock collect` with its inputs gathered (issue 14): sign in, collect every cmdlet of one tenant over the admin API
 * (src/exo), record the tenant's DNS live as `assess` does (assess-export.ts `tenantDns`: one way), and return the
 * export folder's files — one per cmdlet collected, `dns.json`, and `collection.json`, the manifest of what was
 * collected when. The CLI writes them (src/cli/write-output.ts). Read-only towards the tenant: only Get- cmdlets.
 */
import { COLLECTION_FILE_NAME } from './snapshot/collection.js';
import { tenantDns } from './assess-export.js';
import { buildSnapshot, type RawFile } from './snapshot/build.js';
import { CMDLET_NAMES, type CmdletName } from './snapshot/schema.js';
import { InputError } from './errors.js';
import { tokenSource, type SignIn } from './exo/auth.js';
import { DEFAULT_TENANT_CONCURRENCY, DEFAULT_TIMEOUT_MS, ExoClient, type Transport } from './exo/client.js';
import { collectTenant, isComplete, type CmdletOutcome } from './exo/collect.js';
import { ENVIRONMENTS, type EnvironmentName } from './exo/environment.js';
import { ExoError, stopsTenant, type AuthKind, type ExoErrorCode } from './exo/errors.js';
import { httpsTransport } from './exo/http.js';
import type { Redactor } from './exo/redact.js';
import { DEFAULT_RETRY } from './exo/wire.js';
import { VERSION } from './version.js';

/** The manifest's name in the export folder: not an export file (the export reader ignores it). */
/** The manifest's name: the snapshot reader knows it too (src/snapshot/collection.ts). */
export const COLLECTION_FILE = COLLECTION_FILE_NAME;

export interface CollectOptions {
  tenant: string;
  signIn: SignIn;
  environment: EnvironmentName;
  /** --endpoint: the admin API's base URL instead of the environment's. */
  endpoint?: string | undefined;
  /** --login-endpoint: the Entra ID host instead of the environment's. */
  loginEndpoint?: string | undefined;
  /** --ca-file's PEM text: trusted besides the system's CAs. */
  ca?: string | undefined;
  timeoutMs?: number | undefined;
  retries?: number | undefined;
  /** Cmdlet calls of the tenant in flight. */
  concurrency?: number | undefined;
  /** false: no dns.json (--no-dns). */
  dns: false | { servers?: readonly string[] | undefined; timeoutMs?: number; tries?: number };
  signal?: AbortSignal | undefined;
  redactor: Redactor;
  /** Progress and diagnostics (stderr), already redacted by the caller's sink. */
  log?: (line: string) => void;
  /** --debug lines. */
  debug?: (line: string) => void;
  onCmdlet?: (cmdlet: CmdletName, outcome: CmdletOutcome) => void;
  onDeviceCode?: (message: string) => void;
  /** Tests: another transport (the client and MSAL both use it); retry waits. */
  transport?: Transport;
  backoffMs?: number;
  now?: () => Date;
}

export type DnsOutcome =
  | { status: 'recorded'; names: number; failures: string[] }
  | { status: 'skipped'; reason: string }
  | { status: 'failed'; reason: string };

/** collection.json (schemaVersion 1): what was collected, when, how, and each cmdlet's outcome. */
export interface CollectionManifest {
  schemaVersion: 1;
  tool: { name: 'mxlock'; version: string };
  tenant: string;
  environment: EnvironmentName;
  endpoint: string;
  signIn: AuthKind;
  startedAt: string;
  finishedAt: string;
  /** Every cmdlet collected. */
  complete: boolean;
  /** A failure that stopped the whole tenant (sign-in, 401), when there was one. */
  error?: { code: ExoErrorCode; message: string };
  cmdlets: Record<CmdletName, CmdletOutcome>;
  dns: DnsOutcome;
}

export interface CollectResult {
  /** File name → text: one per cmdlet collected, dns.json when recorded, collection.json. */
  files: Record<string, string>;
  manifest: CollectionManifest;
  /** Cmdlets collected (0: nothing to write). */
  collected: number;
}

function jsonText(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

async function recordDns(
  files: Record<string, string>,
  options: CollectOptions,
): Promise<{ outcome: DnsOutcome; json?: unknown }> {
  if (options.dns === false) return { outcome: { status: 'skipped', reason: '--no-dns' } };
  if (files['Get-AcceptedDomain.json'] === undefined)
    return {
      outcome: { status: 'skipped', reason: 'Get-AcceptedDomain was not collected: no domains to ask about' },
    };
  const raw: RawFile[] = Object.entries(files).map(([name, text]) => ({
    name,
    path: name,
    bytes: Buffer.from(text, 'utf8'),
  }));
  let snapshot;
  try {
    snapshot = buildSnapshot({ source: options.tenant, files: raw });
  } catch (err) {
    if (err instanceof InputError)
      return { outcome: { status: 'failed', reason: `the collected export cannot be read: ${err.message}` } };
    throw err;
  }
  const { recorded } = await tenantDns(snapshot, undefined, {
    offline: false,
    dnsServers: options.dns.servers,
    ...(options.dns.timeoutMs !== undefined ? { dnsTimeoutMs: options.dns.timeoutMs } : {}),
    ...(options.dns.tries !== undefined ? { dnsTries: options.dns.tries } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
  const json = recorded ?? {};
  const failures = Object.entries(json).flatMap(([name, entry]) =>
    Object.entries(entry.error ?? {}).map(([type, why]) => `${name}/${type}: ${why}`),
  );
  return { outcome: { status: 'recorded', names: Object.keys(json).length, failures }, json };
}

/** Collects one tenant. Rejects only on a usage error (an unreadable certificate file); a failed tenant resolves. */
export async function collectExport(options: CollectOptions): Promise<CollectResult> {
  const now = options.now ?? (() => new Date());
  const startedAt = now().toISOString();
  const transport = options.transport ?? httpsTransport({ ca: options.ca });
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const endpoint = (options.endpoint ?? ENVIRONMENTS[options.environment].exo).replace(/\/+$/, '');
  const redact = (t: string) => options.redactor.redact(t);
  const cmdlets = {} as Record<CmdletName, CmdletOutcome>;
  let error: CollectionManifest['error'];
  const files: Record<string, string> = {};

  try {
    const token = await tokenSource(options.signIn, options.tenant, {
      environment: options.environment,
      loginEndpoint: options.loginEndpoint,
      endpointOverridden: options.endpoint !== undefined,
      transport,
      timeoutMs,
      redactor: options.redactor,
      onDeviceCode: options.onDeviceCode ?? (() => undefined),
    });
    const client = new ExoClient({
      tenant: options.tenant,
      baseUrl: endpoint,
      environment: options.environment,
      auth: options.signIn.kind,
      token,
      transport,
      version: VERSION,
      timeoutMs,
      retry: {
        ...DEFAULT_RETRY,
        ...(options.retries !== undefined ? { retries: options.retries } : {}),
        ...(options.backoffMs !== undefined ? { backoffMs: options.backoffMs } : {}),
      },
      concurrency: options.concurrency ?? DEFAULT_TENANT_CONCURRENCY,
      signal: options.signal,
      ...(options.debug ? { debug: (line: string) => options.debug!(redact(line)) } : {}),
    });
    const collection = await collectTenant(client, {
      redact,
      ...(options.onCmdlet ? { onCmdlet: options.onCmdlet } : {}),
    });
    Object.assign(cmdlets, collection.outcomes);
    for (const c of CMDLET_NAMES) {
      const objects = collection.objects[c];
      if (objects !== undefined) files[`${c}.json`] = jsonText(objects);
    }
    const stops = Object.values(collection.outcomes).find(
      (o) => o.status === 'error' && stopsTenant(o.error),
    );
    if (stops?.status === 'error') error = { code: stops.error, message: stops.message };
  } catch (err) {
    if (!(err instanceof ExoError)) throw err;
    error = { code: err.code, message: redact(err.message) };
    for (const c of CMDLET_NAMES)
      cmdlets[c] = { status: 'error', error: err.code, message: `${c}: not collected: ${error.message}` };
  }

  const collected = Object.keys(files).length;
  let dns: DnsOutcome;
  if (collected === 0) dns = { status: 'skipped', reason: 'nothing was collected' };
  else {
    const { outcome, json } = await recordDns(files, options);
    dns = outcome;
    if (json !== undefined) files['dns.json'] = jsonText(json);
  }
  const manifest: CollectionManifest = {
    schemaVersion: 1,
    tool: { name: 'mxlock', version: VERSION },
    tenant: options.tenant,
    environment: options.environment,
    endpoint,
    signIn: options.signIn.kind,
    startedAt,
    finishedAt: now().toISOString(),
    complete: isComplete({ outcomes: cmdlets }),
    ...(error ? { error } : {}),
    cmdlets: Object.fromEntries(CMDLET_NAMES.map((c) => [c, cmdlets[c]])) as Record<
      CmdletName,
      CmdletOutcome
    >,
    dns,
  };
  files[COLLECTION_FILE] = redact(jsonText(manifest));
  return { files, manifest, collected };
}
