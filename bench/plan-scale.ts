/**
 * `assess` and `plan` of a tenant with many transport rules or inbound connectors (issue 10 item 6: a tenant of
 * 50,000 rules or connectors gives a result, in time that grows about linearly). The tenant is examples/half-done
 * with its one rule and one connector replaced by N of them, written as an export folder and read back as
 * `mxlock plan --offline` reads it; the times are those of `assessExport` (read, DNS from dns.json, checks, paths)
 * and of `buildPlan` (the stages, each simulated).
 *
 * The rules differ as a large tenant's do: the example's safety net, rules scoped to a sender domain, a sender range
 * or a recipient domain, rules on the external scope, header rules an attacker can satisfy (TR-4), rules with a
 * condition the model does not decide (uncertain), audit-mode and disabled rules. The connectors: Partner connectors
 * for partners' domains and ranges, some restricting by IP, some by certificate, OnPremises relays, disabled ones.
 *
 * Environment: RULES (comma-separated rule counts, default 1000,4000,16000,50000), CONNECTORS (connector counts, default
 * 1000, as a tenant with 50,000 connectors still takes too long: each enabled connector is a path of its own, tried
 * against every restricting connector; empty for none), RUNS (timed runs of each size, default 1; the median is printed), EXPORT (a folder: write
 * the exports there, as rules-N and connectors-N, for `mxlock plan`, instead of timing them).
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assessExport } from '../src/assess-export.js';
import { buildPlan } from '../src/plan/index.js';
import { resolveGateway } from '../src/profile/infer.js';
import { EMPTY_PROFILE } from '../src/profile/schema.js';

const sizes = (v: string | undefined, d: string) =>
  (v ?? d)
    .split(',')
    .filter(Boolean)
    .map((s) => Number(s));
const RULES = sizes(process.env['RULES'], '1000,4000,16000,50000');
const CONNECTORS = sizes(process.env['CONNECTORS'], '1000');
const RUNS = Number(process.env['RUNS'] ?? 1);
const EXAMPLE = join(import.meta.dirname, '..', 'examples', 'half-done');
const TASKS = 'Microsoft.Exchange.MessagingPolicies.Rules.Tasks.';
const NOW = new Date('2026-06-01T00:00:00Z');

/** An export file of the example as JSON values (UTF-16 with a BOM, as PowerShell 5.1 writes them, or UTF-8). */
function exampleObjects(cmdlet: string): Record<string, unknown>[] {
  const bytes = readFileSync(join(EXAMPLE, `${cmdlet}.json`));
  const text =
    bytes[0] === 0xff && bytes[1] === 0xfe
      ? bytes.subarray(2).toString('utf16le')
      : bytes.toString('utf8').replace(/^\uFEFF/, '');
  const v = JSON.parse(text) as unknown;
  const list = Array.isArray(v) ? v : ((v as { value?: unknown }).value ?? [v]);
  return list as Record<string, unknown>[];
}

const SAFETY_NET = exampleObjects('Get-TransportRule')[0]!;
const OWN = exampleObjects('Get-AcceptedDomain').map((d) => String(d['DomainName']));
const LOCKDOWN = exampleObjects('Get-InboundConnector')[0]!;

/** The i-th rule: one of eight kinds, in turn. */
function rule(i: number): Record<string, unknown> {
  const base = { Name: `rule ${i}`, Priority: i, State: 'Enabled', Mode: 'Enforce', Exceptions: [] };
  const pred = (n: string) => `${TASKS}${n}Predicate`;
  const act = (n: string) => `${TASKS}${n}Action`;
  const ip = `100.${64 + ((i >> 16) & 63)}.${(i >> 8) & 255}.${i & 255}`;
  switch (i % 8) {
    case 0:
      return { ...SAFETY_NET, Name: `${String(SAFETY_NET['Name'])} ${i}`, Priority: i };
    case 1:
      return {
        ...base,
        Conditions: [pred('SenderDomainIs')],
        SenderDomainIs: [`sender${i}.example`],
        Actions: [act('PrependSubject')],
      };
    case 2:
      return {
        ...base,
        Conditions: [pred('FromScope')],
        FromScope: 'NotInOrganization',
        Actions: [act('SetHeader')],
      };
    case 3:
      return {
        ...base,
        Conditions: [pred('SenderIpRanges')],
        SenderIpRanges: [ip],
        Actions: [act('SetScl')],
        SetSCL: -1,
      };
    case 4:
      return {
        ...base,
        Conditions: [pred('HeaderMatches')],
        HeaderMatchesMessageHeader: `X-Tag-${i % 50}`,
        HeaderMatchesPatterns: ['^yes$'],
        Actions: [act('SetScl')],
        SetSCL: 9,
      };
    case 5:
      // A condition the model does not evaluate: the rule's match is undecided.
      return {
        ...base,
        Conditions: [pred('SubjectContainsWords')],
        Actions: [act('Quarantine')],
        Quarantine: true,
      };
    case 6:
      return {
        ...base,
        Mode: 'Audit',
        Conditions: [pred('RecipientDomainIs')],
        RecipientDomainIs: [OWN[i % OWN.length]],
        Actions: [act('ApplyHtmlDisclaimer')],
      };
    default:
      return {
        ...base,
        State: 'Disabled',
        Conditions: [pred('FromScope')],
        FromScope: 'NotInOrganization',
        Actions: [act('RejectMessage')],
      };
  }
}

