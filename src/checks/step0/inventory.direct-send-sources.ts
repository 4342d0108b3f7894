/**
 * Direct Send candidates to admit before RejectDirectSend and the connector lock-down (hardening guide step 1:
 * "every entry in your SPF record is a candidate"). RejectDirectSend rejects anonymous mail with an own P1 domain
 * unless a connector matches the sending IP or certificate (eop-model DS-2 [D]); the lock-down rejects everything not
 * from the gateway (CON-5 [D]). Senders found here break on the day either is switched on, unless admitted first.
 * The SPF half is dns/direct-send-inventory.ts, which the plan reads too; the declared sources are judged here.
 */
import { admissionContext, spfInventory } from '../../dns/direct-send-inventory.js';
import {
  ConnectorAddresses,
  needsNewRoute,
  sourceAdmission,
  withinGatewayText,
  type SourceAdmission,
} from '../../model/admission.js';
import { restrictsByIp } from '../../model/connectors.js';
import { gatewayConnectorChoice } from '../../model/gateway-connector.js';
import { domainOf } from '../../common/domains.js';
import type { InboundConnector } from '../../snapshot/schema.js';
import type { Check, CheckOutcome, Reads } from '../types.js';
import {
  activeLockdowns,
  commentSafe,
  connectorName,
  EAC_CONNECTORS,
  LEARN,
  psQuote,
  worst,
} from '../util.js';
import { inboundConnectors } from '../step2/connectors.js';

const WHY =
  'why it matters: once RejectDirectSend is on, anonymous mail with an own P1 domain is rejected with 550 5.7.68 unless an enabled connector matches the sender by IP or certificate (eop-model DS-2 [D]); the connector lock-down then rejects any source that is not the gateway with 550 5.7.51 (CON-5 [D])';

interface Source {
  name: string;
  ips: string[];
  senders: string[];
}

/** Admission commands per source; `ipLockdown` is the enabled IP-restricted lock-down connector, when there is one. */
function remediationFor(
  ipLockdown: InboundConnector | undefined,
  sources: readonly Source[],
  lockdownOn = false,
): string {
  const lines = [
    '# For each legitimate Direct Send source, in this order of preference (DESIGN §6):',
    '# 1. route it through the gateway, or have it submit with SMTP AUTH to smtp.office365.com (not Direct Send at all)',
  ];
  for (const s of sources) {
    const domains = [...new Set(s.senders.map((a) => a.slice(a.lastIndexOf('@') + 1).toLowerCase()))];
    if (ipLockdown) {
      lines.push(
        `# 2. ${commentSafe(s.name)}: the lock-down restricts by IP, so add the source to its SenderIPAddresses (it then matches by IP, DS-2)`,
        `Set-InboundConnector -Identity ${psQuote(connectorName(ipLockdown))} -SenderIPAddresses @{Add=${s.ips.map(psQuote).join(',')}}`,
      );
    } else {
      lines.push(
        `# 3. ${commentSafe(s.name)}: a separate IP-restricted Partner connector scoped to the domains it sends as (eop-model §12 OQ-2 [I])`,
        // RequireTls is left off: many devices send in plain text, and a connector requiring TLS refuses them (CON-6 [D]).
        `#    add -RequireTls $true if it uses STARTTLS${lockdownOn ? '' : '; restrict it (-RestrictDomainsToIPAddresses $true) in the same change as the lock-down, not before: alone, it would refuse its domains from the gateway (CON-5)'}`,
        `New-InboundConnector -Name ${psQuote(`Direct Send: ${s.name}`)} -ConnectorType Partner -SenderDomains ${domains.map(psQuote).join(',')} \``,
        `  ${lockdownOn ? '-RestrictDomainsToIPAddresses $true ' : ''}-SenderIPAddresses ${s.ips.map(psQuote).join(',')} -Enabled $true`,
      );
    }
  }
  if (sources.length === 0) {
    lines.push(
      "# 2. IP lock-down: Set-InboundConnector -Identity '<lock-down connector>' -SenderIPAddresses @{Add='<source IP>'}",
      "# 3. certificate lock-down: New-InboundConnector -Name 'Direct Send: <source>' -ConnectorType Partner -SenderDomains '<own domain>' -RestrictDomainsToIPAddresses $true -SenderIPAddresses '<source IP>'",
    );
  }
  lines.push(
    '# Never an allow-by-sender-domain connector: it does not exempt anything (eop-model CON-3 [D], DS-1 [D]).',
  );
  lines.push(
    '# Declare each source under directSendSources in mxlock.yaml so the simulator keeps checking it.',
  );
  return lines.join('\n');
}

