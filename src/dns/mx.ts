/**
 * MX analysis (issue 3 scope 5): which gateway the MX points to, mixed MX sets (some hosts at EOP, some at the
 * gateway — a bypass built into DNS), and an MX at EOP while a gateway is declared.
 */
import { classifyMx, type MxClass } from '../common/vendors.js';
import { query, type ResolveFn } from './resolver.js';

export interface MxAnalysis {
  domain: string;
  state: 'ok' | 'none' | 'nxdomain' | 'dns-failure';
  hosts: { exchange: string; priority: number; class: MxClass }[];
  /** Every host at EOP. */
  allEop: boolean;
  /** Every host at one recognised gateway vendor. */
  vendor?: string;
  /** Some hosts at EOP and some elsewhere: mail can be delivered straight to EOP by design. */
  mixed: boolean;
  failure?: string;
}

export async function analyseMx(resolve: ResolveFn, domain: string): Promise<MxAnalysis> {
  const d = domain.toLowerCase().replace(/\.$/, '');
  const r = await query(resolve, d, 'MX');
  const base = { domain: d, hosts: [], allEop: false, mixed: false };
  if (r.kind === 'nxdomain') return { ...base, state: 'nxdomain' };
  if (r.kind === 'nodata') return { ...base, state: 'none' };
  if (r.kind !== 'answer')
    return { ...base, state: 'dns-failure', failure: r.kind === 'error' ? r.code : r.kind };
  const hosts = [...r.records]
    .sort((a, b) => a.priority - b.priority || (a.exchange < b.exchange ? -1 : 1))
    .map((m) => ({ ...m, class: classifyMx(m.exchange) }));
  const eop = hosts.filter((h) => h.class.kind === 'eop').length;
  const vendors = new Set(hosts.flatMap((h) => (h.class.kind === 'seg' ? [h.class.vendor.name] : [])));
  const out: MxAnalysis = {
    ...base,
    state: 'ok',
    hosts,
    allEop: eop === hosts.length,
    mixed: eop > 0 && eop < hosts.length,
  };
  if (vendors.size === 1 && hosts.every((h) => h.class.kind === 'seg')) out.vendor = [...vendors][0]!;
  return out;
}
