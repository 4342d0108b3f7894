/**
 * Renders a commented `mxlock.yaml` (DESIGN §3.2) for `mxlock init`: what could be inferred is filled in, what the
 * export cannot tell is a TODO with candidates. Every tenant-derived value goes through the yaml library's scalar
 * stringifier (values) or `commentText` (comments): connector names and DNS text are attacker-influenced.
 */
import { stringify } from 'yaml';
import { spfRecordsOf } from '../dns/spf/parse.js';
import { lookup } from '../common/zone.js';
import { isValidIpOrCidr } from '../common/ip.js';
import { buildTenant } from '../model/tenant.js';
import type { Snapshot } from '../snapshot/types.js';
import type { ResolvedGateway } from '../common/gateway.js';
import { mxPointsToEop } from './infer.js';
import { ProfileSchema } from './schema.js';
import { MICROSOFT_SPF_INCLUDE } from '../common/vendors.js';

/** Accepted by the profile schema as an email address (the same rule parseProfile applies). */
const isProfileEmail = (s: string) => ProfileSchema.shape.protectedUsers.safeParse([s]).success;

/** Characters outside YAML's printable set (YAML 1.2 §5.1) or read as line breaks by YAML 1.1 tools: always escaped. */
const NON_PRINTABLE = /[\u007f-\u009f\u2028\u2029\ufffe\uffff]/g;

const escapeChar = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** A YAML scalar: always a one-line JSON-style double-quoted string, whatever the value holds. */
export function yamlString(value: string): string {
  const quoted = stringify(value, {
    defaultStringType: 'QUOTE_DOUBLE',
    doubleQuotedAsJSON: true,
    lineWidth: 0,
  });
  // Inside "…" a raw character and its \uXXXX escape mean the same; the escape survives every reader.
  return quoted.trimEnd().replace(NON_PRINTABLE, escapeChar);
}

function yamlStringList(values: readonly string[], indent: string): string[] {
  if (values.length === 0) return [];
  return values.map((v) => `${indent}- ${yamlString(v)}`);
}

/** Comment text on one line: control characters and Unicode line separators are shown escaped, never emitted raw. */
export function commentText(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufffe\uffff]/g, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    return escapeChar(c);
  });
}

class Lines {
  readonly out: string[] = [];
  comment(text = '', indent = ''): this {
    this.out.push(text === '' ? `${indent}#` : `${indent}# ${commentText(text)}`);
    return this;
  }
  raw(line: string): this {
    this.out.push(line);
    return this;
  }
  blank(): this {
    this.out.push('');
    return this;
  }
}

/** SPF terms of each own accepted domain: every term is a candidate Direct Send source (hardening guide, Step 1). */
function spfCandidates(snapshot: Snapshot, domains: readonly string[]): string[] {
  if (!snapshot.dns) return ['SPF not read: DNS not analysed (no dns.json in the export).'];
  const lines: string[] = [];
  for (const domain of domains) {
    const answer = lookup(snapshot.dns, domain, 'TXT');
    const spf = answer.kind === 'answer' ? spfRecordsOf(answer.records) : [];
    if (spf.length === 0) {
      lines.push(`${domain}: no SPF record`);
      continue;
    }
    for (const record of spf) {
      const terms = record
        .trim()
        .split(/\s+/)
        .slice(1)
        .filter((t) => !/^[-~?+]?all$/i.test(t));
      const shown = terms.map((t) =>
        t.replace(/^\+/, '').toLowerCase() === `include:${MICROSOFT_SPF_INCLUDE}`
          ? `${JSON.stringify(t)} (Microsoft 365 itself)`
          : JSON.stringify(t),
      );
      lines.push(`${domain}: ${shown.length > 0 ? shown.join(', ') : 'no sending terms'}`);
    }
  }
  return lines;
}

/** `TargetedUsersToProtect` entries are `"Display Name; address"` (formats.md §6.1). */
function protectedUserCandidates(snapshot: Snapshot): string[] {
  const out = new Set<string>();
  for (const p of snapshot.data['Get-AntiPhishPolicy'] ?? []) {
    for (const entry of p.TargetedUsersToProtect ?? []) {
      const address = entry.split(';').pop()?.trim();
      if (address && isProfileEmail(address)) out.add(address.toLowerCase());
    }
  }
  return [...out].sort();
}