/** The evidence line for (part of) a declared source, and what the remediation must do for it. */
function admissionVerdict(
  subject: string,
  adm: SourceAdmission,
  lockdownOn: boolean,
): { text: string; warn: boolean; restrict: InboundConnector[]; needsConnector: boolean } {
  const names = adm.connectors.map((c) => `'${connectorName(c)}'`).join(', ');
  if (adm.kind === 'admitted')
    return {
      text: `${subject}: admitted by ${names} (matched by IP: exempt from RejectDirectSend and the lock-down)`,
      warn: false,
      restrict: [],
      needsConnector: false,
    };
  if (adm.kind === 'restrict-with-lockdown')
    return lockdownOn
      ? {
          text: `${subject}: listed on ${names}, which does not restrict by IP: with the lock-down on, the source satisfies no restricting connector and gets 550 5.7.51 (CON-5 [D], §12 OQ-2 [I])`,
          warn: true,
          restrict: adm.connectors,
          needsConnector: false,
        }
      : {
          text: `${subject}: listed on ${names}; set RestrictDomainsToIPAddresses on it in the same change as the lock-down (not before: restricting it alone would refuse its domains' mail from the gateway, CON-5)`,
          warn: false,
          restrict: [],
          needsConnector: false,
        };
  return {
    text:
      adm.kind === 'none'
        ? `${subject}: not in any enabled connector's SenderIPAddresses`
        : `${subject}: exempt from RejectDirectSend only, refused with 550 5.7.51 once the lock-down is on: ${adm.reasons.join('; ')}`,
    warn: true,
    restrict: [],
    needsConnector: needsNewRoute(adm.kind),
  };
}

/** What judging a declared source's admission reads (model/admission.ts, admissionContext). */
export const ADMISSION_READS = {
  'Get-AcceptedDomain': ['DomainName', 'Default'],
  'Get-InboundConnector': [
    'ConnectorType',
    'Enabled',
    'SenderDomains',
    'SenderIPAddresses',
    'TlsSenderCertificateName',
    'RestrictDomainsToIPAddresses',
    'RestrictDomainsToCertificate',
    'AssociatedAcceptedDomains',
  ],
} as const satisfies Reads;

const PORTAL = `${EAC_CONNECTORS} → Add a connector (Partner organization → Office 365, identify the sender by IP address), or edit the IP-restricted lock-down connector's IP addresses`;

