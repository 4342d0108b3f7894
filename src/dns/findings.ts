/**
 * Verdicts on one domain's DNS analysis, shared by the `dns.*` checks of `assess` and by `mxlock dns`. Pure.
 * A DNS failure is `unknown`, never `pass` (DESIGN §1).
 */
import { DNS_STATUS_ORDER, worstBy, type VerdictStatus } from '../common/order.js';
import { MICROSOFT_SPF_INCLUDE } from '../common/vendors.js';
import type { DomainDns } from './analyse.js';
import type { DmarcDiscovery } from './dmarc.js';
import { overLimits, spfNodeError, type SpfNode } from './spf/analyse.js';

export type DnsStatus = VerdictStatus;

export interface DnsVerdict {
  status: DnsStatus;
  evidence: string[];
}

/** The worst of several DNS verdicts, in DNS_STATUS_ORDER (`info` ranks below `pass`: common/order.ts says why). */
export const worstStatus = worstBy(DNS_STATUS_ORDER, 'pass');

export interface SpfContext {
  /** Gateway egress IPs that must be authorised because outbound mail leaves through the gateway. */
  requiredIps?: readonly string[];
  /** Includes known to belong to the gateway (not third-party senders). */
  gatewayIncludes?: readonly string[];
  /** Networks known to be the gateway's. */
  gatewayNetworks?: (network: string) => boolean;
}

/**
 * Include and redirect targets below the root whose record is unusable: a receiver whose evaluation reaches one
 * returns permerror for the whole check (include of none or permerror, RFC 7208 §5.2; redirect to none, §6.1),
 * whatever the root's record says. Loops are reported by overLimits.
 */
function brokenBranches(node: SpfNode, path = ''): string[] {
  const out: string[] = [];
  for (const child of node.children) {
    const via = `${path}${child.via === 'include' ? 'include:' : 'redirect='}${child.domain}`;
    const why =
      child.state === 'none'
        ? 'no SPF record'
        : child.state === 'nxdomain'
          ? 'the domain does not exist'
          : child.state === 'syntax' || child.state === 'multiple'
            ? spfNodeError(child)
            : undefined;
    const section = child.via === 'include' ? '§5.2' : '§6.1';
    if (why !== undefined)
      out.push(`${via}: ${why}; a receiver that gets there returns permerror (RFC 7208 ${section})`);
    out.push(...brokenBranches(child, `${via} → `));
  }
  return out;
}

export function spfVerdict(d: DomainDns, ctx: SpfContext = {}): DnsVerdict {
  const s = d.spf;
  const ev: string[] = [];
  const st: DnsStatus[] = [];
  const add = (status: DnsStatus, line: string) => {
    st.push(status);
    ev.push(`${d.domain}: ${line}`);
  };
  switch (s.state) {
    case 'dns-failure':
      add('unknown', `SPF could not be read (${s.error ?? 'DNS failure'})`);
      return { status: 'unknown', evidence: ev };
    case 'none':
    case 'nxdomain':
      add(
        'fail',
        s.state === 'none'
          ? 'no SPF record: anyone can send as this domain without an SPF failure'
          : 'the domain does not exist in DNS',
      );
      return { status: 'fail', evidence: ev };
    case 'multiple':
    case 'syntax':
    case 'loop':
      add(
        'fail',
        `SPF record unusable (${s.error ?? s.state}): receivers return permerror (RFC 7208 §4.5, §4.6)`,
      );
      return { status: 'fail', evidence: ev };
    default:
      break;
  }
  add('info', `"${s.record}"`);
  for (const line of overLimits(s)) add('fail', line);
  for (const line of brokenBranches(s.tree)) add('fail', line);
  if (s.plusAll || s.allQualifier === '+') add('fail', '"+all" authorises every host on the internet');
  else if (s.allQualifier === '-') add('pass', 'ends in -all (hard fail)');
  else if (s.allQualifier === '~')
    add('warn', 'ends in ~all (soft fail); the guide asks for -all once every sender is listed');
  else if (s.allQualifier === '?') add('fail', 'ends in ?all (neutral): unauthorised senders are not failed');
  else add('fail', 'no "all" term: unauthorised senders get neutral (RFC 7208 §4.7)');
  for (const p of s.ptr) add('warn', `"ptr" SHOULD NOT be used (RFC 7208 §5.5): ${p}`);
  for (const m of s.macros) add('info', `macro term not evaluated statically: ${m}`);
  for (const f of s.failures) add('unknown', `part of the tree could not be read: ${f}`);
  for (const r of s.ipResults) {
    if (!ctx.requiredIps?.includes(r.ip)) continue;
    if (r.result === 'pass') add('pass', `gateway IP ${r.ip} is authorised`);
    else if (r.result === 'temperror') add('unknown', `gateway IP ${r.ip}: temperror while evaluating`);
    else
      add(
        'fail',
        `gateway IP ${r.ip} is not authorised (${r.result}): mail the gateway sends for this domain fails SPF`,
      );
  }
  const gwIncludes = new Set([...(ctx.gatewayIncludes ?? []), MICROSOFT_SPF_INCLUDE]);
  const thirdParty = s.includes.filter((i) => !gwIncludes.has(i));
  const foreignNets = s.networks.filter(
    (n) => !(ctx.gatewayNetworks?.(n.network) ?? false) && n.domain === d.domain,
  );
  if (thirdParty.length || foreignNets.length || s.hostTerms.length) {
    add(
      'info',
      `authorised senders other than the gateway and Microsoft 365 (Direct Send inventory candidates): ${[
        ...thirdParty.map((i) => `include:${i}`),
        ...foreignNets.map((n) => n.network),
        ...s.hostTerms.filter((h) => h.domain === d.domain).map((h) => h.term),
      ].join(', ')}`,
    );
  }
  return { status: worstStatus(st), evidence: ev };
}

