/**
 * The declared Direct Send sources (profile `directSendSources`) that no connector admits by IP break once the
 * lock-down (550 5.7.51, CON-5 [D]) or RejectDirectSend (550 5.7.68, DS-2 [D]) is on: they need a new route. Microsoft's
 * documented routes for devices and applications (eop-model §12 "Direct Send devices", §13 "Devices"): authenticated
 * client submission (SMTP AUTH), SMTP relay through a connector that matches them by IP or certificate, or High Volume
 * Email for internal application mail. Which one fits depends on whether SMTP AUTH client submission is on
 * (Get-TransportConfig SmtpClientAuthenticationDisabled; the per-mailbox override is not in the export), and Basic
 * authentication over SMTP AUTH is being retired: off by default for existing tenants from the end of December 2026,
 * then a device that still uses it gets 550 5.7.30 [C].
 */
import { admissionContext } from '../../dns/direct-send-inventory.js';
import { ConnectorAddresses, needsNewRoute, sourceAdmission } from '../../model/admission.js';
import { domainOf } from '../../common/domains.js';
import { mergeReads } from '../catalog.js';
import type { Check, Remediation } from '../types.js';
import { commentSafe, EAC_CONNECTORS, LEARN, psQuote } from '../util.js';
import { inboundConnectors } from '../step2/connectors.js';
import { ADMISSION_READS } from './inventory.direct-send-sources.js';

const SMTP_AUTH_LEARN =
  'https://learn.microsoft.com/exchange/clients-and-mobile-in-exchange-online/authenticated-client-smtp-submission';
const BASIC_AUTH_TIMELINE =
  'https://techcommunity.microsoft.com/blog/exchange/updated-exchange-online-smtp-auth-basic-authentication-deprecation-timeline/4489835';
const HVE_LEARN = 'https://learn.microsoft.com/exchange/mail-flow-best-practices/high-volume-mails-m365';

/** The retirement of Basic authentication over SMTP AUTH, with Microsoft's dates (Exchange Team blog, 2026-01-27). */
export const BASIC_AUTH_RETIREMENT =
  'Basic authentication over SMTP AUTH client submission: unchanged until the end of December 2026, then off by default for existing tenants (an administrator can turn it back on) and unavailable for tenants created after December 2026; Microsoft announces the final removal date in the second half of 2027 (Exchange Team blog, 2026-01-27). A device that still signs in with a password then gets 550 5.7.30 [C]: use OAuth, or another route below';

const PER_MAILBOX =
  'the per-mailbox setting (Set-CASMailbox -SmtpClientAuthenticationDisabled) overrides the organisation-wide one and is not in the export: read it for the sending mailbox with Get-CASMailbox <mailbox> | Format-List SmtpClientAuthenticationDisabled';

const PORTAL = `Microsoft 365 admin center (https://admin.microsoft.com) → Users → Active users → <sending mailbox> → Mail → Manage email apps → Authenticated SMTP (per mailbox); ${EAC_CONNECTORS} → Add a connector (Your organization's email server → Office 365, by IP address or certificate) for SMTP relay`;

interface Needing {
  name: string;
  ips: string[];
  domains: string[];
}

function remediation(needing: readonly Needing[], smtpAuthOff: boolean | undefined): Remediation {
  const lines = [
    '# Each source below needs a route before the lock-down / RejectDirectSend (DESIGN §6 order of preference):',
    '# 1. route it through the gateway, or submit with SMTP AUTH to smtp.office365.com:587 (STARTTLS) as a licensed mailbox, with OAuth:',
    `#    ${commentSafe(BASIC_AUTH_RETIREMENT)}`,
  ];
  if (smtpAuthOff !== false)
    lines.push(
      '#    SMTP AUTH is off (or unknown) organisation-wide: turn it on for the sending mailbox only',
      "Set-CASMailbox -Identity 'scanner@yourdomain.example' -SmtpClientAuthenticationDisabled $false",
    );
  for (const s of needing) {
    lines.push(
      `# 2. ${commentSafe(s.name)}: SMTP relay through a connector that matches it by IP (exempt from RejectDirectSend, DS-2 [D]; admitted past the lock-down, eop-model §12 [I]); it may then also relay to external recipients (CON-7)`,
      `New-InboundConnector -Name ${psQuote(`SMTP relay: ${s.name}`)} -ConnectorType OnPremises -SenderDomains '*' -SenderIPAddresses ${s.ips.map(psQuote).join(',')}`,
    );
  }
  lines.push(
    '#    or a Partner connector restricted to its IPs, or its IPs on the IP lock-down: see inventory.direct-send-sources',
    '# 3. application mail to internal recipients only: High Volume Email (HVE) accounts',
  );
  return { powershell: lines.join('\n'), portal: PORTAL };
}

