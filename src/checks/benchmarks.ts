/**
 * Benchmark ids on findings (DESIGN §3.3 `findings[].benchmarks`, issue 13 item 5) and the README coverage table (item
 * 6): one table of the peer controls on mxlock's ground, each with the mxlock checks that cover it and the source the
 * mapping rests on, kept beside it. `benchmarksOf` is the one answer to "which benchmark ids does this check carry";
 * the runner (src/assess.ts), the `--benchmark` view and the coverage table all derive from BENCHMARK_CONTROLS.
 *
 * Rules for an entry: the id and title are quoted from the benchmark's own published text or the peer tool's own
 * source named in `source` (a URL to the file or page); `checks` lists only mxlock checks that judge the same setting
 * (a stricter mxlock threshold still covers the control; `note` says so). No guessed ids: test/checks/benchmarks.test.ts
 * checks every id against its framework's format, every check id against the registry, and that no source is empty.
 */

/** The frameworks a finding's `benchmarks` may name (DESIGN §3.3). */
export const BENCHMARK_FRAMEWORKS = ['cis-m365', 'scuba', 'orca'] as const;
export type BenchmarkFramework = (typeof BENCHMARK_FRAMEWORKS)[number];

/** Maester's own test ids appear only in the coverage table; they are not a JSON framework. */
export type CoverageSource = BenchmarkFramework | 'maester';

/** What a finding carries (JSON `findings[].benchmarks[]`): the source stays in code. */
export interface BenchmarkRef {
  framework: BenchmarkFramework;
  id: string;
  version: string;
}

export interface BenchmarkControl {
  source: CoverageSource;
  id: string;
  /** The benchmark edition or the peer tool's revision the id and title were read from. */
  version: string;
  /** The control's own title, as its source states it. */
  title: string;
  /** Where the id and title were read (URL of the benchmark text or of the peer tool's file). */
  cite: string;
  /** The mxlock checks that cover the control (registry ids). */
  checks: readonly string[];
  /** Why the mapping holds when the check is stricter or narrower than the control. */
  note?: string;
}

export interface FrameworkInfo {
  name: string;
  /** How a report labels the framework beside an id. */
  short: string;
  /** The shape of the framework's ids, as its source writes them. */
  idFormat: RegExp;
}

export const FRAMEWORK_INFO: Readonly<Record<CoverageSource, FrameworkInfo>> = {
  'cis-m365': {
    name: 'CIS Microsoft 365 Foundations Benchmark',
    short: 'CIS',
    idFormat: /^\d+(?:\.\d+){1,3}$/,
  },
  // Policy ids carry their own revision (v1, v3); the EXO and Security Suite baselines since April 2026.
  scuba: {
    name: 'CISA SCuBA M365 baselines (ScubaGear)',
    short: 'SCuBA',
    idFormat: /^MS\.(?:EXO|SECURITYSUITE)\.\d+\.\d+v\d+$/,
  },
  // The check class and file name in ORCA's Checks/ folder (check-ORCA118_3.ps1 is class ORCA118_3).
  orca: {
    name: 'ORCA (Microsoft Defender for Office 365 Recommended Configuration Analyzer)',
    short: 'ORCA',
    idFormat: /^ORCA\d{3}(?:_\d)?$/,
  },
  maester: { name: 'Maester', short: 'Maester', idFormat: /^MT\.\d{4}$/ },
};

// Editions the ids were read from.
const CIS_V6 = '6.0.0';
const CIS_V5 = '5.0.0';
/** The SCuBA baselines as reworked in April 2026 (removedpolicies.md moves MS.DEFENDER.* to MS.SECURITYSUITE.*). */
const SCUBA = '2026-04';
/** cammurray/orca at 629efa3 (its Checks/ folder holds every ORCA id below). */
const ORCA = '629efa3';
const MAESTER = 'main';

const CIS_V6_E5_ITEMS = 'https://www.tenable.com/audits/CIS_Microsoft_365_Foundations_v6.0.0_L1_E5';
const SCUBA_EXO = 'https://github.com/cisagov/ScubaGear/blob/main/PowerShell/ScubaGear/baselines/exo.md';
const SCUBA_SUITE =
  'https://github.com/cisagov/ScubaGear/blob/main/PowerShell/ScubaGear/baselines/securitysuite.md';
const orcaFile = (id: string) => `https://github.com/cammurray/orca/blob/main/Checks/check-${id}.ps1`;
const MAESTER_EXO_TESTS =
  'https://github.com/maester365/maester/blob/main/tests/Maester/Exchange/Test-ExchangeSetting.Tests.ps1';

