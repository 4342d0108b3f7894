/**
 * DKIM selector records (formats.md §5.3, eop-model §6.7): Microsoft 365 publishes its keys behind
 * `selector1/2._domainkey.<domain>` CNAMEs pointing at the targets `Get-DkimSigningConfig` names (old
 * `*.onmicrosoft.com` and new `*.dkim.mail.microsoft` forms — read, never synthesised). A gateway that signs
 * outbound mail uses its own selectors (`gateway.dkimSelectors` in the profile), which must resolve too.
 */
import { normaliseName } from './zone.js';
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
}

export interface DkimExpectation {
  domain: string;
  /** Selector1CNAME / Selector2CNAME from Get-DkimSigningConfig, when EOP signs for the domain. */
  microsoft: { selector: string; target: string }[];
  gatewaySelectors: string[];
}

export async function checkDkimSelectors(resolve: ResolveFn, exp: DkimExpectation): Promise<SelectorCheck[]> {
  const out: SelectorCheck[] = [];
  for (const { selector, target } of exp.microsoft) {
    const name = `${selector}._domainkey.${exp.domain}`;
    const expected = normaliseName(target);
    const r = await query(resolve, name, 'CNAME');
    if (r.kind === 'answer') {
      const found = r.records[0]!;
      out.push(
        found === expected
          ? { selector, name, kind: 'microsoft', expected, found, status: 'ok', detail: `${name} → ${found}` }
          : {
              selector,
              name,
              kind: 'microsoft',
              expected,
              found,
              status: 'mismatch',
              detail: `${name} → ${found}, but Get-DkimSigningConfig expects ${expected}`,
            },
      );
    } else if (r.kind === 'nodata' || r.kind === 'nxdomain') {
      out.push({
        selector,
        name,
        kind: 'microsoft',
        expected,
        status: 'missing',
        detail: `${name}: no CNAME (${r.kind}); publish ${name} CNAME ${expected}`,
      });
    } else {
      out.push({
        selector,
        name,
        kind: 'microsoft',
        expected,
        status: 'dns-failure',
        detail: `${name}: ${r.kind}`,
      });
    }
  }
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