/** The i-th connector: a partner's, one of five kinds in turn. */
function connector(i: number): Record<string, unknown> {
  const ip = `100.${64 + ((i >> 16) & 63)}.${(i >> 8) & 255}.${i & 255}`;
  const base = {
    Name: `partner ${i}`,
    Enabled: true,
    ConnectorType: 'Partner',
    SenderDomains: [`smtp:partner${i}.example;1`],
    SenderIPAddresses: [ip],
    RestrictDomainsToIPAddresses: false,
    RestrictDomainsToCertificate: false,
    RequireTls: false,
    AssociatedAcceptedDomains: [],
    EFSkipIPs: [],
    EFSkipLastIP: false,
    EFUsers: [],
    EFTestMode: false,
  };
  switch (i % 5) {
    case 0:
      return { ...base, RestrictDomainsToIPAddresses: true };
    case 1:
      return {
        ...base,
        SenderIPAddresses: [],
        TlsSenderCertificateName: `mail.partner${i}.example`,
        RequireTls: true,
        RestrictDomainsToCertificate: true,
      };
    case 2:
      return {
        ...base,
        ConnectorType: 'OnPremises',
        SenderDomains: ['smtp:*;1'],
        CloudServicesMailEnabled: false,
      };
    case 3:
      return { ...base, Enabled: false, RestrictDomainsToIPAddresses: true };
    default:
      return base;
  }
}

/** The example with `rules` rules and, besides its gateway connector, `connectors` partner connectors. */
function writeExport(rules: number, connectors: number, into?: string): string {
  const dir = into ?? mkdtempSync(join(tmpdir(), 'mxlock-bench-scale-'));
  cpSync(EXAMPLE, dir, { recursive: true });
  const ruleList = rules > 0 ? Array.from({ length: rules }, (_, i) => rule(i)) : [SAFETY_NET];
  writeFileSync(join(dir, 'Get-TransportRule.json'), JSON.stringify(ruleList));
  const connectorList = [LOCKDOWN, ...Array.from({ length: connectors }, (_, i) => connector(i))];
  writeFileSync(join(dir, 'Get-InboundConnector.json'), JSON.stringify(connectorList));
  return dir;
}

async function timeOnce(dir: string): Promise<{ assessMs: number; planMs: number; changes: number }> {
  const t0 = performance.now();
  const e = await assessExport(dir, { offline: true, now: NOW });
  const t1 = performance.now();
  const profile = e.profile ?? EMPTY_PROFILE;
  const built = buildPlan({
    snapshot: e.snapshot,
    profile,
    gateway: resolveGateway(profile, e.snapshot),
    report: e.report,
    zone: e.zone,
    now: NOW,
  });
  const t2 = performance.now();
  if (!built.ok) throw new Error(`cannot plan: ${built.reason}`);
  const changes = built.checked.plan.stages.reduce((n, s) => n + s.changes.length, 0);
  return { assessMs: t1 - t0, planMs: t2 - t1, changes };
}

async function measure(label: string, rules: number, connectors: number): Promise<void> {
  const dir = writeExport(rules, connectors);
  try {
    const runs: Awaited<ReturnType<typeof timeOnce>>[] = [];
    for (let r = 0; r < Math.max(1, RUNS); r++) runs.push(await timeOnce(dir));
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
    const assessMs = median(runs.map((r) => r.assessMs));
    const planMs = median(runs.map((r) => r.planMs));
    console.log(
      `  ${label.padEnd(20)} assess ${(assessMs / 1000).toFixed(2)} s, plan ${(planMs / 1000).toFixed(2)} s (${runs[0]!.changes} changes), assess + plan ${((assessMs + planMs) / 1000).toFixed(2)} s`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const EXPORT = process.env['EXPORT'];
if (EXPORT) {
  for (const n of RULES) writeExport(n, 0, join(EXPORT, `rules-${n}`));
  for (const n of CONNECTORS) writeExport(0, n, join(EXPORT, `connectors-${n}`));
  process.exit(0);
}
console.log(
  `plan-scale: examples/half-done with N transport rules or N inbound connectors (median of ${RUNS} run(s))`,
);
for (const n of RULES) await measure(`${n.toLocaleString('en-US')} rules`, n, 0);
for (const n of CONNECTORS) await measure(`${n.toLocaleString('en-US')} connectors`, 0, n);