function renderGateway(l: Lines, gateway: ResolvedGateway): void {
  l.comment(
    'gateway: the Secure Email Gateway your MX points at. When this section is absent, mxlock infers it',
  );
  l.comment(
    'from the MX records and the Partner inbound connector with SenderDomains * (and says so in reports).',
  );
  if (gateway.source === 'none' || gateway.source === 'unknown') {
    // No gateway (every MX at Exchange Online), or none could be told: the same commented template either way.
    const none = gateway.source === 'none';
    l.comment(
      none
        ? 'No gateway: mail enters Exchange Online directly, so there is no gateway to go around:'
        : 'TODO: no gateway could be inferred from the export:',
    );
    for (const b of gateway.basis) l.comment(`  - ${b}`);
    l.comment(
      none
        ? 'If mail does pass a gateway, declare it by removing the leading "# " from these lines:'
        : 'Declare it by removing the leading "# " from these lines and filling them in:',
    );
    l.comment('gateway:');
    l.comment('  name: Example SEG');
    l.comment('  ips: [203.0.113.10, 198.51.100.0/28]');
    l.comment('  certificate: "*.mail-gateway.example.com"');
    l.comment('  certificateUnique: false');
    l.comment('  dkimSelectors: []');
    return;
  }
  l.comment(
    gateway.source === 'profile' ? 'Taken from the profile:' : 'Inferred from the export (check it):',
  );
  for (const b of gateway.basis) l.comment(`  - ${b}`);
  l.raw('gateway:');
  l.comment('name: shown in reports.', '  ');
  if (gateway.name && gateway.name.trim() !== '') l.raw(`  name: ${yamlString(gateway.name)}`);
  else l.comment('name: TODO', '  ');

  const valid = gateway.ips.filter(isValidIpOrCidr);
  const invalid = gateway.ips.filter((ip) => !isValidIpOrCidr(ip));
  l.comment(
    'ips: every address or CIDR range the gateway delivers from, DR/secondary regions included.',
    '  ',
  );
  if (valid.length === 0) {
    l.comment(
      'TODO: unknown; list them from the vendor’s documentation (an empty list means "not known", not "none").',
      '  ',
    );
    l.raw('  ips: []');
  } else {
    l.raw('  ips:');
    l.out.push(...yamlStringList(valid, '    '));
  }
  for (const ip of invalid)
    l.comment(`left out, not an IP address or CIDR range: ${JSON.stringify(ip)}`, '    ');

  l.comment(
    'certificate: subject/SAN of the TLS certificate the gateway presents to Exchange Online; preferred over IPs.',
    '  ',
  );
  if (gateway.certificate && gateway.certificate.trim() !== '')
    l.raw(`  certificate: ${yamlString(gateway.certificate)}`);
  else
    l.comment(
      'certificate: TODO (not in the connectors; ask the vendor which certificate it presents)',
      '  ',
    );

  l.comment(
    'certificateUnique: true only when that certificate is yours alone, not shared by the gateway’s other customers.',
    '  ',
  );
  l.raw(`  certificateUnique: ${gateway.certificateUnique ? 'true' : 'false'}`);
  l.comment('dkimSelectors: selectors the gateway signs your outbound mail with, when it signs.', '  ');
  const selectors = gateway.dkimSelectors.filter((s) => s.trim() !== '');
  if (selectors.length === 0) l.raw('  dkimSelectors: []');
  else {
    l.raw('  dkimSelectors:');
    l.out.push(...yamlStringList(selectors, '    '));
  }
}

