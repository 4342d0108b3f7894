/**
 * One zod schema per exported cmdlet object (STYLE.md habit 7). Only properties mxlock reasons about are
 * listed; everything else is ignored. Keys are matched case-insensitively before validation
 * (`SenderIpRanges` vs `SenderIPRanges`, formats.md §6.2).
 */
import { z } from 'zod';
import { bool, date, enumOf, int, str, strList, stripAddressSpace, typeNameList } from './fields.js';

const lower = (s: string) => s.toLowerCase();

// .NET enum values confirmed from Exchange's own definitions (Microsoft.Exchange.Data.TenantConnectorType,
// AcceptedDomainType, Rules.Tasks.FromUserScope). Enums whose integer values are not confirmed (RuleState, RuleMode,
// policy actions) map no integers: an integer there becomes `#n` and the checks that need it say `unknown`.
const CONNECTOR_TYPES = ['OnPremises', 'Partner'] as const;
const DOMAIN_TYPES = ['Authoritative', 'ExternalRelay', 'InternalRelay'] as const;
const FROM_SCOPES = ['InOrganization', 'NotInOrganization'] as const;
const RULE_STATES = ['Enabled', 'Disabled'] as const;
const RULE_MODES = ['Enforce', 'Audit', 'AuditAndNotify'] as const;
const SENDER_LOCATIONS = ['Header', 'Envelope', 'HeaderOrEnvelope'] as const;
/** Actions Set-HostedContentFilterPolicy documents (eop-model §6.4 [D] S32). */
export const SPAM_ACTIONS = [
  'MoveToJmf',
  'AddXHeader',
  'ModifySubject',
  'Quarantine',
  'Redirect',
  'Delete',
  'NoAction',
] as const;
export const PHISH_ACTIONS = [
  'MoveToJmf',
  'Quarantine',
  'Reject',
  'Delete',
  'NoAction',
  'Redirect',
  'BccMessage',
] as const;

const named = {
  Name: str(),
  Identity: str(),
};

export const OrganizationConfigSchema = z.object({
  ...named,
  RejectDirectSend: bool(),
  AuditDisabled: bool(),
});

export const AcceptedDomainSchema = z.object({
  ...named,
  DomainName: str().transform((s) => s?.toLowerCase()),
  DomainType: enumOf(DOMAIN_TYPES, { 0: 'Authoritative', 1: 'ExternalRelay', 2: 'InternalRelay' }),
  Default: bool(),
  InitialDomain: bool(),
  MatchSubDomains: bool(),
  IsCoexistenceDomain: bool(),
});

export const InboundConnectorSchema = z.object({
  ...named,
  Enabled: bool(),
  ConnectorType: enumOf(CONNECTOR_TYPES, { 1: 'OnPremises', 2: 'Partner' }),
  ConnectorSource: str(),
  SenderDomains: strList(stripAddressSpace),
  SenderIPAddresses: strList(),
  TlsSenderCertificateName: str().transform((s) =>
    s === undefined || s.trim() === '' ? undefined : s.trim().toLowerCase(),
  ),
  RequireTls: bool(),
  RestrictDomainsToIPAddresses: bool(),
  RestrictDomainsToCertificate: bool(),
  AssociatedAcceptedDomains: strList(lower),
  CloudServicesMailEnabled: bool(),
  TreatMessagesAsInternal: bool(),
  TrustedOrganizations: strList(lower),
  EFSkipIPs: strList(),
  EFSkipLastIP: bool(),
  EFUsers: strList(lower),
  EFTestMode: bool(),
  WhenChangedUTC: date(),
});

export const OutboundConnectorSchema = z.object({
  ...named,
  Enabled: bool(),
  ConnectorType: enumOf(CONNECTOR_TYPES, { 1: 'OnPremises', 2: 'Partner' }),
  SmartHosts: strList(lower),
  RecipientDomains: strList(stripAddressSpace),
  UseMXRecord: bool(),
  IsTransportRuleScoped: bool(),
});