/** The DMARC of one domain, as the policy verdict reads it (a DomainDns, or the initial domain's DMARC alone). */
export interface DomainDmarc {
  domain: string;
  dmarc: DmarcDiscovery;
}

export function dmarcPolicyVerdict(d: DomainDmarc): DnsVerdict {
  const m = d.dmarc;
  if (m.failure)
    return { status: 'unknown', evidence: [`${d.domain}: DMARC could not be read (${m.failure})`] };
  if (m.error) return { status: 'fail', evidence: [`${d.domain}: ${m.error}`] };
  if (!m.record)
    return {
      status: 'fail',
      evidence: [
        `${d.domain}: no DMARC record (looked up ${m.queried.join(', ')})`,
        // A record receivers ignore reads as "no record": say which, so the fix is a one-character edit.
        ...(m.ignored ?? []).map((i) => `${d.domain}: ignored as receivers ignore it: ${i}`),
      ],
    };
  const ev = [`${d.domain}: ${m.at} "${m.record.raw}"`, ...m.record.warnings.map((w) => `${d.domain}: ${w}`)];
  const st: DnsStatus[] = [];
  if (m.policy === 'reject') st.push('pass');
  else if (m.policy === 'quarantine') {
    st.push('pass');
    ev.push(`${d.domain}: p=quarantine meets the guide's minimum; p=reject is the target`);
  } else {
    st.push('fail');
    ev.push(
      `${d.domain}: the policy that applies is ${m.policy === 'absent' ? 'none' : m.policy}: failing mail is not quarantined or rejected`,
    );
  }
  if (m.record.testing) {
    st.push('warn');
    ev.push(`${d.domain}: the policy is in test mode (t=y or pct<100): not fully applied`);
  }
  const sp = m.record.sp;
  if (m.at === `_dmarc.${d.domain}` && m.record.spInvalid) {
    st.push('warn');
    ev.push(
      `${d.domain}: sp=${m.record.tags.get('sp') ?? ''} is not a policy: subdomains get no DMARC enforcement (RFC 7489 §6.6.3 step 6)`,
    );
  } else if (m.at === `_dmarc.${d.domain}` && sp === 'none' && m.policy !== 'none') {
    st.push('warn');
    ev.push(`${d.domain}: sp=none leaves subdomains unprotected`);
  }
  return { status: worstStatus(st), evidence: ev };
}

export function dmarcReportingVerdict(d: DomainDns): DnsVerdict {
  const m = d.dmarc;
  if (m.failure)
    return { status: 'unknown', evidence: [`${d.domain}: DMARC could not be read (${m.failure})`] };
  if (!m.record)
    return {
      status: 'fail',
      evidence: [
        `${d.domain}: no DMARC record, so no aggregate reports`,
        ...(m.ignored ?? []).map((i) => `${d.domain}: ignored as receivers ignore it: ${i}`),
      ],
    };
  if (m.record.rua.length === 0)
    return { status: 'fail', evidence: [`${d.domain}: the DMARC record has no rua= (no aggregate reports)`] };
  const st: DnsStatus[] = [];
  const ev: string[] = [];
  for (const dest of m.destinations) {
    if (dest.invalid) {
      st.push('fail');
      ev.push(
        `${d.domain}: rua entry "${dest.uri}" is not a URI receivers can use (mailto:address or https:): no report goes there (RFC 7489 §6.2)`,
      );
    } else if (!dest.external) {
      st.push('pass');
      ev.push(`${d.domain}: reports to ${dest.uri}`);
    } else if (dest.authorised === true) {
      st.push('pass');
      ev.push(
        `${d.domain}: reports to ${dest.uri} (external, authorised by ${m.at?.replace(/^_dmarc\./, '')}._report._dmarc.${dest.domain})`,
      );
    } else if (dest.authorised === 'unknown') {
      st.push('unknown');
      ev.push(`${d.domain}: ${dest.uri} is external and its authorisation record could not be read`);
    } else {
      st.push('fail');
      ev.push(
        `${d.domain}: ${dest.uri} is external and ${dest.domain} does not publish ${m.at?.replace(/^_dmarc\./, '')}._report._dmarc.${dest.domain}: reports to it are not sent (RFC 9990 §3)`,
      );
    }
  }
  return { status: worstStatus(st), evidence: ev };
}

