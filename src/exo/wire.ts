/**
 * The Exchange Online admin API's wire format (formats.md §1): the request of one cmdlet call, a page of its answer
 * turned into export objects, an error body turned into words, and whether a failure is worth another try. Pure: the
 * client (./client.ts) sends and waits.
 */
import { inlineSafe } from '../common/text.js';
import { EXPORT_JSON_DEPTH } from '../snapshot/partial.js';
import type { CmdletName } from '../snapshot/schema.js';

/**
 * The cmdlets of the export whose Microsoft Learn syntax has `-ResultSize <Unlimited>` (Get-AcceptedDomain,
 * Get-InboundConnector, Get-OutboundConnector, Get-TransportRule). The module pages only when ResultSize is Unlimited
 * (formats.md §1.5), and a parameter the cmdlet lacks fails the call, so it is sent to these alone.
 */
export const RESULT_SIZE_UNLIMITED: ReadonlySet<CmdletName> = new Set<CmdletName>([
  'Get-AcceptedDomain',
  'Get-InboundConnector',
  'Get-OutboundConnector',
  'Get-TransportRule',
]);

/** Page size asked for (formats.md §1.2: `Prefer: odata.maxpagesize`, ≤ 1000 in practice). */
export const PAGE_SIZE = 1000;

/** The module's system mailbox, the routing hint of app-only calls (formats.md §1.2, X-AnchorMailbox). */
const APP_ANCHOR_MAILBOX = 'SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}';

/** Who the token speaks for, which decides the routing hint: the app itself, or a signed-in user (device code). */
export type Caller = { kind: 'app' } | { kind: 'user'; upn: string };

export interface CmdletRequest {
  headers: Record<string, string>;
  body: string;
}

/** The parameters sent for one export call: the recipe's, plus ResultSize Unlimited where the cmdlet pages. */
export function callParameters(
  cmdlet: CmdletName,
  parameters: Readonly<Record<string, string | true>>,
): Record<string, string | true> {
  return RESULT_SIZE_UNLIMITED.has(cmdlet) ? { ...parameters, ResultSize: 'Unlimited' } : { ...parameters };
}

/**
 * Headers and body of one InvokeCommand POST (formats.md §1.2–§1.3). The token is not here: the client adds it at the
 * last moment, so nothing built from this object (a debug line) can carry it.
 */
export function cmdletRequest(
  cmdlet: CmdletName,
  parameters: Readonly<Record<string, string | true>>,
  ids: { tenant: string; caller: Caller; connectionId: string; requestId: string; version: string },
): CmdletRequest {
  const anchor =
    ids.caller.kind === 'user' ? `UPN:${ids.caller.upn}` : `APP:${APP_ANCHOR_MAILBOX}@${ids.tenant}`;
  return {
    headers: {
      'Content-Type': 'application/json; charset=utf-8',
      Accept: 'application/json',
      'Accept-Charset': 'UTF-8',
      Prefer: `odata.maxpagesize=${PAGE_SIZE}`,
      'X-CmdletName': cmdlet,
      'X-ResponseFormat': 'json',
      'X-SerializationLevel': 'Partial',
      'X-ClientApplication': `mxlock/${ids.version}`,
      'X-AnchorMailbox': anchor,
      'connection-id': ids.connectionId,
      'client-request-id': ids.requestId,
    },
    body: JSON.stringify({ CmdletInput: { CmdletName: cmdlet, Parameters: parameters } }),
  };
}

/**
 * The value without the REST annotations (`@odata.type`, `Prop@data.type`, `@odata.context`…): every key holding `@`
 * is dropped, at every level (formats.md §1.4; ExoHelper's RemoveExoOdataProperties does the same). What is left is
 * what ConvertTo-Json writes for the same object.
 */
export function stripAnnotations(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripAnnotations);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (!k.includes('@')) out[k] = stripAnnotations(v);
  return out;
}

/**
 * The value as `ConvertTo-Json -Depth 10` writes it: a list or object nested deeper is replaced by its .NET type name,
 * as PowerShell does (and the export reader then reports the property as cut off, never reads it as data). `cut`
 * counts the replacements, for collection.json. The file's top-level list is level 0.
 */
export function limitDepth(value: unknown, cut: { count: number }, depth = 0): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth > EXPORT_JSON_DEPTH) {
    cut.count++;
    return Array.isArray(value) ? 'System.Object[]' : 'System.Collections.Hashtable';
  }
  if (Array.isArray(value)) return value.map((v) => limitDepth(v, cut, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, limitDepth(v, cut, depth + 1)]));
}

export interface Page {
  objects: unknown[];
  /** The next page's absolute URL (`@odata.nextLink`, or the legacy `odata.nextLink`). */
  nextLink: string | undefined;
  /** `@adminapi.errors`: non-terminating errors of the cmdlet (the results may be incomplete). */
  errors: string[];
}