export const TransportRuleSchema = z.object({
  ...named,
  Guid: str(),
  Priority: int(),
  State: enumOf(RULE_STATES),
  Mode: enumOf(RULE_MODES),
  Conditions: typeNameList(),
  Exceptions: typeNameList(),
  Actions: typeNameList(),
  FromScope: enumOf(FROM_SCOPES, { 0: 'InOrganization', 1: 'NotInOrganization' }),
  ExceptIfFromScope: enumOf(FROM_SCOPES, { 0: 'InOrganization', 1: 'NotInOrganization' }),
  SentToScope: str(),
  ExceptIfSentToScope: str(),
  SenderIpRanges: strList(),
  ExceptIfSenderIpRanges: strList(),
  SenderDomainIs: strList(lower),
  ExceptIfSenderDomainIs: strList(lower),
  From: strList(lower),
  ExceptIfFrom: strList(lower),
  FromAddressContainsWords: strList(),
  ExceptIfFromAddressContainsWords: strList(),
  FromAddressMatchesPatterns: strList(),
  ExceptIfFromAddressMatchesPatterns: strList(),
  SenderAddressLocation: enumOf(SENDER_LOCATIONS),
  HeaderMatchesMessageHeader: str(),
  HeaderMatchesPatterns: strList(),
  ExceptIfHeaderMatchesMessageHeader: str(),
  ExceptIfHeaderMatchesPatterns: strList(),
  HeaderContainsMessageHeader: str(),
  HeaderContainsWords: strList(),
  ExceptIfHeaderContainsMessageHeader: str(),
  ExceptIfHeaderContainsWords: strList(),
  MessageTypeMatches: str(),
  ExceptIfMessageTypeMatches: str(),
  RecipientDomainIs: strList(lower),
  ExceptIfRecipientDomainIs: strList(lower),
  SetSCL: int(),
  RejectMessageReasonText: str(),
  RejectMessageEnhancedStatusCode: str(),
  DeleteMessage: bool(),
  Quarantine: bool(),
  StopRuleProcessing: bool(),
  RedirectMessageTo: strList(lower),
  RouteMessageOutboundConnector: str(),
  /** The header a rule writes (one per rule) and its value; rule.filtering-bypass reads the Skip…Processing headers. */
  SetHeaderName: str(),
  SetHeaderValue: str(),
  ActivationDate: date(),
  ExpiryDate: date(),
});

export const ConnectionFilterPolicySchema = z.object({
  ...named,
  IsDefault: bool(),
  IPAllowList: strList(),
  IPBlockList: strList(),
  EnableSafeList: bool(),
});

export const ContentFilterPolicySchema = z.object({
  ...named,
  IsDefault: bool(),
  BulkThreshold: int(),
  SpamAction: enumOf(SPAM_ACTIONS),
  HighConfidenceSpamAction: enumOf(SPAM_ACTIONS),
  PhishSpamAction: enumOf(SPAM_ACTIONS),
  HighConfidencePhishAction: enumOf(SPAM_ACTIONS),
  BulkSpamAction: enumOf(SPAM_ACTIONS),
  AllowedSenders: strList(lower),
  AllowedSenderDomains: strList(lower),
  /** `Standard` / `Strict` for the preset security policies' own copies (managed by Microsoft), else `Custom`. */
  RecommendedPolicyType: str(),
});

export const ContentFilterRuleSchema = z.object({
  ...named,
  HostedContentFilterPolicy: str(),
  State: enumOf(RULE_STATES),
  Priority: int(),
  RecipientDomainIs: strList(lower),
  SentTo: strList(lower),
  SentToMemberOf: strList(lower),
});

export const AntiPhishPolicySchema = z.object({
  ...named,
  IsDefault: bool(),
  Enabled: bool(),
  EnableSpoofIntelligence: bool(),
  HonorDmarcPolicy: bool(),
  AuthenticationFailAction: enumOf(PHISH_ACTIONS),
  DmarcQuarantineAction: enumOf(PHISH_ACTIONS),
  DmarcRejectAction: enumOf(PHISH_ACTIONS),
  EnableUnauthenticatedSender: bool(),
  EnableMailboxIntelligence: bool(),
  EnableMailboxIntelligenceProtection: bool(),
  EnableTargetedUserProtection: bool(),
  TargetedUsersToProtect: strList(),
  TargetedUserProtectionAction: enumOf(PHISH_ACTIONS),
  EnableOrganizationDomainsProtection: bool(),
  /** The action on domain impersonation (own domains and TargetedDomainsToProtect alike), MDO. */
  TargetedDomainProtectionAction: enumOf(PHISH_ACTIONS),
  /** "Trusted senders and domains": exceptions to impersonation protection (MDO). */
  ExcludedSenders: strList(lower),
  ExcludedDomains: strList(lower),
  PhishThresholdLevel: int(),
  /** `Standard` / `Strict` for the preset security policies' own copies (managed by Microsoft), else `Custom`. */
  RecommendedPolicyType: str(),
});

export const AntiPhishRuleSchema = z.object({
  ...named,
  AntiPhishPolicy: str(),
  State: enumOf(RULE_STATES),
  Priority: int(),
  RecipientDomainIs: strList(lower),
  SentTo: strList(lower),
  SentToMemberOf: strList(lower),
});

export const DkimSigningConfigSchema = z.object({
  ...named,
  Domain: str().transform((s) => s?.toLowerCase()),
  Enabled: bool(),
  Status: str(),
  Selector1CNAME: str(),
  Selector2CNAME: str(),
  KeyCreationTime: date(),
});

export const TablSpoofItemSchema = z.object({
  ...named,
  SpoofedUser: str().transform((s) => s?.toLowerCase()),
  SendingInfrastructure: str().transform((s) => s?.toLowerCase()),
  SpoofType: enumOf(['Internal', 'External'] as const),
  Action: enumOf(['Allow', 'Block'] as const),
});

export const AdminAuditLogConfigSchema = z.object({
  ...named,
  UnifiedAuditLogIngestionEnabled: bool(),
  AdminAuditLogEnabled: bool(),
});

