/**
 * The admin API client of one tenant (formats.md §1): POST InvokeCommand per cmdlet call, `@odata.nextLink` paging,
 * retries (Retry-After on 429, backoff on 408/503/504 and the transient exceptions), a per-request timeout, a cap on
 * the calls in flight for the tenant, and cancellation. The network comes in as a `Transport` (./http.ts in the CLI,
 * a loopback server in tests); the token from a `TokenSource` (./auth.ts), asked for on every request so a long run
 * gets MSAL's refreshed token. Nothing here logs a header: the token never reaches a log line.
 */
import { randomUUID } from 'node:crypto';
import type { CmdletName } from '../snapshot/schema.js';
import type { EnvironmentName } from './environment.js';
import { authAdvice, ExoError, stopsTenant, type AuthKind } from './errors.js';
import {
  cmdletRequest,
  DEFAULT_RETRY,
  errorDetail,
  isRetryable,
  parsePage,
  retryAfterMs,
  retryDelayMs,
  type Caller,
  type RetryPolicy,
} from './wire.js';

export interface HttpRequest {
  url: string;
  method: 'GET' | 'POST';
  headers: Readonly<Record<string, string>>;
  body?: string;
}

export interface HttpResponse {
  status: number;
  /** Header names in lower case. */
  headers: Readonly<Record<string, string | undefined>>;
  body: string;
}

/** Sends one request. Rejects with a TransportError when no HTTP answer came. */
export type Transport = (
  request: HttpRequest,
  options: { timeoutMs: number; signal?: AbortSignal | undefined },
) => Promise<HttpResponse>;

/** Why no HTTP answer came. */
export class TransportError extends Error {
  override readonly name = 'TransportError';
  constructor(
    readonly kind: 'timeout' | 'network' | 'aborted' | 'too-large',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface Token {
  accessToken: string;
  caller: Caller;
}

export type TokenSource = () => Promise<Token>;

/** Per-request timeout by default: ScubaGear waits 30 s (formats.md §1.7); a big Get-TransportRule page takes longer. */
export const DEFAULT_TIMEOUT_MS = 60_000;
/** Cmdlet calls of one tenant in flight (the service limits concurrency per tenant; the exact limit is unconfirmed). */
export const DEFAULT_TENANT_CONCURRENCY = 3;
/** Pages of one call before the answer is taken as endless: 10,000 pages of 1,000 objects. */
export const MAX_PAGES = 10_000;

export interface ExoClientOptions {
  tenant: string;
  /** `https://outlook.office365.com` or the --endpoint override. */
  baseUrl: string;
  environment: EnvironmentName;
  auth: AuthKind;
  token: TokenSource;
  transport: Transport;
  version: string;
  timeoutMs?: number;
  retry?: RetryPolicy;
  concurrency?: number;
  signal?: AbortSignal | undefined;
  /** --debug lines: method, URL, cmdlet, status, timing; never a header or a body. */
  debug?: (line: string) => void;
  /** Retry waits; injectable so tests need not wait. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
}

export interface CallResult {
  objects: unknown[];
  pages: number;
  /** Retries that were needed (throttling, transient failures). */
  retries: number;
}

/** A wait that ends early, rejecting, when `signal` aborts. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new ExoError('cancelled', 'cancelled'));
    const onAbort = () => {
      clearTimeout(timer);
      reject(new ExoError('cancelled', 'cancelled'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** A counting semaphore: at most `limit` holders. */
class Slots {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly limit: number) {}
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((r) => this.waiting.push(r));
    else this.active++;
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}

function describeCall(cmdlet: string, parameters: Readonly<Record<string, string | true>>): string {
  const args = Object.entries(parameters).map(([k, v]) => (v === true ? `-${k}` : `-${k} ${v}`));
  return [cmdlet, ...args].join(' ');
}

export class ExoClient {
  private readonly slots: Slots;
  private readonly connectionId = randomUUID();
  private readonly origin: string;
  private readonly invokeUrl: string;
  /** Set by a failure after which no call of this tenant can succeed (errors.ts `stopsTenant`). */
  private stopped: ExoError | undefined;

  constructor(private readonly options: ExoClientOptions) {
    this.slots = new Slots(Math.max(1, options.concurrency ?? DEFAULT_TENANT_CONCURRENCY));
    const base = options.baseUrl.replace(/\/+$/, '');
    this.origin = new URL(base).origin;
    this.invokeUrl = `${base}/adminapi/beta/${encodeURIComponent(options.tenant)}/InvokeCommand`;
  }

  /** Every object of one cmdlet call, all pages, annotations stripped. Rejects with an ExoError. */
  invoke(cmdlet: CmdletName, parameters: Readonly<Record<string, string | true>>): Promise<CallResult> {
    return this.slots.run(async () => {
      if (this.stopped)
        throw new ExoError(
          this.stopped.code,
          `${describeCall(cmdlet, parameters)}: not collected: ${this.stopped.message}`,
          this.stopped.status,
        );
      try {
        return await this.invokeAllPages(cmdlet, parameters);
      } catch (err) {
        if (err instanceof ExoError && stopsTenant(err.code)) this.stopped ??= err;
        throw err;
      }
    });
  }

