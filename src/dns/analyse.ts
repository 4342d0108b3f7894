/**
 * The DNS analysis of a set of domains (issue 3): SPF tree, DMARC, MX and DKIM selectors, with bounded
 * concurrency and progress. Everything here works through a ResolveFn, so live DNS, recorded `dns.json` and the
 * loopback test server are interchangeable.
 */
import { mapBounded } from '../common/collections.js';
import { checkDkimSelectors, type DkimExpectation, type SelectorCheck } from './dkim.js';
import {
  checkReportDestinations,
  discoverDmarc,
  type DmarcDiscovery,
  type ReportDestination,
} from './dmarc.js';
import { analyseMx, type MxAnalysis } from './mx.js';
import type { ResolveFn } from './resolver.js';
import { analyseSpf, type SpfAnalysis } from './spf/analyse.js';

export interface DomainDns {
  domain: string;
  spf: SpfAnalysis;
  dmarc: DmarcDiscovery & { destinations: ReportDestination[] };
  mx: MxAnalysis;
  dkim: SelectorCheck[];
}

export interface DnsReport {
  /** `live`, `recorded` (dns.json) or a description of the resolver. */
  source: string;
  domains: DomainDns[];
  /**
   * DMARC of the tenant's `*.onmicrosoft.com` initial (MOERA) domain: Microsoft hosts its DNS, so it is not one of
   * `domains`, but it can be spoofed like any other and takes a DMARC record (dns.dmarc-initial-domain). Absent when
   * the initial domain is unknown.
   */
  initialDomain?: { domain: string; dmarc: DmarcDiscovery };
}

export interface AnalyseOptions {
  /** IPs whose SPF authorisation matters (the gateway's egress IPs), checked with check_host(). */
  spfIps?: readonly string[];
  /** Expected DKIM selectors per domain. */
  dkim?: ReadonlyMap<string, DkimExpectation>;
}

export async function analyseDomain(
  resolve: ResolveFn,
  domain: string,
  options: AnalyseOptions = {},
): Promise<DomainDns> {
  const d = domain.toLowerCase().replace(/\.$/, '');
  // The four analyses are independent; the report destinations depend only on the DMARC record, so they
  // follow it inside its own branch rather than after everything.
  const dmarcWithDestinations = discoverDmarc(resolve, d).then(async (dmarc) => {
    const policyDomain = dmarc.at ? dmarc.at.replace(/^_dmarc\./, '') : d;
    const destinations = dmarc.record
      ? await checkReportDestinations(resolve, policyDomain, dmarc.record.rua)
      : [];
    return { ...dmarc, destinations };
  });
  const [spf, dmarc, mx, dkim] = await Promise.all([
    analyseSpf(resolve, d, options.spfIps ?? []),
    dmarcWithDestinations,
    analyseMx(resolve, d),
    checkDkimSelectors(resolve, options.dkim?.get(d) ?? { domain: d, microsoft: [], gatewaySelectors: [] }),
  ]);
  return { domain: d, spf, dmarc, mx, dkim };
}

/**
 * Analyses many domains with at most `concurrency` in flight; results come back in input order.
 * `onProgress(done, total)` is called after each domain (the CLI draws a progress line on stderr).
 */
export async function analyseDomains(
  resolve: ResolveFn,
  domains: readonly string[],
  options: AnalyseOptions & { concurrency?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<DomainDns[]> {
  let done = 0;
  return mapBounded(domains, options.concurrency ?? 32, async (domain) => {
    const result = await analyseDomain(resolve, domain, options);
    done++;
    options.onProgress?.(done, domains.length);
    return result;
  });
}