/**
 * Get-ArcConfig: the trusted ARC sealers (Set-ArcConfig -ArcTrustedSealers). The cmdlet returns them as one
 * comma-separated string (Learn's Set-ArcConfig example 3 splits it with `.Split(",")`, as ORCA243 does), a list in
 * other outputs: both read as one list of lower-case domains.
 */
export const ArcConfigSchema = z.object({
  ...named,
  ArcTrustedSealers: strList((s) => s.trim().toLowerCase()).transform((list) =>
    list?.flatMap((s) => s.split(',')).flatMap((s) => (s.trim() === '' ? [] : [s.trim()])),
  ),
});

/** Get-TransportConfig: the organisation's transport settings; mxlock reads whether SMTP AUTH client submission is off. */
export const TransportConfigSchema = z.object({
  ...named,
  SmtpClientAuthenticationDisabled: bool(),
});

/**
 * Get-TenantAllowBlockListItems: one entry of the Tenant Allow/Block List. The cmdlet needs -ListType and its objects do
 * not reliably say which list they came from, so the export recipe adds `ListType` to each (src/snapshot/recipe.ts).
 */
export const TablItemSchema = z.object({
  ...named,
  ListType: str(),
  ListSubType: str(),
  Value: str(),
  Action: enumOf(['Allow', 'Block'] as const),
  ExpirationDate: date(),
  LastModifiedDateTime: date(),
  Notes: str(),
});

/**
 * Get-IPv6StatusForAcceptedDomain -Domain <d>: whether Exchange Online accepts mail for the domain over IPv6
 * (`Status`: Enabled/Disabled). The recipe runs it once per accepted domain and adds `Domain` to each result.
 */
export const IPv6StatusSchema = z.object({
  ...named,
  Domain: str().transform((s) => s?.trim().toLowerCase()),
  Status: str(),
});

export type OrganizationConfig = z.output<typeof OrganizationConfigSchema>;
export type AcceptedDomain = z.output<typeof AcceptedDomainSchema>;
export type InboundConnector = z.output<typeof InboundConnectorSchema>;
export type OutboundConnector = z.output<typeof OutboundConnectorSchema>;
export type TransportRule = z.output<typeof TransportRuleSchema>;
export type ConnectionFilterPolicy = z.output<typeof ConnectionFilterPolicySchema>;
export type ContentFilterPolicy = z.output<typeof ContentFilterPolicySchema>;
export type ContentFilterRule = z.output<typeof ContentFilterRuleSchema>;
export type AntiPhishPolicy = z.output<typeof AntiPhishPolicySchema>;
export type AntiPhishRule = z.output<typeof AntiPhishRuleSchema>;
export type DkimSigningConfig = z.output<typeof DkimSigningConfigSchema>;
export type TablSpoofItem = z.output<typeof TablSpoofItemSchema>;
export type AdminAuditLogConfig = z.output<typeof AdminAuditLogConfigSchema>;
export type ArcConfig = z.output<typeof ArcConfigSchema>;
export type TransportConfig = z.output<typeof TransportConfigSchema>;
export type TablItem = z.output<typeof TablItemSchema>;
export type IPv6Status = z.output<typeof IPv6StatusSchema>;

/** The export files of DESIGN §3.1, each with its schema and whether assess requires it. */
export const CMDLETS = {
  'Get-OrganizationConfig': { schema: OrganizationConfigSchema, required: true },
  'Get-AcceptedDomain': { schema: AcceptedDomainSchema, required: true },
  'Get-InboundConnector': { schema: InboundConnectorSchema, required: true },
  'Get-TransportRule': { schema: TransportRuleSchema, required: true },
  'Get-HostedConnectionFilterPolicy': { schema: ConnectionFilterPolicySchema, required: true },
  'Get-HostedContentFilterPolicy': { schema: ContentFilterPolicySchema, required: true },
  'Get-AntiPhishPolicy': { schema: AntiPhishPolicySchema, required: true },
  'Get-DkimSigningConfig': { schema: DkimSigningConfigSchema, required: true },
  'Get-HostedContentFilterRule': { schema: ContentFilterRuleSchema, required: false },
  'Get-AntiPhishRule': { schema: AntiPhishRuleSchema, required: false },
  'Get-TenantAllowBlockListSpoofItems': { schema: TablSpoofItemSchema, required: false },
  'Get-AdminAuditLogConfig': { schema: AdminAuditLogConfigSchema, required: false },
  'Get-OutboundConnector': { schema: OutboundConnectorSchema, required: false },
  'Get-ArcConfig': { schema: ArcConfigSchema, required: false },
  'Get-TransportConfig': { schema: TransportConfigSchema, required: false },
  'Get-TenantAllowBlockListItems': { schema: TablItemSchema, required: false },
  'Get-IPv6StatusForAcceptedDomain': { schema: IPv6StatusSchema, required: false },
} as const;

export type CmdletName = keyof typeof CMDLETS;
export const CMDLET_NAMES = Object.keys(CMDLETS) as CmdletName[];
