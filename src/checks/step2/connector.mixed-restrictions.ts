/**
 * Microsoft's product group: "You cannot have an 'allow' by sender domain connector when there is a restrict by
 * IP/Cert connector … You should not have IPs and Cert configured in the same Partner connector. Please use separate
 * connectors." (eop-model CON-3 [D] S10; field-notes 3; §10 A4).
 */
import type { InboundConnector } from '../../snapshot/schema.js';
import type { Check, CheckOutcome } from '../types.js';
import {
  connectorName,
  EAC_CONNECTORS,
  isPartner,
  isRestricting,
  LEARN,
  psQuote,
  show,
  worst,
} from '../util.js';
import { connectorLabel, inboundConnectors, unclassifiedConnectors } from './connectors.js';
import { LOCKDOWN_READS } from './connectors.js';

const PORTAL = `${EAC_CONNECTORS}: keep one restriction method per Partner connector (certificate or IPs), and delete or turn off Partner connectors that only name sender domains`;

interface Issue {
  status: CheckOutcome['status'];
  line: string;
  fix: string;
}

/** A restricting connector that carries both match keys, or both restriction flags. */
function mixesKeys(c: InboundConnector): string | undefined {
  if (c.RestrictDomainsToIPAddresses === true && c.RestrictDomainsToCertificate === true) {
    return 'RestrictDomainsToIPAddresses = true and RestrictDomainsToCertificate = true';
  }
  if (
    isRestricting(c) &&
    (c.SenderIPAddresses?.length ?? 0) > 0 &&
    c.TlsSenderCertificateName !== undefined
  ) {
    return `restricts by ${c.RestrictDomainsToCertificate === true ? 'certificate' : 'IP'} but carries both SenderIPAddresses = [${(c.SenderIPAddresses ?? []).join(', ')}] and TlsSenderCertificateName = '${c.TlsSenderCertificateName}'`;
  }
  return undefined;
}

function enabledState(c: InboundConnector): CheckOutcome['status'] | undefined {
  if (c.Enabled === true) return 'fail';
  if (c.Enabled === undefined) return 'unknown';
  return undefined;
}

export const check: Check = {
  id: 'connector.mixed-restrictions',
  step: 2,
  title:
    'Each Partner connector restricts by one method only, and no allow-by-domain Partner connector sits beside a restricting one',
  severity: 'medium',
  references: [
    'eop-model CON-3 [D]',
    'eop-model §10 A4',
    'field-notes 3',
    LEARN.useConnectors,
    LEARN.newInboundConnector,
  ],
  remediation: {
    powershell: [
      '# Split IP and certificate restrictions into separate Partner connectors, e.g.:',
      "Set-InboundConnector -Identity 'From Secure Email Gateway' -RestrictDomainsToIPAddresses $false -SenderIPAddresses $null",
      '# Remove Partner connectors that only name sender domains once a restricting connector exists:',
      "Set-InboundConnector -Identity 'Allow partner domain' -Enabled $false",
    ].join('\n'),
    portal: PORTAL,
  },
  reads: {
    'Get-InboundConnector': [...LOCKDOWN_READS, 'SenderIPAddresses', 'TlsSenderCertificateName'],
  },
  evaluate(ctx) {
    const gate = inboundConnectors(ctx);
    if (!gate.ok) return gate.outcome;
    const partners = gate.value.filter(isPartner);
    const unclassified = unclassifiedConnectors(gate.value);
    if (partners.length === 0) {
      if (unclassified.length > 0) return { status: 'unknown', evidence: unclassified };
      return { status: 'not-applicable', evidence: ['no Partner inbound connectors'] };
    }
    const issues: Issue[] = unclassified.map((line) => ({ status: 'unknown', line, fix: '' }));
    const notes: string[] = [];

    for (const c of partners) {
      const mixed = mixesKeys(c);
      if (!mixed) continue;
      const state = enabledState(c);
      const line = `${connectorLabel(c)}: ${mixed} (Enabled = ${show(c.Enabled)}): use one connector per method (CON-3 [D])`;
      if (!state) {
        notes.push(`${line}; disabled now, fix before enabling it`);
        continue;
      }
      const keepCert = c.RestrictDomainsToCertificate === true;
      issues.push({
        status: state,
        line,
        fix: keepCert
          ? `Set-InboundConnector -Identity ${psQuote(connectorName(c))} -RestrictDomainsToIPAddresses $false -SenderIPAddresses $null  # then add an IP-restricted connector if the IPs are still needed`
          : `Set-InboundConnector -Identity ${psQuote(connectorName(c))} -TlsSenderCertificateName $null`,
      });
    }

    const restrictingEnabled = partners.filter((c) => isRestricting(c) && c.Enabled === true);
    // A restricting connector whose Enabled is missing may be in force: an allow-by-domain one beside it is unknown.
    const restrictingUnknown = partners.filter((c) => isRestricting(c) && c.Enabled === undefined);
    if (restrictingEnabled.length === 0 && restrictingUnknown.length > 0) {
      const allowers = partners.filter(
        (c) =>
          c.RestrictDomainsToIPAddresses === false &&
          c.RestrictDomainsToCertificate === false &&
          (c.SenderIPAddresses?.length ?? 0) === 0 &&
          c.TlsSenderCertificateName === undefined &&
          c.Enabled !== false,
      );
      for (const c of allowers) {
        issues.push({
          status: 'unknown',
          line: `${connectorLabel(c)}: matches by sender domain only and restricts nothing, beside ${restrictingUnknown.map((r) => `${connectorLabel(r)}: Enabled missing`).join(', ')}: cannot tell whether a restriction is in force beside it (CON-3 [D])`,
          fix: '',
        });
      }
    }
    if (restrictingEnabled.length > 0) {
      // "Allow by sender domain": restricts nothing and matches by sender domain only. A non-restricting connector
      // that names IPs or a certificate still matches by them (attribution, DS-1 exemption, EF): not this case.
      const allowers = partners.filter(
        (c) =>
          c.RestrictDomainsToIPAddresses === false &&
          c.RestrictDomainsToCertificate === false &&
          (c.SenderIPAddresses?.length ?? 0) === 0 &&
          c.TlsSenderCertificateName === undefined,
      );
      for (const c of allowers) {
        const state = enabledState(c);
        if (!state) continue;
        issues.push({
          status: state,
          line: `${connectorLabel(c)}: matches by sender domain only and restricts nothing (SenderDomains = ${show(c.SenderDomains)}, no SenderIPAddresses or TlsSenderCertificateName, Enabled = ${show(c.Enabled)}) beside restricting ${restrictingEnabled.map(connectorLabel).join(', ')}: an allow-by-domain Partner connector neither admits anything past the restriction nor exempts from RejectDirectSend (CON-3 [D], DS-1 [D])`,
          fix: `Set-InboundConnector -Identity ${psQuote(connectorName(c))} -Enabled $false  # admit its senders by IP instead (inventory.direct-send-sources)`,
        });
      }
    }

    const status = worst(
      issues.map((i) => i.status),
      'pass',
    );
    if (issues.length === 0) {
      return {
        status: 'pass',
        evidence: [
          ...notes,
          `${partners.length} Partner connector(s): none mixes IPs and certificate, no allow-by-domain connector beside a restriction`,
        ],
      };
    }
    const fixes = issues.map((i) => i.fix).filter((f) => f !== '');
    const outcome: CheckOutcome = { status, evidence: [...issues.map((i) => i.line), ...notes] };
    if (fixes.length > 0) outcome.remediation = { powershell: fixes.join('\n'), portal: PORTAL };
    return outcome;
  },
};
