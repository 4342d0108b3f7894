/**
 * DKIM selector records (formats.md §5.3, eop-model §6.7): Microsoft 365 publishes its keys behind
 * `selector1/2._domainkey.<domain>` CNAMEs pointing at the targets `Get-DkimSigningConfig` names (old
 * `*.onmicrosoft.com` and new `*.dkim.mail.microsoft` forms — read, never synthesised). A gateway that signs
 * outbound mail uses its own selectors (`gateway.dkimSelectors` in the profile), which must resolve too.
 */
import { normaliseName } from '../common/zone.js';
import { query, type ResolveFn } from './resolver.js';

export interface SelectorCheck {
  selector: string;
  name: string;
  /** `microsoft`: CNAME expected to equal `expected`; `gateway`: a key (TXT, possibly via CNAME) must exist. */
  kind: 'microsoft' | 'gateway';
  expected?: string;
  found?: string;
  status: 'ok' | 'missing' | 'mismatch' | 'dns-failure';
  detail: string;
  /** A selector of a signing config that exists but is disabled: its CNAME must be published before enabling. */
  pending?: true;
}

export interface DkimExpectation {
  domain: string;
  /** Selector1CNAME / Selector2CNAME from Get-DkimSigningConfig, when EOP signs for the domain. */
  microsoft: { selector: string; target: string }[];
  gatewaySelectors: string[];
  /**
   * Selector1CNAME / Selector2CNAME of a signing config that exists but is disabled: Microsoft 365 refuses to
   * enable it until both CNAMEs are published (S33), so they are checked as if it were enabled.
   */
  pending?: { selector: string; target: string }[];
}

/** One Microsoft selector: `selector._domainkey.<domain>` must be a CNAME to the target Get-DkimSigningConfig names. */
async function checkMicrosoftSelector(
  resolve: ResolveFn,
  domain: string,
  selector: string,
  target: string,
  pending: boolean,
): Promise<SelectorCheck> {
  const name = `${selector}._domainkey.${domain}`;
  const expected = normaliseName(target);
  const base = {
    selector,
    name,
    kind: 'microsoft' as const,
    expected,
    ...(pending ? { pending: true as const } : {}),
  };
  const r = await query(resolve, name, 'CNAME');
  if (r.kind === 'answer') {
    const found = r.records[0]!;
    return found === expected
      ? { ...base, found, status: 'ok', detail: `${name} → ${found}` }
      : {
          ...base,
          found,
          status: 'mismatch',
          detail: `${name} → ${found}, but Get-DkimSigningConfig expects ${expected}`,
        };
  }
  if (r.kind === 'nodata' || r.kind === 'nxdomain')
    return {
      ...base,
      status: 'missing',
      detail: `${name}: no CNAME (${r.kind}); publish ${name} CNAME ${expected}`,
    };
  return { ...base, status: 'dns-failure', detail: `${name}: ${r.kind}` };
}

export async function checkDkimSelectors(resolve: ResolveFn, exp: DkimExpectation): Promise<SelectorCheck[]> {
  const out: SelectorCheck[] = [];
  for (const { selector, target } of exp.microsoft)
    out.push(await checkMicrosoftSelector(resolve, exp.domain, selector, target, false));
  for (const { selector, target } of exp.pending ?? [])
    out.push(await checkMicrosoftSelector(resolve, exp.domain, selector, target, true));
  for (const selector of exp.gatewaySelectors) {
    const name = `${selector}._domainkey.${exp.domain}`;
    const r = await query(resolve, name, 'TXT');
    if (r.kind === 'answer' && r.records.some((t) => /(^|;)\s*p\s*=/i.test(t))) {
      out.push({
        selector,
        name,
        kind: 'gateway',
        status: 'ok',
        detail: `${name} publishes a DKIM key (gateway selector)`,
      });
    } else if (r.kind === 'answer' || r.kind === 'nodata' || r.kind === 'nxdomain') {
      out.push({
        selector,
        name,
        kind: 'gateway',
        status: 'missing',
        detail: `${name}: no DKIM key record (${r.kind === 'answer' ? 'TXT without p=' : r.kind})`,
      });
    } else {
      out.push({ selector, name, kind: 'gateway', status: 'dns-failure', detail: `${name}: ${r.kind}` });
    }
  }
  return out;
}
