/**
 * Helpers shared by checks: connector roles, quoting of tenant-derived names in remediation text, evidence
 * formatting, "not exported" outcomes and status merging.
 */
import type { InboundConnector, TransportRule } from '../snapshot/schema.js';
import { enabledLockdowns } from '../model/connectors.js';
import { CHECK_STATUS_ORDER, worstBy } from '../common/order.js';
import type { CheckContext, CheckOutcome } from './types.js';

/** The connector predicates live in the model (one set for checks, planner, admission and inference). */
export { connectorName, isLockdown, isOnPremises, isPartner, isRestricting } from '../model/connectors.js';

/** Single-quoted PowerShell literal (or a `[char]` concatenation for unseen characters): see src/powershell/quote.ts. */
export { psQuote } from '../powershell/quote.js';
import { psComment } from '../powershell/quote.js';

/** Strip what would end a PowerShell comment line, for tenant-derived text placed after `#`. */
export function commentSafe(value: string): string {
  // One rule for every comment mxlock writes (src/powershell/quote.ts): nothing invisible, no `#>`, no directive.
  return psComment(value);
}

export function ruleName(r: TransportRule): string {
  return r.Name ?? r.Identity ?? '(unnamed rule)';
}

/** Enabled lock-down connectors of the tenant (model/connectors.ts enabledLockdowns). */
export function activeLockdowns(ctx: CheckContext): InboundConnector[] {
  return enabledLockdowns(ctx.tenant.inboundConnectors);
}

/** Own domains that send mail: accepted domains minus the `*.mail.onmicrosoft.com` coexistence domain. */
export function ownDomains(ctx: CheckContext): string[] {
  return ctx.tenant.domainNames.filter((d) => !d.endsWith('.mail.onmicrosoft.com'));
}

export const EAC_CONNECTORS =
  'Exchange admin center (https://admin.exchange.microsoft.com) → Mail flow → Connectors';
export const EAC_RULES = 'Exchange admin center (https://admin.exchange.microsoft.com) → Mail flow → Rules';

export const LEARN = {
  setOrganizationConfig:
    'https://learn.microsoft.com/powershell/module/exchangepowershell/set-organizationconfig',
  newInboundConnector:
    'https://learn.microsoft.com/powershell/module/exchangepowershell/new-inboundconnector',
  thirdPartyCloud:
    'https://learn.microsoft.com/exchange/mail-flow-best-practices/manage-mail-flow-using-third-party-cloud',
  useConnectors:
    'https://learn.microsoft.com/exchange/mail-flow-best-practices/use-connectors-to-configure-mail-flow/use-connectors-to-configure-mail-flow',
  inboundConnectorFaq:
    'https://learn.microsoft.com/exchange/mail-flow-best-practices/use-connectors-to-configure-mail-flow/inbound-connector-faq',
  newTransportRule: 'https://learn.microsoft.com/powershell/module/exchangepowershell/new-transportrule',
  mailFlowRules:
    'https://learn.microsoft.com/exchange/security-and-compliance/mail-flow-rules/mail-flow-rules',
  policyPrecedence:
    'https://learn.microsoft.com/defender-office-365/how-policies-and-protections-are-combined',
  antiPhishTuning: 'https://learn.microsoft.com/defender-office-365/anti-phishing-protection-tuning',
  enhancedFiltering:
    'https://learn.microsoft.com/exchange/mail-flow-best-practices/use-connectors-to-configure-mail-flow/enhanced-filtering-for-connectors',
  directSendBlog:
    'https://techcommunity.microsoft.com/blog/exchange/introducing-more-control-over-direct-send-in-exchange-online/4408790',
  devices:
    'https://learn.microsoft.com/exchange/mail-flow-best-practices/how-to-set-up-a-multifunction-device-or-application-to-send-email-using-microsoft-365-or-office-365',
} as const;

/** `<Cmdlet>.json was not exported`: worded once, in snapshot/partial.ts, for the checks and the DNS inventory. */
export { notExported } from '../snapshot/partial.js';

/** A property value as evidence shows it: lists in brackets, strings quoted, absent as "(not exported)". */
export function show(value: unknown): string {
  if (value === undefined) return '(not exported)';
  if (Array.isArray(value)) return value.length === 0 ? '[] (empty)' : `[${value.map(String).join(', ')}]`;
  if (typeof value === 'string') return `'${value}'`;
  return String(value);
}

/** An enum value the reader could not map (`#3`) is as good as absent. */
export function isUnmappedEnum(value: string | undefined): boolean {
  return value === undefined || value.startsWith('#');
}

/**
 * The most serious status of several partial verdicts, for every check (step-4 notes map onto it in step4/shared.ts),
 * in CHECK_STATUS_ORDER; `empty` (default `pass`) for no statuses at all. DNS verdicts merge in another order
 * (DNS_STATUS_ORDER, `info` below `pass`): both live in common/order.ts.
 */
export const worst = worstBy(CHECK_STATUS_ORDER, 'pass');

/** Either the data a check needs, or the outcome to return because it cannot be had. */
export type Gate<T> = { ok: true; value: T } | { ok: false; outcome: CheckOutcome };