/** A 200 answer's body → its objects, annotations stripped; `undefined` when it is not the admin API's JSON. */
export function parsePage(text: string): Page | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return undefined;
  const body = json as Record<string, unknown>;
  const value = body['value'];
  if (value !== undefined && value !== null && !Array.isArray(value)) return undefined;
  const next = body['@odata.nextLink'] ?? body['odata.nextLink'];
  const errors = body['@adminapi.errors'];
  return {
    objects: (value ?? []).map(stripAnnotations),
    nextLink: typeof next === 'string' && next !== '' ? next : undefined,
    errors: Array.isArray(errors) ? errors.map((e) => (typeof e === 'string' ? e : JSON.stringify(e))) : [],
  };
}

/** What an error answer says: its text, and the Exchange error id and exception type when it names them. */
export interface ErrorDetail {
  text: string;
  errorId?: string;
  exceptionType?: string;
}

/** The longest server text quoted in a message: enough for any Exchange error, bounded against a page of HTML. */
const MAX_QUOTED_CHARS = 400;

function quoted(text: string): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return inlineSafe(one.length > MAX_QUOTED_CHARS ? `${one.slice(0, MAX_QUOTED_CHARS)}…` : one);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v : undefined;
}

/**
 * An error answer's body in words (formats.md §1.6): JSON `error.details[0].message` (`<ErrorId>|<.NET exception
 * type>|<text>`), then `error.innererror.internalException.message`, then `error.message` (CIPP's precedence); a
 * plain-text body as it is; the `X-ExceptionType` header when the body names no type. Escaped, bounded, one line.
 */
export function errorDetail(text: string, exceptionHeader: string | undefined, reason: string): ErrorDetail {
  let message: string | undefined;
  try {
    const json = JSON.parse(text) as unknown;
    const error = (json as { error?: Record<string, unknown> } | null)?.error;
    if (error && typeof error === 'object') {
      const details = error['details'];
      const first = Array.isArray(details) ? (details[0] as { message?: unknown } | undefined) : undefined;
      const inner = error['innererror'] as { internalException?: { message?: unknown } } | undefined;
      message =
        str(first?.message) ??
        str(inner?.internalException?.message) ??
        str(error['message']) ??
        str(error['code']);
    }
  } catch {
    // Not JSON: a plain-text body (formats.md §1.6), read below.
  }
  message ??= str(text) ?? reason;
  const parts = /^([A-Za-z0-9]+)\|([\w.`]+)\|([\s\S]*)$/.exec(message.trim());
  const detail: ErrorDetail = parts
    ? { text: quoted(parts[3]!), errorId: parts[1]!, exceptionType: parts[2]! }
    : { text: quoted(message) };
  if (!detail.exceptionType && exceptionHeader) detail.exceptionType = quoted(exceptionHeader);
  return detail;
}

/** HTTP statuses that mean "try again later" (formats.md §1.7: 429 throttled, 408/503/504 overloaded or gone). */
const RETRYABLE_STATUS = new Set([408, 429, 503, 504]);

/**
 * Transient failures the service reports inside an error body, whatever the status (formats.md §1.7: ExoHelper retries
 * on the concurrency message, M365Permissions on these exception names even with HTTP 400).
 */
const TRANSIENT_MARKERS = [
  'maximum number of concurrent requests per tenant',
  'CmdletProxyNotAvailableFailure',
  'ServerBusyException',
  'TransientException',
  'BackendCommunicationException',
];

export function isRetryable(status: number, body: string): boolean {
  return RETRYABLE_STATUS.has(status) || TRANSIENT_MARKERS.some((m) => body.includes(m));
}

/** `Retry-After` → milliseconds: seconds (a float is accepted, formats.md §1.7) or an HTTP date; undefined if unusable. */
export function retryAfterMs(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const date = Date.parse(v);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export interface RetryPolicy {
  /** Further attempts after the first. */
  retries: number;
  /** First backoff when the server gives no Retry-After; doubled on each retry. */
  backoffMs: number;
  /** Longest single wait, backoff or Retry-After: a server that asks for more is reported, not obeyed. */
  maxWaitMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 5, backoffMs: 1_000, maxWaitMs: 120_000 };

/**
 * How long to wait before attempt `attempt + 1` (0-based `attempt` just failed): the server's Retry-After when it gives
 * one, else exponential backoff with up to 20 % jitter (so a fleet of tenants does not retry in step).
 */
export function retryDelayMs(
  attempt: number,
  retryAfter: number | undefined,
  policy: RetryPolicy,
  random: () => number,
): number {
  if (retryAfter !== undefined) return retryAfter;
  const base = Math.min(policy.maxWaitMs, policy.backoffMs * 2 ** attempt);
  return Math.round(base * (1 + 0.2 * random()));
}