export function dkimSelectorsVerdict(d: DomainDns): DnsVerdict {
  if (d.dkim.length === 0)
    return { status: 'not-applicable', evidence: [`${d.domain}: no DKIM selectors expected`] };
  // A disabled signing config's selectors (pending) that are published leave nothing to do here: enabling signing
  // is dkim.signing-enabled's finding. Unpublished, they fail: the config cannot be enabled without them (S33).
  const st = d.dkim.map((s): DnsStatus =>
    s.status === 'ok'
      ? s.pending
        ? 'not-applicable'
        : 'pass'
      : s.status === 'dns-failure'
        ? 'unknown'
        : 'fail',
  );
  const pending = d.dkim.filter((s) => s.pending);
  const summary = pending.some((s) => s.status === 'missing' || s.status === 'mismatch')
    ? [
        `${d.domain}: DKIM signing is disabled and its selector CNAMEs are not published: publish selector1/selector2 (the CNAME targets from Get-DkimSigningConfig) before enabling it`,
      ]
    : pending.length > 0 && pending.every((s) => s.status === 'ok')
      ? [
          `${d.domain}: DKIM signing is disabled; its selector CNAMEs are published, so it is ready to be enabled`,
        ]
      : [];
  return {
    status: worstStatus(st),
    evidence: [...summary, ...d.dkim.map((s) => `${d.domain}: ${s.detail}`)],
  };
}

export interface MxContext {
  /** A gateway is declared or inferred. */
  gatewayDeclared: boolean;
  /** Its vendor name when known (from the profile or the connector). */
  gatewayVendor?: string;
}

export function mxVerdict(d: DomainDns, ctx: MxContext): DnsVerdict {
  const m = d.mx;
  if (m.state === 'dns-failure')
    return { status: 'unknown', evidence: [`${d.domain}: MX could not be read (${m.failure})`] };
  if (m.state !== 'ok') return { status: 'fail', evidence: [`${d.domain}: no MX records (${m.state})`] };
  const hosts = m.hosts
    .map(
      (h) =>
        `${h.exchange} (${h.priority}, ${h.class.kind === 'seg' ? h.class.vendor.name : h.class.kind === 'eop' ? 'Exchange Online' : 'unrecognised'})`,
    )
    .join(', ');
  const ev = [`${d.domain}: MX ${hosts}`];
  if (m.mixed)
    return {
      status: 'fail',
      evidence: [
        ...ev,
        `${d.domain}: some MX hosts are Exchange Online and some are not: senders reach EOP directly by following the MX`,
      ],
    };
  if (m.allEop) {
    return ctx.gatewayDeclared
      ? {
          status: 'fail',
          evidence: [
            ...ev,
            `${d.domain}: the MX points to Exchange Online although a gateway is declared: inbound mail does not pass the gateway`,
          ],
        }
      : {
          status: 'info',
          evidence: [...ev, `${d.domain}: the MX points to Exchange Online (no gateway in front)`],
        };
  }
  if (
    m.vendor &&
    ctx.gatewayVendor &&
    !ctx.gatewayVendor.toLowerCase().includes(m.vendor.toLowerCase()) &&
    !m.vendor.toLowerCase().includes(ctx.gatewayVendor.toLowerCase())
  ) {
    return {
      status: 'warn',
      evidence: [
        ...ev,
        `${d.domain}: the MX is ${m.vendor} but the declared gateway is ${ctx.gatewayVendor}`,
      ],
    };
  }
  if (!m.vendor)
    return {
      status: 'info',
      evidence: [...ev, `${d.domain}: the MX hosts are not a recognised gateway; assumed to be yours`],
    };
  return { status: 'pass', evidence: [...ev, `${d.domain}: every MX host is ${m.vendor}`] };
}
