/**
 * What DNS `assess` analyses for a tenant: its own sending domains, the gateway IPs SPF must authorise, and the
 * DKIM selectors Get-DkimSigningConfig and the profile expect. Planning is pure; the analysis takes a resolver.
 */
import { sampleAddress } from '../common/ip.js';
import type { ResolvedGateway } from '../common/gateway.js';
import type { Snapshot } from '../snapshot/types.js';
import { buildTenant } from '../model/tenant.js';
import { analyseDomains, type DnsReport } from './analyse.js';
import { discoverDmarc } from './dmarc.js';
import type { DkimExpectation } from './dkim.js';
import type { ResolveFn } from './resolver.js';

export interface TenantDnsPlan {
  domains: string[];
  /** One address per gateway entry (a range is represented by its first host), for check_host(). */
  spfIps: string[];
  dkim: Map<string, DkimExpectation>;
  /** The `*.onmicrosoft.com` initial domain (model/tenant.ts), whose DMARC is looked up too; undefined when unknown. */
  initialDomain: string | undefined;
}

/** Accepted domains the tenant controls in DNS: not Microsoft's `*.onmicrosoft.com`, not ExternalRelay. */
export function tenantDnsDomains(snapshot: Snapshot): string[] {
  return (snapshot.data['Get-AcceptedDomain'] ?? [])
    .filter((a) => a.DomainType !== 'ExternalRelay')
    .map((a) => a.DomainName)
    .filter((d): d is string => d !== undefined && d !== '' && !d.endsWith('.onmicrosoft.com'))
    .sort();
}

function selectorOf(cname: string): string | undefined {
  // selector1-contoso-com._domainkey.contoso.onmicrosoft.com → published as selector1._domainkey.<domain>
  const m = /^(selector[12])-/i.exec(cname.trim());
  return m?.[1]?.toLowerCase();
}

export function planTenantDns(snapshot: Snapshot, gateway: ResolvedGateway): TenantDnsPlan {
  const domains = tenantDnsDomains(snapshot);
  const dkim = new Map<string, DkimExpectation>();
  const configs = snapshot.data['Get-DkimSigningConfig'] ?? [];
  for (const d of domains) {
    const cfg = configs.find((c) => c.Domain === d);
    const selectors: DkimExpectation['microsoft'] = [];
    for (const cname of cfg ? [cfg.Selector1CNAME, cfg.Selector2CNAME] : []) {
      const selector = cname ? selectorOf(cname) : undefined;
      if (cname && selector) selectors.push({ selector, target: cname });
    }
    const expectation: DkimExpectation = {
      domain: d,
      microsoft: cfg?.Enabled === true ? selectors : [],
      gatewaySelectors: gateway.dkimSelectors,
    };
    // A disabled config is checked too, unless the gateway signs instead (field-notes 11: its selectors decide).
    if (cfg?.Enabled === false && gateway.dkimSelectors.length === 0) expectation.pending = selectors;
    dkim.set(d, expectation);
  }
  const spfIps = gateway.ips.map(sampleAddress).filter((x): x is string => x !== undefined);
  return { domains, spfIps, dkim, initialDomain: buildTenant(snapshot).initialDomain };
}

export async function analyseTenantDns(
  resolve: ResolveFn,
  plan: TenantDnsPlan,
  source: string,
): Promise<DnsReport> {
  const initial = plan.initialDomain;
  const [domains, initialDmarc] = await Promise.all([
    analyseDomains(resolve, plan.domains, { spfIps: plan.spfIps, dkim: plan.dkim, concurrency: 8 }),
    initial === undefined ? undefined : discoverDmarc(resolve, initial),
  ]);
  return {
    source,
    domains,
    ...(initial !== undefined && initialDmarc !== undefined
      ? { initialDomain: { domain: initial, dmarc: initialDmarc } }
      : {}),
  };
}