  private async invokeAllPages(
    cmdlet: CmdletName,
    parameters: Readonly<Record<string, string | true>>,
  ): Promise<CallResult> {
    const what = describeCall(cmdlet, parameters);
    const objects: unknown[] = [];
    const seen = new Set<string>();
    let url: string | undefined = this.invokeUrl;
    let pages = 0;
    let retries = 0;
    while (url !== undefined) {
      if (pages >= MAX_PAGES)
        throw new ExoError('bad-response', `${what}: more than ${MAX_PAGES} pages: the paging does not end`);
      const { response, retried } = await this.send(url, cmdlet, parameters, what);
      retries += retried;
      const page = parsePage(response.body);
      if (!page)
        throw new ExoError(
          'bad-response',
          `${what}: the answer (HTTP ${response.status}) is not the admin API's JSON: check --endpoint`,
          response.status,
        );
      if (page.errors.length > 0)
        throw new ExoError(
          'cmdlet',
          `${what}: the cmdlet reported errors, so its result may be incomplete: ${errorDetail(page.errors.join('; '), undefined, '').text}`,
          response.status,
        );
      for (const o of page.objects) objects.push(o);
      pages++;
      url = page.nextLink === undefined ? undefined : this.nextPage(page.nextLink, what, seen);
    }
    return { objects, pages, retries };
  }

  /**
   * The next page's URL, refused when it leaves the API's origin (the token would go to another host) or comes round
   * again (endless paging).
   */
  private nextPage(link: string, what: string, seen: Set<string>): string {
    let next: URL;
    try {
      next = new URL(link, this.invokeUrl);
    } catch {
      throw new ExoError('bad-response', `${what}: the next-page link is not a URL`);
    }
    if (next.origin !== this.origin)
      throw new ExoError(
        'bad-response',
        `${what}: the next-page link points at another host (${next.origin}); mxlock sends the token to ${this.origin} only`,
      );
    if (seen.has(next.href))
      throw new ExoError(
        'bad-response',
        `${what}: the next-page link repeats an earlier page: the paging does not end`,
      );
    seen.add(next.href);
    return next.href;
  }

  /** One page: POST with retries. Resolves with a 2xx answer; rejects with an ExoError saying what to fix. */
  private async send(
    url: string,
    cmdlet: CmdletName,
    parameters: Readonly<Record<string, string | true>>,
    what: string,
  ): Promise<{ response: HttpResponse; retried: number }> {
    const o = this.options;
    const policy = o.retry ?? DEFAULT_RETRY;
    const sleep = o.sleep ?? abortableSleep;
    const random = o.random ?? Math.random;
    const timeoutMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    for (let attempt = 0; ; attempt++) {
      if (o.signal?.aborted) throw new ExoError('cancelled', `${what}: cancelled`);
      let token: Token;
      try {
        token = await o.token();
      } catch (cause) {
        if (cause instanceof ExoError) throw cause;
        throw new ExoError('sign-in', `signing in failed: ${String(cause)}`, undefined, { cause });
      }
      const request = cmdletRequest(cmdlet, parameters, {
        tenant: o.tenant,
        caller: token.caller,
        connectionId: this.connectionId,
        requestId: randomUUID(),
        version: o.version,
      });
      const started = Date.now();
      let response: HttpResponse | undefined;
      let failure: ExoError | undefined;
      try {
        response = await o.transport(
          {
            url,
            method: 'POST',
            headers: { ...request.headers, Authorization: `Bearer ${token.accessToken}` },
            body: request.body,
          },
          { timeoutMs, signal: o.signal },
        );
      } catch (err) {
        if (!(err instanceof TransportError)) throw err;
        if (err.kind === 'aborted') throw new ExoError('cancelled', `${what}: cancelled`);
        if (err.kind === 'too-large') throw new ExoError('bad-response', `${what}: ${err.message}`);
        failure =
          err.kind === 'timeout'
            ? new ExoError('timeout', `${what}: no answer within ${timeoutMs} ms (--timeout)`)
            : new ExoError('network', `${what}: ${err.message}`, undefined, { cause: err });
      }
      const ms = Date.now() - started;
      o.debug?.(
        `POST ${url} ${what} (attempt ${attempt + 1}) → ${response ? `HTTP ${response.status}` : failure!.code} in ${ms} ms`,
      );
      if (response && response.status >= 200 && response.status < 300) return { response, retried: attempt };
      let wait: number | undefined;
      if (response) {
        failure = this.httpFailure(response, cmdlet, what);
        if (!isRetryable(response.status, response.body)) throw failure;
        wait = retryAfterMs(response.headers['retry-after'], Date.now());
      }
      if (attempt >= policy.retries) {
        const tries = `${attempt + 1} attempt${attempt === 0 ? '' : 's'}`;
        throw new ExoError(failure!.code, `${failure!.message} (gave up after ${tries})`, failure!.status);
      }
      const delay = retryDelayMs(attempt, wait, policy, random);
      if (delay > policy.maxWaitMs)
        throw new ExoError(
          failure!.code,
          `${failure!.message} (the service asks to wait ${Math.round(delay / 1000)} s, longer than mxlock waits: run again later)`,
          failure!.status,
        );
      o.debug?.(`${what}: retrying in ${delay} ms`);
      await sleep(delay, o.signal);
    }
  }

  private httpFailure(response: HttpResponse, cmdlet: CmdletName, what: string): ExoError {
    const o = this.options;
    const status = response.status;
    const detail = errorDetail(response.body, response.headers['x-exceptiontype'], `HTTP ${status}`);
    const said = [detail.errorId, detail.exceptionType, detail.text].filter(Boolean).join(' | ');
    if (status === 401 || status === 403) {
      const advice = authAdvice(status, o.auth, o.environment, cmdlet);
      return new ExoError(
        status === 401 ? 'unauthorized' : 'forbidden',
        `${what}: HTTP ${status} ${status === 401 ? 'Unauthorized' : 'Forbidden'} (${said}): ${advice}`,
        status,
      );
    }
    if (isRetryable(status, response.body))
      return new ExoError('unavailable', `${what}: HTTP ${status} (${said})`, status);
    return new ExoError('cmdlet', `${what}: HTTP ${status}: ${said}`, status);
  }
}