const cis = (
  id: string,
  title: string,
  checks: readonly string[],
  extra: Partial<Pick<BenchmarkControl, 'version' | 'cite' | 'note'>> = {},
): BenchmarkControl => ({
  source: 'cis-m365',
  id,
  version: CIS_V6,
  title,
  cite: CIS_V6_E5_ITEMS,
  checks,
  ...extra,
});
const scuba = (id: string, title: string, checks: readonly string[], note?: string): BenchmarkControl => {
  const [, baseline] = /^MS\.(EXO|SECURITYSUITE)\./.exec(id) ?? [];
  const anchor = `#${id.toLowerCase().replace(/\./g, '')}`;
  const cite = `${baseline === 'EXO' ? SCUBA_EXO : SCUBA_SUITE}${anchor}`;
  return {
    source: 'scuba',
    id,
    version: SCUBA,
    title,
    cite,
    checks,
    ...(note === undefined ? {} : { note }),
  };
};
const orca = (id: string, title: string, checks: readonly string[], note?: string): BenchmarkControl => ({
  source: 'orca',
  id,
  version: ORCA,
  title,
  cite: orcaFile(id),
  checks,
  ...(note === undefined ? {} : { note }),
});

export const BENCHMARK_CONTROLS: readonly BenchmarkControl[] = [
  // CIS Microsoft 365 Foundations v6.0.0: ids and titles from the benchmark's audit items as Tenable transcribes them.
  cis('2.1.8', 'Ensure that SPF records are published for all Exchange Domains', ['dns.spf']),
  cis('2.1.9', 'Ensure that DKIM is enabled for all Exchange Online Domains', [
    'dkim.signing-enabled',
    'dns.dkim-selectors',
  ]),
  cis('2.1.10', 'Ensure DMARC Records for all Exchange Online domains are published', ['dns.dmarc-policy']),
  cis('2.1.12', 'Ensure the connection filter IP allow list is not used', ['connfilter.ip-allow-list']),
  cis('2.1.13', 'Ensure the connection filter safe list is off', ['connfilter.safe-list']),
  cis('2.1.14', 'Ensure inbound anti-spam policies do not contain allowed domains', [
    'antispam.allowed-senders',
  ]),
  cis('3.1.1', 'Ensure Microsoft 365 audit log search is Enabled', ['audit.unified-audit-log']),
  cis('6.5.5', 'Ensure Direct Send submissions are rejected', ['direct-send.reject-flag'], {
    cite: 'https://www.tenable.com/audits/items/CIS_Microsoft_365_Foundations_v6.0.0_L2_E3.audit:442426ed025194f496d58cbc1b4f7b60',
    note: 'L2; the recommended state is RejectDirectSend True',
  }),
  cis(
    '6.2.2',
    'Ensure mail transport rules do not whitelist specific domains',
    ['rule.scl-bypass-spoofable', 'rule.scl-bypass'],
    {
      version: CIS_V5,
      cite: 'https://www.tenable.com/audits/items/CIS_Microsoft_365_Foundations_v5.0.0_L1_E5.audit:88bd68246cd6a1c71022fec057ee1d9c',
      note: 'read from v5.0.0 (rules that set SCL -1 for a sender domain); the v6.0.0 item was not available to check',
    },
  ),

  // CISA SCuBA: the policy statements of exo.md and securitysuite.md.
  scuba(
    'MS.EXO.2.2v3',
    'An SPF policy SHALL be published for each domain that fails all non-approved senders.',
    ['dns.spf'],
    'v3 accepts ~all; mxlock asks for -all',
  ),
  scuba('MS.EXO.3.1v1', 'DKIM SHOULD be enabled for all domains.', [
    'dkim.signing-enabled',
    'dns.dkim-selectors',
  ]),
  scuba('MS.EXO.4.1v1', 'A DMARC policy SHALL be published for every second-level domain.', [
    'dns.dmarc-policy',
  ]),
  scuba('MS.EXO.4.2v1', 'The DMARC message rejection option SHALL be p=reject.', ['dns.dmarc-policy']),
  scuba(
    'MS.EXO.4.4v1',
    'An agency point of contact SHOULD be included for aggregate and failure reports.',
    ['dns.dmarc-reporting'],
    'mxlock checks the aggregate-report (rua) address',
  ),
  scuba(
    'MS.EXO.13.1v1',
    'Mailbox auditing SHALL be enabled.',
    ['audit.unified-audit-log'],
    'read as Get-OrganizationConfig AuditDisabled, as the baseline instructs',
  ),
  scuba(
    'MS.SECURITYSUITE.2.1v1',
    'User impersonation protection SHOULD be enabled for sensitive accounts.',
    ['antiphish.impersonation'],
    "sensitive accounts = the profile's protectedUsers",
  ),
  scuba('MS.SECURITYSUITE.5.1v1', 'Unified Audit logging SHALL be enabled.', ['audit.unified-audit-log']),
  scuba(
    'MS.SECURITYSUITE.2.2v1',
    'Domain impersonation protection SHOULD be enabled for domains owned by the agency.',
    ['antiphish.org-domain-impersonation'],
  ),
  scuba(
    'MS.SECURITYSUITE.6.1v1',
    "Emails detected as spam and phishing SHALL NOT be delivered to the user's inbox.",
    ['antispam.thresholds', 'antispam.phish-action'],
  ),
  scuba(
    'MS.SECURITYSUITE.6.2v1',
    'Allowed domains SHALL NOT be added to inbound anti-spam protection policies.',
    ['antispam.allowed-senders'],
  ),
  scuba('MS.SECURITYSUITE.8.1v1', 'IP allow lists SHOULD NOT be created.', ['connfilter.ip-allow-list']),
  scuba('MS.SECURITYSUITE.8.2v1', 'Safe lists SHOULD NOT be enabled.', ['connfilter.safe-list']),

  // ORCA: the check classes of cammurray/orca Checks/ (PassText quoted as the title).
  orca('ORCA100', 'Bulk Complaint Level threshold is between 4 and 6', ['antispam.thresholds']),
  orca('ORCA104', 'High Confidence Phish action set to Quarantine message', ['antispam.thresholds']),
  orca('ORCA108', 'DKIM signing is set up for all your custom domains', ['dkim.signing-enabled']),
  orca('ORCA108_1', 'DNS Records have been set up to support DKIM', ['dns.dkim-selectors']),
  orca('ORCA109', 'Senders are not being allow listed in an unsafe manner (anti-spam AllowedSenders)', [
    'antispam.allowed-senders',
  ]),
  orca(
    'ORCA112',
    "Anti-spoofing protection action is configured to Move message to the recipients' Junk Email folders",
    ['antiphish.unauthenticated-action'],
    "mxlock asks for Quarantine, ORCA's Strict level",
  ),
  orca('ORCA114', 'No IP Allow Lists have been configured', ['connfilter.ip-allow-list']),
  orca(
    'ORCA115',
    'Mailbox intelligence based impersonation protection is enabled in anti-phishing policies',
    ['antiphish.mailbox-intelligence'],
  ),
  orca(
    'ORCA118_1',
    'Domains are not being allow listed in an unsafe manner (anti-spam AllowedSenderDomains)',
    ['antispam.allowed-senders'],
  ),
  orca(
    'ORCA118_2',
    'Domains are not being allow listed in an unsafe manner (transport rules setting SCL -1)',
    ['rule.scl-bypass'],
  ),
  orca('ORCA118_3', 'Your own domains are not being allow listed in an unsafe manner (anti-spam policies)', [
    'antispam.allowed-senders',
  ]),
  orca('ORCA118_4', 'Your own domains are not being allow listed in an unsafe manner (transport rules)', [
    'rule.scl-bypass-spoofable',
  ]),
  orca(
    'ORCA139',
    'Spam action set to move message to junk mail folder or quarantine',
    ['antispam.thresholds'],
    "mxlock asks for Quarantine, ORCA's Strict level",
  ),
  orca('ORCA140', 'High Confidence Spam action set to Quarantine message', ['antispam.thresholds']),
  orca(
    'ORCA142',
    'Phish action set to Quarantine message',
    ['antispam.phish-action'],
    'mxlock warns on MoveToJmf and fails only actions that deliver to the inbox',
  ),
  orca('ORCA180', 'Anti-phishing policy exists and EnableSpoofIntelligence is true', [
    'antiphish.spoof-intelligence',
  ]),
  orca('ORCA189', 'Safe Attachments is not bypassed', ['rule.filtering-bypass']),
  orca('ORCA189_2', 'Safe Links is not bypassed', ['rule.filtering-bypass']),
  orca('ORCA221', 'Mailbox intelligence is enabled in anti-phishing policies', [
    'antiphish.mailbox-intelligence',
  ]),
  orca('ORCA223', 'User impersonation action is set to move to Quarantine', ['antiphish.impersonation']),
  orca(
    'ORCA228',
    'No trusted senders in Anti-phishing policy',
    ['antiphish.trusted-senders'],
    'ORCA fails any entry; mxlock warns, and fails own addresses',
  ),
  orca(
    'ORCA229',
    'No trusted domains in Anti-phishing policy',
    ['antiphish.trusted-senders'],
    'ORCA fails any entry; mxlock warns, and fails own domains',
  ),
  orca('ORCA233', 'Domains are pointed directly at EOP or enhanced filtering is used', ['ef.configured']),
  orca(
    'ORCA233_1',
    'Domains are pointed directly at EOP or enhanced filtering is configured on all default connectors',
    ['ef.configured', 'ef.scope'],
    'ORCA fails test mode and a select-users (EFUsers) list, as ef.scope does',
  ),
  orca(
    'ORCA235',
    'SPF records is set up for all your custom domains',
    ['dns.spf'],
    'ORCA passes only -all (hard fail)',
  ),
  orca(
    'ORCA243',
    'Authenticated Receive Chain is set up for domains not pointing to EOP/MDO, or all domains point to EOP/MDO.',
    ['arc.trusted-sealers'],
    'ORCA passes any trusted sealer; mxlock asks for one it can tie to the gateway',
  ),
  orca('ORCA244', 'Policies are configured to honor sending domains DMARC.', ['antiphish.honor-dmarc']),
  orca(
    'ORCA249',
    "Direct send to the tenant's accepted domains is rejected",
    ['direct-send.reject-flag'],
    'ORCA reports it as informational when off',
  ),

  // Maester's own tests (table only): the Exchange settings suite.
  {
    source: 'maester',
    id: 'MT.1043',
    version: MAESTER,
    title: 'Ensure Spam confidence level (SCL) is configured in mail transport rules with specific domains',
    cite: MAESTER_EXO_TESTS,
    checks: ['rule.scl-bypass-spoofable', 'rule.scl-bypass'],
    note: 'fails any rule that sets SCL -1',
  },
  {
    source: 'maester',
    id: 'MT.1062',
    version: MAESTER,
    title: 'Ensure Direct Send is set to be rejected',
    cite: MAESTER_EXO_TESTS,
    checks: ['direct-send.reject-flag'],
  },
];