function renderHybrid(l: Lines, snapshot: Snapshot): void {
  l.comment(
    'hybrid: on-premises Exchange servers that deliver to Exchange Online. Leave it commented out when there are none.',
  );
  l.comment('TODO: the export cannot tell whether an on-premises server is yours; confirm and uncomment.');
  const onPrem = (snapshot.data['Get-InboundConnector'] ?? []).filter(
    (c) => c.ConnectorType === 'OnPremises',
  );
  const ips: string[] = [];
  let certificate: string | undefined;
  for (const c of onPrem) {
    const label = JSON.stringify(c.Name ?? c.Identity ?? '(unnamed)');
    const ipText = (c.SenderIPAddresses ?? []).map((ip) => JSON.stringify(ip)).join(', ') || 'no IPs';
    const certText = c.TlsSenderCertificateName
      ? `, certificate ${JSON.stringify(c.TlsSenderCertificateName)}`
      : '';
    const state = c.Enabled === false ? ' (disabled)' : '';
    l.comment(`candidate: OnPremises inbound connector ${label}${state}: ${ipText}${certText}`);
    if (c.Enabled !== false) {
      for (const ip of c.SenderIPAddresses ?? []) if (isValidIpOrCidr(ip) && !ips.includes(ip)) ips.push(ip);
      certificate ??= c.TlsSenderCertificateName;
    }
  }
  if (onPrem.length === 0) l.comment('Example (remove the leading "# " to use it):');
  l.comment('hybrid:');
  if (ips.length > 0) {
    l.comment('  ips:');
    for (const ip of ips) l.comment(`    - ${yamlString(ip)}`);
  } else l.comment('  ips: [192.0.2.10]');
  if (certificate) l.comment(`  certificate: ${yamlString(certificate)}`);
}

/** The commented profile text for a snapshot and the gateway resolved for it. */
export function renderProfile(snapshot: Snapshot, gateway: ResolvedGateway): string {
  const tenant = buildTenant(snapshot);
  const ownDomains = [
    ...new Set([...(tenant.defaultDomain ? [tenant.defaultDomain] : []), ...tenant.domainNames]),
  ].filter((d) => !d.endsWith('.onmicrosoft.com'));
  const label = tenant.initialDomain ?? tenant.defaultDomain ?? snapshot.source;
  const l = new Lines();

  l.comment(`mxlock.yaml: the profile for ${label}, written by \`mxlock init\` from ${snapshot.source}.`);
  l.comment('Every section is optional. Use it with `mxlock assess <export> --profile mxlock.yaml`.');
  l.comment('Editors can validate it against mxlock.schema.json (shipped with mxlock).');
  const eop = mxPointsToEop(snapshot);
  l.comment(
    eop === undefined
      ? 'MX of the default domain: unknown (DNS not analysed).'
      : eop
        ? `MX of ${tenant.defaultDomain ?? 'the default domain'} points to Exchange Online itself, not to a gateway.`
        : `MX of ${tenant.defaultDomain ?? 'the default domain'} points away from Exchange Online.`,
  );
  l.blank();

  renderGateway(l, gateway);
  l.blank();
  renderHybrid(l, snapshot);
  l.blank();

  l.comment(
    'directSendSources: devices and services that send as your domains straight to Exchange Online today',
  );
  l.comment(
    '(printers, scanners, line-of-business apps, SaaS). The plan keeps them working when Direct Send is closed.',
  );
  l.comment('TODO: list them. Every term of your SPF records is a candidate (hardening guide, Step 1):');
  for (const line of spfCandidates(snapshot, ownDomains)) l.comment(`  ${line}`);
  l.comment('Example entry:');
  l.comment('  - name: HQ scanners');
  l.comment('    ips: [192.0.2.50]');
  l.comment(`    senders: ["scanner@${ownDomains[0] ?? 'contoso.com'}"]`);
  l.raw('directSendSources: []');
  l.blank();

  l.comment(
    'protectedUsers: addresses that impersonation protection is expected to cover (executives, finance).',
  );
  const users = protectedUserCandidates(snapshot);
  if (users.length > 0) {
    l.comment('Taken from TargetedUsersToProtect of the anti-phishing policies; add who is missing.');
    l.raw('protectedUsers:');
    l.out.push(...yamlStringList(users, '  '));
  } else {
    l.comment('TODO: list them.');
    l.raw('protectedUsers: []');
  }
  l.blank();

  l.comment('waivers: accepted risks, shown in every report. `id` is a check id, e.g.:');
  l.comment('  - id: antispam.thresholds');
  l.comment('    reason: "BCL 7 agreed with the security team"');
  l.raw('waivers: []');
  return `${l.out.join('\n')}\n`;
}