export const check: Check = {
  id: 'devices.submission-route',
  step: 0,
  title:
    'Declared Direct Send sources that the lock-down would refuse have a route that fits the tenant’s SMTP AUTH setting',
  severity: 'medium',
  references: [
    'eop-model §12 Direct Send devices beside a lock-down connector [D]',
    'eop-model §13 Devices [D] (Basic-auth SMTP AUTH retirement, High Volume Email), 550 5.7.30 [C]',
    'eop-model DS-2 [D], CON-5 [D]',
    LEARN.devices,
    SMTP_AUTH_LEARN,
    BASIC_AUTH_TIMELINE,
    HVE_LEARN,
  ],
  remediation: remediation([{ name: 'HQ scanners', ips: ['192.0.2.50'], domains: [] }], undefined),
  reads: mergeReads(ADMISSION_READS, { 'Get-TransportConfig': ['SmtpClientAuthenticationDisabled'] }),
  checklist: 'checklist.direct-send-inventory',
  evaluate(ctx) {
    const sources = ctx.profile.directSendSources;
    if (sources.length === 0)
      return {
        status: 'not-applicable',
        evidence: [
          'no directSendSources declared in mxlock.yaml (inventory.direct-send-sources lists the SPF-authorised candidates)',
        ],
      };
    const gate = inboundConnectors(ctx);
    if (!gate.ok) return gate.outcome;
    const connectors = gate.value;
    const { recipients, lockedByCertificate } = admissionContext(ctx, connectors);
    const addresses = new ConnectorAddresses(connectors);
    const needing: Needing[] = [];
    const evidence: string[] = [];
    for (const s of sources) {
      const domains = [...new Set(s.senders.map(domainOf).filter((d): d is string => d !== undefined))];
      const adm = sourceAdmission(addresses, s.ips, { senders: domains, recipients, lockedByCertificate });
      const ips = adm.perIp.filter((p) => needsNewRoute(p.admission.kind)).map((p) => p.ip);
      if (ips.length === 0) {
        evidence.push(`declared source '${s.name}': a connector admits it by IP (it keeps its route)`);
        continue;
      }
      needing.push({ name: s.name, ips, domains });
      evidence.push(
        `declared source '${s.name}' (${ips.join(', ')}, sends as ${domains.join(', ')}): no connector admits it by IP, so it breaks once the lock-down (550 5.7.51, CON-5 [D]) or RejectDirectSend (550 5.7.68, DS-2 [D]) is on: it needs a new route`,
      );
    }
    if (needing.length === 0) return { status: 'pass', evidence };

    const configs = ctx.snapshot.data['Get-TransportConfig'];
    const config = configs?.[0];
    const off = config?.SmtpClientAuthenticationDisabled;
    if (configs === undefined || config === undefined || off === undefined) {
      const why =
        configs === undefined
          ? 'Get-TransportConfig.json was not exported'
          : config === undefined
            ? 'Get-TransportConfig.json holds no object'
            : 'Get-TransportConfig: SmtpClientAuthenticationDisabled is absent from the export';
      return {
        status: 'unknown',
        evidence: [
          ...evidence,
          `${why}: whether SMTP AUTH client submission is on is unknown, so which route fits cannot be told`,
          BASIC_AUTH_RETIREMENT,
        ],
        remediation: remediation(needing, undefined),
      };
    }
    const state = off
      ? 'Get-TransportConfig: SmtpClientAuthenticationDisabled = true: SMTP AUTH client submission is off organisation-wide; authenticated submission needs it turned on for the sending mailbox (Set-CASMailbox), or use a relay connector or High Volume Email'
      : 'Get-TransportConfig: SmtpClientAuthenticationDisabled = false: SMTP AUTH client submission is on organisation-wide: a source can submit as a licensed mailbox to smtp.office365.com:587 (CISA SCuBA MS.EXO.5.1 asks for it off organisation-wide, with per-mailbox exceptions)';
    return {
      status: 'warn',
      evidence: [...evidence, state, PER_MAILBOX, BASIC_AUTH_RETIREMENT],
      remediation: remediation(needing, off),
    };
  },
};