function isJsonFramework(source: CoverageSource): source is BenchmarkFramework {
  return (BENCHMARK_FRAMEWORKS as readonly string[]).includes(source);
}

export function isBenchmarkFramework(name: string): name is BenchmarkFramework {
  return isJsonFramework(name as CoverageSource);
}

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Dotted numbers compare numerically (2.1.9 before 2.1.10); anything else as text. */
export function compareBenchmarkIds(a: string, b: string): number {
  const pa = a.split(/[._]/);
  const pb = b.split(/[._]/);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? '';
    const y = pb[i] ?? '';
    if (x === y) continue;
    if (/^\d+$/.test(x) && /^\d+$/.test(y)) return Number(x) - Number(y);
    return compareText(x, y);
  }
  return 0;
}

function buildIndex(controls: readonly BenchmarkControl[]): ReadonlyMap<string, readonly BenchmarkRef[]> {
  const out = new Map<string, BenchmarkRef[]>();
  for (const c of controls) {
    if (!isJsonFramework(c.source)) continue;
    for (const check of c.checks) {
      const list = out.get(check) ?? [];
      list.push({ framework: c.source, id: c.id, version: c.version });
      out.set(check, list);
    }
  }
  for (const list of out.values())
    list.sort(
      (a, b) =>
        BENCHMARK_FRAMEWORKS.indexOf(a.framework) - BENCHMARK_FRAMEWORKS.indexOf(b.framework) ||
        compareBenchmarkIds(a.id, b.id),
    );
  return out;
}

const BY_CHECK = buildIndex(BENCHMARK_CONTROLS);

/**
 * The benchmark ids a check's findings carry (JSON frameworks only), framework by framework in DESIGN order and ids in
 * numeric order; `framework` keeps one. A check with no cited mapping carries none.
 */
export function benchmarksOf(checkId: string, framework?: BenchmarkFramework): BenchmarkRef[] {
  const all = BY_CHECK.get(checkId) ?? [];
  return (framework === undefined ? all : all.filter((b) => b.framework === framework)).map((b) => ({
    ...b,
  }));
}

/** A benchmark id as a report shows it: `CIS 6.5.5`, `SCuBA MS.EXO.2.2v3`, `ORCA118_3` (the id already names ORCA). */
export function benchmarkLabel(b: Pick<BenchmarkRef, 'framework' | 'id'>): string {
  return b.framework === 'orca' ? b.id : `${FRAMEWORK_INFO[b.framework].short} ${b.id}`;
}
