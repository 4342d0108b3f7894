/** The live resolver: node:dns `Resolver` with chosen servers, a per-try timeout and retries (`--dns-server`). */
import { promises as dnsPromises } from 'node:dns';
import type { ResolveFn } from './resolver.js';

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
  return (name, type) => resolver.resolve(name, type) as Promise<unknown[]>;
}
