/**
 * A Partner connector with RequireTls rejects mail that does not arrive over TLS (eop-model CON-6 [D]); the guide's
 * lock-down sets it so the gateway hop is always encrypted, and a certificate restriction needs TLS anyway.
 */
import type { Check } from '../types.js';
import { connectorName, EAC_CONNECTORS, LEARN, psQuote } from '../util.js';
import { enabledLockdowns, prop } from './connectors.js';
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
  reads: { 'Get-InboundConnector': [...LOCKDOWN_READS, 'RequireTls'] },
  evaluate(ctx) {
    const gate = enabledLockdowns(ctx);
    if (!gate.ok) return gate.outcome;
    const evidence = gate.value.map((c) => prop(c, 'RequireTls'));
    const off = gate.value.filter((c) => c.RequireTls === false);
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
