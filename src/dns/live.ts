/** The live resolver: node:dns `Resolver` with chosen servers, a per-try timeout and retries (`--dns-server`). */
import { promises as dnsPromises } from 'node:dns';
import { dnsNameProblem } from './name.js';
import type { ResolveFn } from './resolver.js';
import { wireResolve } from './wire.js';

export interface LiveResolverOptions {
  /** `1.1.1.1`, `[2606:4700::1111]:53`, `127.0.0.1:5353`; default: the system's servers. */
  servers?: readonly string[];
  /** Per attempt; node:dns doubles it on each retry. */
  timeoutMs?: number;
  tries?: number;
}

export const DEFAULT_DNS_TIMEOUT_MS = 2_000;
export const DEFAULT_DNS_TRIES = 2;

export function liveResolver(options: LiveResolverOptions = {}): ResolveFn {
  const resolver = new dnsPromises.Resolver({
    timeout: options.timeoutMs ?? DEFAULT_DNS_TIMEOUT_MS,
    tries: options.tries ?? DEFAULT_DNS_TRIES,
  });
  if (options.servers && options.servers.length > 0) resolver.setServers([...options.servers]);
  const wire = {
    timeoutMs: options.timeoutMs ?? DEFAULT_DNS_TIMEOUT_MS,
    tries: options.tries ?? DEFAULT_DNS_TRIES,
  };
  return async (name, type) => {
    try {
      return (await resolver.resolve(name, type)) as unknown[];
    } catch (err) {
      // c-ares refuses names with characters outside [A-Za-z0-9-*._/] that DNS itself carries, and a whole answer
      // when one record is malformed in a way it will not read (a TXT of no strings); those questions go to the same
      // servers through the stub client (./wire.ts). A name DNS cannot carry stays EBADNAME.
      const code = (err as { code?: unknown }).code;
      if (code !== 'EBADNAME' && code !== 'EBADRESP') throw err;
      if (dnsNameProblem(name.replace(/\.$/, '')) !== undefined) throw err;
      return wireResolve(name, type, { ...wire, servers: resolver.getServers() });
    }
  };
}
