/**
 * A Partner connector with RequireTls rejects mail that does not arrive over TLS (eop-model CON-6 [D]); the guide's
 * lock-down sets it so the gateway hop is always encrypted, and a certificate restriction needs TLS anyway.
 */
import type { Check } from '../types.js';
import { connectorName, EAC_CONNECTORS, LEARN, psQuote } from '../util.js';
import { sourcesOnIpLockdown } from '../../model/admission.js';
import { connectorLabel, enabledLockdowns, prop } from './connectors.js';
import { LOCKDOWN_READS } from './connectors.js';

const PORTAL = `${EAC_CONNECTORS} → select the lock-down connector → Edit security restrictions → Reject email messages if they aren't sent over TLS`;

export const check: Check = {
  id: 'connector.require-tls',
  requiresGateway: true,
  step: 2,
  title: 'The lock-down connector requires TLS (RequireTls true)',
  severity: 'medium',
  references: [
    'eop-model CON-6 [D]',
    'eop-model §2.2 [D]',
    'hardening-guide step 2',
    LEARN.newInboundConnector,
    LEARN.thirdPartyCloud,
  ],
  remediation: {
    powershell: "Set-InboundConnector -Identity 'From Secure Email Gateway' -RequireTls $true",
    portal: PORTAL,
  },
  reads: { 'Get-InboundConnector': [...LOCKDOWN_READS, 'RequireTls', 'SenderIPAddresses'] },
  evaluate(ctx) {
    const gate = enabledLockdowns(ctx);
    if (!gate.ok) return gate.outcome;
    const evidence = gate.value.map((c) => prop(c, 'RequireTls'));
    const off = gate.value.filter((c) => c.RequireTls === false);
    // A declared source that sends through an IP lock-down is held to its RequireTls (CON-6 [D]): the plan leaves it
    // off then (model/admission.ts sourcesOnIpLockdown, the same decision), and so does this advice.
    const held = off.flatMap((c) =>
      c.RestrictDomainsToCertificate === true
        ? []
        : sourcesOnIpLockdown(c.SenderIPAddresses ?? [], ctx.profile.directSendSources, ctx.gateway.ips).map(
            (src) => ({ c, src }),
          ),
    );
    if (held.length > 0) {
      return {
        status: 'warn',
        evidence: [
          ...evidence,
          ...held.map(
            ({ c, src }) =>
              `declared source '${src.name}' delivers through ${connectorLabel(c)}: with RequireTls $true it must offer STARTTLS or it is refused (CON-6 [D]); move plain-text devices to SMTP AUTH or the gateway first`,
          ),
        ],
        remediation: {
          powershell: [
            '# Once every declared source that delivers through the lock-down offers STARTTLS (or submits with SMTP AUTH):',
            ...[...new Set(held.map(({ c }) => connectorName(c)))].map(
              (n) => `Set-InboundConnector -Identity ${psQuote(n)} -RequireTls $true`,
            ),
          ].join('\n'),
          portal: PORTAL,
        },
      };
    }
    if (off.length > 0) {
      return {
        status: 'fail',
        evidence: [
          ...evidence,
          'the gateway hop may fall back to plain SMTP; a certificate restriction cannot be checked without TLS',
        ],
        remediation: {
          powershell: off
            .map((c) => `Set-InboundConnector -Identity ${psQuote(connectorName(c))} -RequireTls $true`)
            .join('\n'),
          portal: PORTAL,
        },
      };
    }
    if (gate.value.some((c) => c.RequireTls === undefined))
      return { status: 'unknown', evidence: [...evidence, 'RequireTls missing'] };
    return { status: 'pass', evidence };
  },
};
