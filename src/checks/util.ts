/** Helpers shared by checks: connector roles and quoting of tenant-derived names in remediation text. */
import type { InboundConnector, TransportRule } from '../snapshot/schema.js';
import type { CheckContext } from './types.js';

/** Single-quoted PowerShell literal: the only escape inside '…' is doubling the quote (incl. typographic quotes). */
export function psQuote(value: string): string {
  return `'${value.replace(/['\u2018\u2019\u201A\u201B]/g, (q) => q + q)}'`;
}

export function connectorName(c: InboundConnector): string {
  return c.Name ?? c.Identity ?? '(unnamed connector)';
}

export function ruleName(r: TransportRule): string {
  return r.Name ?? r.Identity ?? '(unnamed rule)';
}

export const isPartner = (c: InboundConnector) => c.ConnectorType === 'Partner';
export const isOnPremises = (c: InboundConnector) => c.ConnectorType === 'OnPremises';

/** Partner connector with RestrictDomainsToIPAddresses or RestrictDomainsToCertificate (eop-model CON-5 [D]); enabled or not. */
export function isRestricting(c: InboundConnector): boolean {
  return isPartner(c) && (c.RestrictDomainsToIPAddresses === true || c.RestrictDomainsToCertificate === true);
}

/** A restricting connector whose SenderDomains cover every sender (`*`): the SEG lock-down role (field-notes 3). */
export function isLockdown(c: InboundConnector): boolean {
  return isRestricting(c) && (c.SenderDomains ?? []).includes('*');
}

/** Enabled lock-down connectors. `Enabled` absent counts as unknown, so it is not included here. */
export function activeLockdowns(ctx: CheckContext): InboundConnector[] {
  return (ctx.tenant.inboundConnectors ?? []).filter((c) => isLockdown(c) && c.Enabled === true);
}

/** Own domains that send mail: accepted domains minus the `*.mail.onmicrosoft.com` coexistence domain. */
export function ownDomains(ctx: CheckContext): string[] {
  return ctx.tenant.domainNames.filter((d) => !d.endsWith('.mail.onmicrosoft.com'));
}