export const check: Check = {
  id: 'inventory.direct-send-sources',
  step: 0,
  title:
    'Every Direct Send source (SPF-authorised or declared) is admitted by a connector before the lock-down',
  severity: 'medium',
  references: [
    'eop-model DS-2 [D]',
    'eop-model DS-4 [C]',
    'eop-model CON-5 [D]',
    'eop-model §12 [D]',
    LEARN.directSendBlog,
    LEARN.devices,
  ],
  remediation: {
    powershell: remediationFor(undefined, []),
    portal: PORTAL,
  },
  reads: { ...ADMISSION_READS, dns: true },
  checklist: 'checklist.direct-send-inventory',
  evaluate(ctx) {
    const gate = inboundConnectors(ctx);
    if (!gate.ok) return gate.outcome;
    const connectors = gate.value;
    const evidence: string[] = [];
    const statuses: CheckOutcome['status'][] = [];
    const { lockdownOn, recipients, lockedByCertificate } = admissionContext(ctx, connectors);

    // (b) declared sources, judged as the lock-down and RejectDirectSend will judge them (model/admission.ts).
    const notAdmitted: Source[] = [];
    const toRestrict: InboundConnector[] = [];
    const addresses = new ConnectorAddresses(connectors);
    for (const s of ctx.profile.directSendSources) {
      const senders = [...new Set(s.senders.map(domainOf).filter((d): d is string => d !== undefined))];
      const adm = sourceAdmission(addresses, s.ips, { senders, recipients, lockedByCertificate });
      const label = `declared source '${s.name}' (${s.ips.join(', ')}, sends as ${s.senders.join(', ') || 'undeclared senders'})`;
      // One verdict for the source when its addresses agree, else one per address (an OnPremises connector admitting
      // one address is not the Partner connector to restrict for another, CON-4 [D]). A line per address names that
      // address only: with the whole list on each, the evidence grew with the square of the addresses (issue 10).
      const uniform = new Set(adm.perIp.map((p) => p.admission.kind)).size <= 1;
      const parts = uniform
        ? [{ subject: label, ips: s.ips, admission: adm }]
        : adm.perIp.map((p) => ({
            subject: `declared source '${s.name}', address ${p.ip}`,
            ips: [p.ip],
            admission: p.admission,
          }));
      const needsConnector: string[] = [];
      for (const part of parts) {
        const v = admissionVerdict(part.subject, part.admission, lockdownOn);
        evidence.push(v.text);
        if (v.warn) statuses.push('warn');
        toRestrict.push(...v.restrict);
        if (v.needsConnector) needsConnector.push(...part.ips);
      }
      if (needsConnector.length > 0) notAdmitted.push({ ...s, ips: needsConnector });
      const shared = withinGatewayText(s.ips, ctx.gateway.ips);
      if (shared !== undefined) {
        // The gateway's egress addresses also carry its other customers' mail: admitting them by IP for an own domain
        // lets any of those customers send as it past the lock-down (residual path path.shared-gateway-ip).
        evidence.push(
          `${label}: ${shared}: a connector that admits it by IP lets the gateway's other customers send as ${senders.join(', ') || 'the tenant'} past the lock-down (residual path path.shared-gateway-ip, CON-5 [D]); route it through the gateway, or have it use SMTP AUTH`,
        );
        statuses.push('warn');
      }
    }

    // (a) SPF of every own domain.
    const spf = spfInventory(ctx);
    evidence.push(...spf.lines);
    statuses.push(spf.status);

    const status = worst(statuses);
    if (status === 'warn') evidence.push(WHY);
    if (status === 'pass')
      evidence.push('no SPF-authorised or declared sender needs admitting before the lock-down');
    const outcome: CheckOutcome = { status, evidence };
    if (notAdmitted.length > 0 || toRestrict.length > 0) {
      // The gateway connector (model/gateway-connector.ts) when it is an IP lock-down: the one the plan adds sources to.
      const ipLockdowns = activeLockdowns(ctx).filter(restrictsByIp);
      const gatewayConnector = gatewayConnectorChoice(ctx.tenant.inboundConnectors, ctx.gateway).connector;
      const ipLockdown = ipLockdowns.find((c) => c === gatewayConnector) ?? ipLockdowns[0];
      const restrict = [...new Set(toRestrict)].map(
        (c) =>
          `Set-InboundConnector -Identity ${psQuote(connectorName(c))} -RestrictDomainsToIPAddresses $true   # the lock-down is on: the source must satisfy a restricting connector (CON-5)`,
      );
      outcome.remediation = {
        powershell: [
          ...restrict,
          ...(notAdmitted.length > 0 ? [remediationFor(ipLockdown, notAdmitted, lockdownOn)] : []),
        ].join('\n'),
        portal: PORTAL,
      };
    }
    return outcome;
  },
};
