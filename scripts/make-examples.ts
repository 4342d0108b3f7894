/**
 * Generates the three bundled example tenants under `examples/` (DESIGN §3.1 export folders plus `mxlock.yaml`):
 * `wide-open` (contoso, Mimecast), `half-done` (fabrikam, Proofpoint) and `hardened` (northwind, Cisco Secure Email).
 *
 * Each folder mixes the serialisers real exports come from (eop-model §8, formats.md §6), so that
 * `mxlock assess examples/<name>` exercises the reader's quirk handling as well as the checks:
 * - Windows PowerShell 5.1 `ConvertTo-Json | Out-File`: UTF-16LE with BOM (or UTF-8 with BOM for `-Encoding utf8`),
 *   the column-aligned 5.1 layout with `":  "`, `\/Date(ms)\/` dates, `\u0027`-style escapes, enums as integers
 *   where their .NET values are confirmed (others stay strings, see src/snapshot/schema.ts), one object unwrapped
 *   when the cmdlet returned one, and the `{"value":[…],"Count":n}` wrapper (PowerShell/PowerShell#5579);
 * - PowerShell 7 `ConvertTo-Json -EnumsAsStrings`: UTF-8 without BOM, ISO dates (local offset on WhenChanged);
 * - the Exchange admin REST API (`InvokeCommand`): an OData page with `@odata.context`, `@odata.type`/`@data.type`
 *   annotations and ISO dates with 7 fractional digits.
 * Only documentation address ranges (RFC 5737) and fictional domains appear.
 *
 * Run `npx tsx scripts/make-examples.ts` after editing; test/examples/examples-load.test.ts fails when the files
 * under examples/ differ from what this script produces.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// ---------------------------------------------------------------------------------------------------------------
// Values and the three serialisers

/** A DateTime property; `iso` is UTC with 7 fractional digits (the .NET tick precision). */
class When {
  constructor(readonly iso: string) {
    if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/.test(iso)) throw new Error(`bad date ${iso}`);
  }
  get ms(): number {
    return Date.parse(this.iso);
  }
}

/** An enum whose .NET integer value is confirmed: Windows PowerShell 5.1 writes `value`, the others write `name`. */
class DotNetEnum {
  constructor(
    readonly name: string,
    readonly value: number,
  ) {}
}

/** System.Version (RuleVersion): an object under ConvertTo-Json, its ToString() over REST. */
class DotNetVersion {
  constructor(readonly parts: readonly [number, number, number, number]) {}
}

type Value = null | boolean | number | string | When | DotNetEnum | DotNetVersion | readonly Value[] | Obj;
interface Obj {
  readonly [key: string]: Value;
}

const at = (iso: string) => new When(iso);
const partner = new DotNetEnum('Partner', 2); // TenantConnectorType.Partner
const authoritative = new DotNetEnum('Authoritative', 0); // AcceptedDomainType.Authoritative
const notInOrganization = new DotNetEnum('NotInOrganization', 1); // FromUserScope.NotInOrganization

const pad = (n: number) => ' '.repeat(n);

/** JavaScriptSerializer escapes HTML-sensitive characters as \uXXXX (Windows PowerShell 5.1). */
function ps51String(s: string): string {
  return JSON.stringify(s).replace(/[<>&']/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Windows PowerShell 5.1 layout: four-space steps measured from the column of the opening bracket, `":  "` after
 * each key, and an empty line inside empty arrays and objects.
 */
function ps51(v: Value, column: number, nl: string): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean' || typeof v === 'number') return String(v);
  if (typeof v === 'string') return ps51String(v);
  if (v instanceof When) return `"\\/Date(${v.ms})\\/"`;
  if (v instanceof DotNetEnum) return String(v.value);
  if (v instanceof DotNetVersion) {
    const [Major, Minor, Build, Revision] = v.parts;
    return ps51({ Major, Minor, Build, Revision, MajorRevision: 0, MinorRevision: Revision }, column, nl);
  }
  if (isList(v)) {
    if (v.length === 0) return `[${nl}${nl}${pad(column)}]`;
    const items = v.map((item) => pad(column + 4) + ps51(item, column + 4, nl));
    return `[${nl}${items.join(`,${nl}`)}${nl}${pad(column)}]`;
  }
  const entries = Object.entries(v);
  if (entries.length === 0) return `{${nl}${nl}${pad(column)}}`;
  const lines = entries.map(([k, x]) => {
    const key = `${ps51String(k)}:  `;
    return pad(column + 4) + key + ps51(x, column + 4 + key.length, nl);
  });
  return `{${nl}${lines.join(`,${nl}`)}${nl}${pad(column)}}`;
}

function isList(v: Value): v is readonly Value[] {
  return Array.isArray(v);
}

/** Minutes east of UTC in `timeZone` at instant `ms` (DST included), from the ICU data Node ships with. */
function utcOffsetMinutes(timeZone: string, ms: number): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(ms));
  const part = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(
    part('year'),
    part('month') - 1,
    part('day'),
    part('hour'),
    part('minute'),
    part('second'),
  );
  return Math.round((wall - Math.floor(ms / 1000) * 1000) / 60_000);
}

/** Newtonsoft's round-trip format: trailing zeros of the fraction trimmed (`.FFFFFFF`), `Z` or the local offset. */
function isoNewtonsoft(when: When, timeZone: string, utcKind: boolean): string {
  const offset = utcKind ? 0 : utcOffsetMinutes(timeZone, when.ms);
  const wall = new Date(when.ms + offset * 60_000).toISOString().slice(0, 19);
  const fraction = when.iso.slice(20, 27).replace(/0+$/, '');
  const frac = fraction ? `.${fraction}` : '';
  if (utcKind) return `${wall}${frac}Z`;
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return `${wall}${frac}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/**
 * Newtonsoft writes a DateTime of kind Local with its offset and one of kind Utc with `Z`; in these examples
 * WhenChanged/WhenCreated carry the exporting machine's local time and every other DateTime is UTC.
 */
const LOCAL_TIME_KEYS = new Set(['WhenChanged', 'WhenCreated']);

/** PowerShell 7 `ConvertTo-Json -EnumsAsStrings` (Newtonsoft, Indented): two-space steps, `[]` when empty. */
function ps7(v: Value, indent: number, nl: string, timeZone: string, key = ''): string {
  if (v === null || typeof v === 'boolean' || typeof v === 'number' || typeof v === 'string')
    return JSON.stringify(v);
  if (v instanceof When) return JSON.stringify(isoNewtonsoft(v, timeZone, !LOCAL_TIME_KEYS.has(key)));
  if (v instanceof DotNetEnum) return JSON.stringify(v.name);
  if (v instanceof DotNetVersion) {
    const [Major, Minor, Build, Revision] = v.parts;
    return ps7(
      { Major, Minor, Build, Revision, MajorRevision: 0, MinorRevision: Revision },
      indent,
      nl,
      timeZone,
    );
  }
  if (isList(v)) {
    if (v.length === 0) return '[]';
    const items = v.map((item) => pad(indent + 2) + ps7(item, indent + 2, nl, timeZone));
    return `[${nl}${items.join(`,${nl}`)}${nl}${pad(indent)}]`;
  }
  const entries = Object.entries(v);
  if (entries.length === 0) return '{}';
  const lines = entries.map(
    ([k, x]) => `${pad(indent + 2)}${JSON.stringify(k)}: ${ps7(x, indent + 2, nl, timeZone, k)}`,
  );
  return `{${nl}${lines.join(`,${nl}`)}${nl}${pad(indent)}}`;
}

const GUID_KEYS = new Set([
  'Guid',
  'ExchangeObjectId',
  'ImmutableId',
  'DlpPolicyId',
  'LinkForModifiedConnector',
]);

/** One object as the admin REST API returns it (formats.md §1.4): type annotations before typed properties. */
function restObject(o: Obj): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    if (isList(v)) {
      out[`${k}@odata.type`] = '#Collection(String)';
      out[k] = v.map((x) => restScalar(x));
    } else if (v instanceof When) {
      out[`${k}@data.type`] = 'System.DateTime';
      out[k] = restScalar(v, k);
    } else if (typeof v === 'number' && Number.isInteger(v)) {
      out[`${k}@data.type`] = 'System.Int32';
      out[`${k}@odata.type`] = '#Int32';
      out[k] = v;
    } else if (typeof v === 'string' && GUID_KEYS.has(k)) {
      out[`${k}@data.type`] = 'System.Guid';
      out[`${k}@odata.type`] = '#Guid';
      out[k] = v;
    } else {
      out[k] = restScalar(v, k);
    }
  }
  return out;
}

function restScalar(v: Value, key = ''): unknown {
  if (v instanceof When) return LOCAL_TIME_KEYS.has(key) ? v.iso.replace(/Z$/, '+00:00') : v.iso;
  if (v instanceof DotNetEnum) return v.name;
  if (v instanceof DotNetVersion) return v.parts.join('.');
  if (isList(v)) return v.map((x) => restScalar(x));
  if (v !== null && typeof v === 'object') return restObject(v);
  return v;
}

type Style =
  /** `ConvertTo-Json -Depth 6 | Out-File` in Windows PowerShell 5.1: UTF-16LE, or UTF-8 with BOM (`-Encoding utf8`). */
  | { kind: 'ps51'; encoding: 'utf-16le' | 'utf-8-bom'; valueCount?: boolean }
  /** PowerShell 7 `ConvertTo-Json -Depth 6 -EnumsAsStrings | Out-File`; `array` = `-InputObject @(…)`. */
  | { kind: 'ps7'; newline: '\r\n' | '\n'; timeZone: string; array?: boolean }
  /** The body of one `InvokeCommand` response page. */
  | { kind: 'rest' };

const UTF8 = new TextEncoder();

function utf16le(text: string): Uint8Array {
  const out = new Uint8Array(2 + text.length * 2);
  out[0] = 0xff;
  out[1] = 0xfe;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    out[2 + i * 2] = code & 0xff;
    out[3 + i * 2] = code >> 8;
  }
  return out;
}

function serialise(objects: readonly Obj[], style: Style, tenant: Tenant): Uint8Array {
  switch (style.kind) {
    case 'ps51': {
      // Piping unrolls: one object is written bare, several as an array (formats.md §6.2 item 4).
      const top: Value = style.valueCount
        ? { value: objects, Count: objects.length }
        : objects.length === 1 && objects[0]
          ? objects[0]
          : objects;
      const text = ps51(top, 0, '\r\n') + '\r\n';
      if (style.encoding === 'utf-16le') return utf16le(text);
      return new Uint8Array([0xef, 0xbb, 0xbf, ...UTF8.encode(text)]);
    }
    case 'ps7': {
      const top: Value = !style.array && objects.length === 1 && objects[0] ? objects[0] : objects;
      return UTF8.encode(ps7(top, 0, style.newline, style.timeZone) + style.newline);
    }
    case 'rest': {
      const page = {
        '@odata.context': `https://outlook.office365.com/adminapi/beta/${tenant.initial}/$metadata#Collection(Exchange.GenericHashTable)`,
        'adminapi.warnings@odata.type': '#Collection(String)',
        '@adminapi.warnings': [],
        value: objects.map(restObject),
      };
      return UTF8.encode(JSON.stringify(page));
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Object builders: the property sets EXO returns (eop-model §8.1–8.4, formats.md §6.1), defaults first

interface Tenant {
  initial: string;
  displayName: string;
  /** Forest label in DistinguishedName/OrganizationId, e.g. EURPR05A003. */
  forest: string;
  originatingServer: string;
  created: When;
}

/** Stable, random-looking GUIDs: the same seed gives the same GUID on every run. */
function guid(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  const variant = ((parseInt(h[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function organizationId(t: Tenant): string {
  const f = `${t.forest}.PROD.OUTLOOK.COM`;
  return `${f}/Microsoft Exchange Hosted Organizations/${t.initial} - ${f}/ConfigurationUnits/${t.initial}/Configuration`;
}

function dn(t: Tenant, cn: string, containers: string): string {
  return `CN=${cn},${containers},CN=Configuration,CN=${t.initial},CN=ConfigurationUnits,DC=${t.forest},DC=PROD,DC=OUTLOOK,DC=COM`;
}

/** The AD metadata every Exchange configuration object carries. */
function adObject(
  t: Tenant,
  kind: string,
  name: string,
  containers: string,
  version: string,
  created: When,
  changed: When,
): Obj {
  const id = guid(`${t.initial}/${kind}/${name}`);
  return {
    AdminDisplayName: '',
    ExchangeVersion: version,
    Name: name,
    DistinguishedName: dn(t, name, containers),
    Identity: name,
    Id: name,
    WhenChanged: changed,
    WhenCreated: created,
    WhenChangedUTC: changed,
    WhenCreatedUTC: created,
    ExchangeObjectId: id,
    OrganizationId: organizationId(t),
    Guid: id,
    OriginatingServer: t.originatingServer,
    IsValid: true,
    ObjectState: 'Unchanged',
  };
}

function organizationConfig(t: Tenant, changed: When, o: { RejectDirectSend: boolean }): Obj {
  const id = guid(`${t.initial}/org`);
  return {
    DisplayName: t.displayName,
    ActivityBasedAuthenticationTimeoutEnabled: true,
    ActivityBasedAuthenticationTimeoutInterval: '06:00:00',
    ActivityBasedAuthenticationTimeoutWithSingleSignOnEnabled: true,
    AppsForOfficeEnabled: true,
    AsyncSendEnabled: true,
    AuditDisabled: false,
    AutodiscoverPartialDirSync: false,
    AutoExpandingArchiveEnabled: false,
    BookingsEnabled: true,
    BookingsPaymentsEnabled: false,
    BookingsSocialSharingRestricted: false,
    ConnectorsEnabled: true,
    ConnectorsActionableMessagesEnabled: true,
    CustomerLockboxEnabled: false,
    DefaultAuthenticationPolicy: null,
    DefaultPublicFolderAgeLimit: null,
    DefaultPublicFolderDeletedItemRetention: '30.00:00:00',
    DefaultPublicFolderIssueWarningQuota: '1.7 GB (1,825,361,920 bytes)',
    DefaultPublicFolderMaxItemSize: 'Unlimited',
    DefaultPublicFolderMovedItemRetention: '7.00:00:00',
    DefaultPublicFolderProhibitPostQuota: '2 GB (2,147,483,648 bytes)',
    DirectReportsGroupAutoCreationEnabled: false,
    DistributionGroupNameBlockedWordsList: [],
    DistributionGroupNamingPolicy: '',
    ElcProcessingDisabled: false,
    EwsAllowEntourage: null,
    EwsAllowList: null,
    EwsAllowMacOutlook: null,
    EwsAllowOutlook: null,
    EwsApplicationAccessPolicy: null,
    EwsBlockList: null,
    EwsEnabled: null,
    ExchangeNotificationEnabled: true,
    ExchangeNotificationRecipients: [],
    FocusedInboxOn: null,
    HierarchicalAddressBookRoot: null,
    IPListBlocked: [],
    IsDehydrated: false,
    IsMixedMode: false,
    LeanPopoutEnabled: false,
    LinkPreviewEnabled: true,
    MailTipsAllTipsEnabled: true,
    MailTipsExternalRecipientsTipsEnabled: false,
    MailTipsGroupMetricsEnabled: true,
    MailTipsLargeAudienceThreshold: 25,
    MailTipsMailboxSourcedTipsEnabled: true,
    MessageRemindersEnabled: true,
    MobileAppEducationEnabled: true,
    OAuth2ClientProfileEnabled: true,
    OutlookMobileGCCRestrictionsEnabled: false,
    OutlookPayEnabled: true,
    PublicComputersDetectionEnabled: false,
    PublicFoldersEnabled: 'Local',
    PublicFolderShowClientControl: false,
    ReadTrackingEnabled: false,
    RefreshSessionEnabled: false,
    RejectDirectSend: o.RejectDirectSend,
    RemotePublicFolderMailboxes: [],
    SendFromAliasEnabled: false,
    SIPEnabled: true,
    SmtpActionableMessagesEnabled: true,
    UnblockUnsafeSenderPromptEnabled: true,
    VisibleMeetingUpdateProperties: 'Location,AllProperties:15',
    WebPushNotificationsDisabled: false,
    WebSuggestedRepliesDisabled: false,
    AdminDisplayName: '',
    ExchangeVersion: '0.20 (15.0.0.0)',
    Name: t.initial,
    DistinguishedName: `CN=Configuration,CN=${t.initial},CN=ConfigurationUnits,DC=${t.forest},DC=PROD,DC=OUTLOOK,DC=COM`,
    Identity: t.initial,
    Id: t.initial,
    WhenChanged: changed,
    WhenCreated: t.created,
    WhenChangedUTC: changed,
    WhenCreatedUTC: t.created,
    ExchangeObjectId: id,
    OrganizationId: organizationId(t),
    Guid: id,
    OriginatingServer: t.originatingServer,
    IsValid: true,
    ObjectState: 'Unchanged',
  };
}

function acceptedDomain(
  t: Tenant,
  domain: string,
  changed: When,
  o: { Default?: boolean; InitialDomain?: boolean; IsCoexistenceDomain?: boolean } = {},
): Obj {
  return {
    DomainName: domain,
    DomainType: authoritative,
    Default: o.Default ?? false,
    InitialDomain: o.InitialDomain ?? false,
    MatchSubDomains: false,
    AddressBookEnabled: true,
    IsCoexistenceDomain: o.IsCoexistenceDomain ?? false,
    AuthenticationType: 'Managed',
    LiveIdInstanceType: 'Business',
    PendingRemoval: false,
    PendingCompletion: false,
    FederatedOrganizationLink: null,
    MailFlowPartner: null,
    OutboundOnly: false,
    PendingFederatedAccountNamespace: false,
    PendingFederatedDomain: false,
    IsDefaultFederatedDomain: false,
    EnableNego2Authentication: false,
    SendingFromDomainDisabled: false,
    SendingToDomainDisabled: false,
    SmtpDaneStatus: 'Disabled',
    ...adObject(
      t,
      'AcceptedDomain',
      domain,
      'CN=Accepted Domains,CN=Transport Settings',
      '0.10 (14.0.100.0)',
      t.created,
      changed,
    ),
    ObjectCategory: `${t.forest}.PROD.OUTLOOK.COM/Configuration/Schema/ms-Exch-Accepted-Domain`,
    ObjectClass: ['top', 'msExchAcceptedDomain'],
  };
}

interface InboundConnectorSpec {
  Name: string;
  Comment: string;
  SenderDomains: string[];
  SenderIPAddresses: string[];
  RequireTls: boolean;
  RestrictDomainsToIPAddresses?: boolean;
  RestrictDomainsToCertificate?: boolean;
  TlsSenderCertificateName?: string;
  EFSkipIPs?: string[];
  created: When;
  changed: When;
}

function inboundConnector(t: Tenant, s: InboundConnectorSpec): Obj {
  const ad = adObject(
    t,
    'InboundConnector',
    s.Name,
    'CN=Inbound Connectors,CN=Transport Settings',
    '0.1 (8.0.535.0)',
    s.created,
    s.changed,
  );
  return {
    Enabled: true,
    ConnectorType: partner,
    ConnectorSource: 'AdminUI',
    Comment: s.Comment,
    SenderIPAddresses: s.SenderIPAddresses,
    SenderDomains: s.SenderDomains,
    TrustedOrganizations: [],
    ClientHostNames: [],
    AssociatedAcceptedDomains: [],
    RequireTls: s.RequireTls,
    RestrictDomainsToIPAddresses: s.RestrictDomainsToIPAddresses ?? false,
    RestrictDomainsToCertificate: s.RestrictDomainsToCertificate ?? false,
    CloudServicesMailEnabled: false,
    TreatMessagesAsInternal: false,
    TlsSenderCertificateName: s.TlsSenderCertificateName ?? null,
    EFTestMode: false,
    ScanAndDropRecipients: [],
    EFSkipLastIP: false,
    EFSkipIPs: s.EFSkipIPs ?? [],
    EFSkipMailGateway: [],
    EFUsers: [],
    ...ad,
  };
}

function outboundConnector(
  t: Tenant,
  s: {
    Name: string;
    Comment: string;
    SmartHosts: string[];
    TlsDomain: string;
    created: When;
    changed: When;
    validated: When;
  },
): Obj {
  return {
    Enabled: true,
    UseMXRecord: false,
    Comment: s.Comment,
    ConnectorType: partner,
    ConnectorSource: 'AdminUI',
    RecipientDomains: ['*'],
    SmartHosts: s.SmartHosts,
    TlsDomain: s.TlsDomain,
    TlsSettings: 'DomainValidation',
    IsTransportRuleScoped: false,
    RouteAllMessagesViaOnPremises: false,
    CloudServicesMailEnabled: false,
    AllAcceptedDomains: false,
    SenderRewritingEnabled: false,
    TestMode: false,
    LinkForModifiedConnector: '00000000-0000-0000-0000-000000000000',
    ValidationRecipients: [],
    IsValidated: true,
    LastValidationTimestamp: s.validated,
    ...adObject(
      t,
      'OutboundConnector',
      s.Name,
      'CN=Outbound Connectors,CN=Transport Settings',
      '0.1 (8.0.535.0)',
      s.created,
      s.changed,
    ),
  };
}

const PREDICATE = (name: string) => `Microsoft.Exchange.MessagingPolicies.Rules.Tasks.${name}`;

/** Condition properties of Get-TransportRule, each with an ExceptIf twin; unset ones are null (formats.md §6.1). */
// prettier-ignore
const RULE_PREDICATES = [
  'From', 'FromMemberOf', 'FromScope', 'SentTo', 'SentToMemberOf', 'SentToScope', 'BetweenMemberOf1',
  'BetweenMemberOf2', 'ManagerAddresses', 'ManagerForEvaluatedUser', 'SenderManagementRelationship',
  'ADComparisonAttribute', 'ADComparisonOperator', 'SenderADAttributeContainsWords',
  'SenderADAttributeMatchesPatterns', 'RecipientADAttributeContainsWords',
  'RecipientADAttributeMatchesPatterns', 'AnyOfToHeader', 'AnyOfToHeaderMemberOf', 'AnyOfCcHeader',
  'AnyOfCcHeaderMemberOf', 'AnyOfToCcHeader', 'AnyOfToCcHeaderMemberOf', 'HasClassification',
  'HasNoClassification', 'SubjectContainsWords', 'SubjectOrBodyContainsWords', 'HeaderContainsMessageHeader',
  'HeaderContainsWords', 'FromAddressContainsWords', 'SenderDomainIs', 'RecipientDomainIs',
  'SubjectMatchesPatterns', 'SubjectOrBodyMatchesPatterns', 'HeaderMatchesMessageHeader',
  'HeaderMatchesPatterns', 'FromAddressMatchesPatterns', 'AttachmentNameMatchesPatterns',
  'AttachmentExtensionMatchesWords', 'AttachmentPropertyContainsWords', 'ContentCharacterSetContainsWords',
  'SCLOver', 'AttachmentSizeOver', 'MessageSizeOver', 'WithImportance', 'MessageTypeMatches',
  'RecipientAddressContainsWords', 'RecipientAddressMatchesPatterns', 'SenderInRecipientList',
  'RecipientInSenderList', 'AttachmentContainsWords', 'AttachmentMatchesPatterns',
  'AnyOfRecipientAddressContainsWords', 'AnyOfRecipientAddressMatchesPatterns',
  'MessageContainsDataClassifications', 'SenderIpRanges',
] as const;
// prettier-ignore
const RULE_FLAGS = [
  'HasSenderOverride', 'AttachmentIsUnsupported', 'AttachmentProcessingLimitExceeded',
  'AttachmentHasExecutableContent', 'AttachmentIsPasswordProtected',
] as const;
// prettier-ignore
const RULE_ACTIONS = [
  'PrependSubject', 'SetAuditSeverity', 'ApplyClassification', 'ApplyHtmlDisclaimerLocation',
  'ApplyHtmlDisclaimerText', 'ApplyHtmlDisclaimerFallbackAction', 'ApplyRightsProtectionTemplate',
  'ApplyRightsProtectionCustomizationTemplate', 'SetSCL', 'SetHeaderName', 'SetHeaderValue', 'RemoveHeader',
  'AddToRecipients', 'CopyTo', 'BlindCopyTo', 'AddManagerAsRecipientType', 'ModerateMessageByUser',
  'RedirectMessageTo', 'RejectMessageEnhancedStatusCode', 'RejectMessageReasonText',
  'SmtpRejectMessageRejectText', 'SmtpRejectMessageRejectStatusCode', 'LogEventText', 'SenderNotificationType',
  'GenerateIncidentReport', 'IncidentReportContent', 'RouteMessageOutboundConnector', 'GenerateNotification',
] as const;
// prettier-ignore
const RULE_ACTION_FLAGS = [
  'ModerateMessageByManager', 'DeleteMessage', 'Disconnect', 'Quarantine', 'StopRuleProcessing',
  'RouteMessageOutboundRequireTls', 'ApplyOME', 'RemoveOME', 'RemoveOMEv2', 'RemoveRMSAttachmentEncryption',
] as const;

interface RuleSpec {
  Name: string;
  Priority: number;
  State: 'Enabled' | 'Disabled';
  /** Strings in every serialiser: the integer values of RuleMode/RuleState are not confirmed (src/snapshot/schema.ts). */
  Mode: 'Enforce' | 'Audit' | 'AuditAndNotify';
  Comments: string | null;
  Description: string;
  Conditions: string[];
  Exceptions: string[] | null;
  Actions: string[];
  set: Obj;
  changed: When;
}

function transportRule(t: Tenant, s: RuleSpec): Obj {
  const id = guid(`${t.initial}/TransportRule/${s.Name}`);
  const conditions: Record<string, Value> = {};
  for (const p of RULE_PREDICATES) conditions[p] = null;
  for (const p of RULE_FLAGS) conditions[p] = false;
  for (const p of RULE_PREDICATES) conditions[`ExceptIf${p}`] = null;
  for (const p of RULE_FLAGS) conditions[`ExceptIf${p}`] = false;
  const actions: Record<string, Value> = {};
  for (const a of RULE_ACTIONS) actions[a] = null;
  for (const a of RULE_ACTION_FLAGS) actions[a] = false;
  for (const [k, v] of Object.entries(s.set)) {
    if (k in conditions) conditions[k] = v;
    else if (k in actions) actions[k] = v;
    else throw new Error(`transport rule ${s.Name}: ${k} is not a rule property`);
  }
  return {
    Priority: s.Priority,
    DlpPolicy: '',
    DlpPolicyId: '00000000-0000-0000-0000-000000000000',
    Comments: s.Comments,
    ManuallyModified: false,
    ActivationDate: null,
    ExpiryDate: null,
    Description: s.Description,
    RuleVersion: new DotNetVersion([15, 0, 5, 2]),
    Conditions: s.Conditions,
    Exceptions: s.Exceptions,
    Actions: s.Actions,
    State: s.State,
    Mode: s.Mode,
    RuleErrorAction: 'Ignore',
    SenderAddressLocation: 'Header',
    RuleSubType: 'None',
    UseLegacyRegex: false,
    ...conditions,
    ...actions,
    ImmutableId: guid(`${t.initial}/TransportRule/${s.Name}/immutable`),
    Identity: s.Name,
    Name: s.Name,
    DistinguishedName: dn(t, s.Name, 'CN=TransportVersioned,CN=Rules,CN=Transport Settings'),
    Guid: id,
    OrganizationId: organizationId(t),
    IsValid: true,
    WhenChanged: s.changed,
    ExchangeVersion: '0.12 (14.0.451.0)',
    ObjectState: 'Unchanged',
  };
}

function connectionFilterPolicy(
  t: Tenant,
  changed: When,
  o: { IPAllowList: string[]; EnableSafeList: boolean },
): Obj {
  return {
    IsDefault: true,
    IPAllowList: o.IPAllowList,
    IPBlockList: [],
    EnableSafeList: o.EnableSafeList,
    DirectoryBasedEdgeBlockMode: 'Default',
    ...adObject(
      t,
      'HostedConnectionFilterPolicy',
      'Default',
      'CN=Hosted Connection Filter,CN=Transport Settings',
      '0.20 (15.0.0.0)',
      t.created,
      changed,
    ),
  };
}

interface ContentFilterSpec {
  BulkThreshold: number;
  SpamAction: string;
  HighConfidenceSpamAction: string;
  PhishSpamAction: string;
  HighConfidencePhishAction: string;
  BulkSpamAction: string;
  AllowedSenderDomains: string[];
  changed: When;
}

function contentFilterPolicy(t: Tenant, s: ContentFilterSpec): Obj {
  return {
    IsDefault: true,
    AddXHeaderValue: '',
    ModifySubjectValue: '',
    RedirectToRecipients: [],
    TestModeBccToRecipients: [],
    FalsePositiveAdditionalRecipients: [],
    QuarantineRetentionPeriod: 30,
    EndUserSpamNotificationFrequency: 3,
    TestModeAction: 'None',
    IncreaseScoreWithImageLinks: 'Off',
    IncreaseScoreWithNumericIps: 'Off',
    IncreaseScoreWithRedirectToOtherPort: 'Off',
    IncreaseScoreWithBizOrInfoUrls: 'Off',
    MarkAsSpamEmptyMessages: 'Off',
    MarkAsSpamJavaScriptInHtml: 'Off',
    MarkAsSpamFramesInHtml: 'Off',
    MarkAsSpamObjectTagsInHtml: 'Off',
    MarkAsSpamEmbedTagsInHtml: 'Off',
    MarkAsSpamFormTagsInHtml: 'Off',
    MarkAsSpamWebBugsInHtml: 'Off',
    MarkAsSpamSensitiveWordList: 'Off',
    MarkAsSpamSpfRecordHardFail: 'Off',
    MarkAsSpamFromAddressAuthFail: 'Off',
    MarkAsSpamBulkMail: 'On',
    MarkAsSpamNdrBackscatter: 'Off',
    IntraOrgFilterState: 'Default',
    LanguageBlockList: [],
    RegionBlockList: [],
    EnableLanguageBlockList: false,
    EnableRegionBlockList: false,
    EnableEndUserSpamNotifications: false,
    DownloadLink: false,
    InlineSafetyTipsEnabled: true,
    SpamZapEnabled: true,
    PhishZapEnabled: true,
    BulkThreshold: s.BulkThreshold,
    SpamAction: s.SpamAction,
    HighConfidenceSpamAction: s.HighConfidenceSpamAction,
    PhishSpamAction: s.PhishSpamAction,
    HighConfidencePhishAction: s.HighConfidencePhishAction,
    BulkSpamAction: s.BulkSpamAction,
    SpamQuarantineTag: 'DefaultFullAccessPolicy',
    HighConfidenceSpamQuarantineTag: 'DefaultFullAccessPolicy',
    PhishQuarantineTag: 'DefaultFullAccessPolicy',
    HighConfidencePhishQuarantineTag: 'AdminOnlyAccessPolicy',
    BulkQuarantineTag: 'DefaultFullAccessPolicy',
    AllowedSenders: [],
    AllowedSenderDomains: s.AllowedSenderDomains,
    BlockedSenders: [],
    BlockedSenderDomains: [],
    RecommendedPolicyType: 'Custom',
    ...adObject(
      t,
      'HostedContentFilterPolicy',
      'Default',
      'CN=Hosted Content Filter,CN=Transport Settings',
      '0.20 (15.0.0.0)',
      t.created,
      s.changed,
    ),
  };
}

interface AntiPhishSpec {
  EnableSpoofIntelligence: boolean;
  HonorDmarcPolicy: boolean;
  AuthenticationFailAction: string;
  DmarcQuarantineAction: string;
  DmarcRejectAction: string;
  EnableMailboxIntelligence: boolean;
  EnableMailboxIntelligenceProtection: boolean;
  MailboxIntelligenceProtectionAction: string;
  EnableTargetedUserProtection: boolean;
  TargetedUsersToProtect: string[];
  TargetedUserProtectionAction: string;
  EnableOrganizationDomainsProtection: boolean;
  /** The action on domain impersonation; the service default is NoAction. */
  TargetedDomainProtectionAction?: string;
  ImpersonationProtectionState: string;
  PhishThresholdLevel: number;
  changed: When;
}

function antiPhishPolicy(t: Tenant, s: AntiPhishSpec): Obj {
  const { changed, ...settings } = s;
  return {
    IsDefault: true,
    Enabled: true,
    ImpersonationProtectionState: settings.ImpersonationProtectionState,
    EnableTargetedUserProtection: settings.EnableTargetedUserProtection,
    EnableMailboxIntelligenceProtection: settings.EnableMailboxIntelligenceProtection,
    EnableTargetedDomainsProtection: false,
    EnableOrganizationDomainsProtection: settings.EnableOrganizationDomainsProtection,
    EnableMailboxIntelligence: settings.EnableMailboxIntelligence,
    EnableFirstContactSafetyTips: false,
    EnableSimilarUsersSafetyTips: settings.EnableTargetedUserProtection,
    EnableSimilarDomainsSafetyTips: settings.EnableOrganizationDomainsProtection,
    EnableUnusualCharactersSafetyTips: settings.EnableTargetedUserProtection,
    TargetedUsersToProtect: settings.TargetedUsersToProtect,
    TargetedUserProtectionAction: settings.TargetedUserProtectionAction,
    TargetedUserActionRecipients: [],
    MailboxIntelligenceProtectionAction: settings.MailboxIntelligenceProtectionAction,
    MailboxIntelligenceProtectionActionRecipients: [],
    TargetedDomainsToProtect: [],
    TargetedDomainProtectionAction: settings.TargetedDomainProtectionAction ?? 'NoAction',
    TargetedDomainActionRecipients: [],
    ExcludedDomains: [],
    ExcludedSenders: [],
    EnableSpoofIntelligence: settings.EnableSpoofIntelligence,
    EnableUnauthenticatedSender: true,
    EnableViaTag: true,
    AuthenticationFailAction: settings.AuthenticationFailAction,
    SpoofQuarantineTag: 'DefaultFullAccessPolicy',
    HonorDmarcPolicy: settings.HonorDmarcPolicy,
    DmarcRejectAction: settings.DmarcRejectAction,
    DmarcQuarantineAction: settings.DmarcQuarantineAction,
    EnableSuspiciousSafetyTip: false,
    TargetedUserQuarantineTag: 'DefaultFullAccessPolicy',
    MailboxIntelligenceQuarantineTag: 'DefaultFullAccessPolicy',
    TargetedDomainQuarantineTag: 'DefaultFullAccessPolicy',
    PhishThresholdLevel: settings.PhishThresholdLevel,
    RecommendedPolicyType: 'Custom',
    ...adObject(
      t,
      'AntiPhishPolicy',
      'Office365 AntiPhish Default',
      'CN=AntiPhish,CN=Transport Settings',
      '0.20 (15.0.0.0)',
      t.created,
      changed,
    ),
  };
}

/** `v=DKIM1; k=rsa; p=…;` as Get-DkimSigningConfig shows it (formats.md §5.3). */
const dkimKey = (spki: string) => `v=DKIM1; k=rsa; p=${spki};`;

interface DkimSpec {
  domain: string;
  Enabled: boolean;
  Status: string;
  Selector1CNAME: string;
  Selector2CNAME: string;
  keys: readonly [string, string];
  created: When;
  changed: When;
  checked: When;
}

function dkimSigningConfig(t: Tenant, s: DkimSpec): Obj {
  return {
    Domain: s.domain,
    Enabled: s.Enabled,
    Status: s.Status,
    Selector1CNAME: s.Selector1CNAME,
    Selector2CNAME: s.Selector2CNAME,
    Selector1KeySize: 2048,
    Selector2KeySize: 2048,
    Selector1PublicKey: dkimKey(s.keys[0]),
    Selector2PublicKey: dkimKey(s.keys[1]),
    HeaderCanonicalization: 'Relaxed',
    BodyCanonicalization: 'Relaxed',
    Algorithm: 'RsaSHA256',
    NumberOfBytesToSign: 'AllBody',
    IncludeKeyExpiration: false,
    IncludeSignatureCreationTime: true,
    KeyCreationTime: s.created,
    LastChecked: s.checked,
    RotateOnDate: s.created,
    SelectorBeforeRotateOnDate: 'selector2',
    SelectorAfterRotateOnDate: 'selector1',
    IsDefault: s.domain.endsWith('.onmicrosoft.com'),
    ...adObject(
      t,
      'DkimSigningConfig',
      s.domain,
      'CN=Dkim Signing Config,CN=Transport Settings',
      '0.20 (15.0.0.0)',
      s.created,
      s.changed,
    ),
  };
}

function adminAuditLogConfig(t: Tenant, changed: When, firstOptIn: When | null): Obj {
  return {
    AdminAuditLogEnabled: true,
    LogLevel: 'None',
    TestCmdletLoggingEnabled: false,
    AdminAuditLogCmdlets: ['*'],
    AdminAuditLogParameters: ['*'],
    AdminAuditLogExcludedCmdlets: [],
    AdminAuditLogAgeLimit: '90.00:00:00',
    LoadBalancerCount: 3,
    RefreshInterval: 10,
    PartitionInfo: null,
    UnifiedAuditLogIngestionEnabled: firstOptIn !== null,
    UnifiedAuditLogFirstOptInDate: firstOptIn,
    ...adObject(
      t,
      'AdminAuditLogConfig',
      'Admin Audit Log Settings',
      'CN=Global Settings',
      '0.10 (14.0.100.0)',
      t.created,
      changed,
    ),
  };
}

/**
 * The exports added for the 2025–2026 checks (issue 13): the trusted ARC sealers, the transport config (SMTP AUTH),
 * the Tenant Allow/Block List's sender and IP entries (tagged with the list type, as the recipe does) and the IPv6
 * status of each accepted domain (tagged with the domain; IPv6 inbound is on by default since October 2024, MC835648).
 */
function arcConfig(t: Tenant, sealers: string): Obj {
  return {
    ArcTrustedSealers: sealers,
    ...adObject(t, 'ArcConfig', 'Default', 'CN=Transport Settings', '0.20 (15.0.0.0)', t.created, t.created),
  };
}

function transportConfig(t: Tenant, changed: When, smtpAuthDisabled: boolean): Obj {
  return {
    SmtpClientAuthenticationDisabled: smtpAuthDisabled,
    AllowLegacyTLSClients: false,
    ExternalPostmasterAddress: null,
    InternalSMTPServers: [],
    JournalingReportNdrTo: '<>',
    MaxReceiveSize: '36 MB (37,748,736 bytes)',
    MaxSendSize: '35 MB (36,700,160 bytes)',
    ...adObject(
      t,
      'TransportConfig',
      'Transport Settings',
      'CN=Transport Settings',
      '0.20 (15.0.0.0)',
      t.created,
      changed,
    ),
  };
}

function ipv6Status(domains: readonly string[], status: 'Enabled' | 'Disabled'): Obj[] {
  return domains.map((Domain) => ({ Domain, Status: status }));
}

// ---------------------------------------------------------------------------------------------------------------
// Shared facts of the examples

/** The SEG's egress addresses in every example (RFC 5737 documentation ranges). */
export const GATEWAY_IPS = ['203.0.113.10', '203.0.113.11', '198.51.100.0/28'] as const;
/** The HQ scanners that use Direct Send in half-done and hardened. */
export const SCANNER_IP = '192.0.2.50';
/** Microsoft's SPF include, shortened to the ranges the examples need. */
const EOP_SPF =
  'v=spf1 ip4:40.92.0.0/15 ip4:40.107.0.0/16 ip4:52.100.0.0/15 ip4:104.47.0.0/17 ip6:2a01:111:f400::/48 -all';
const AUTH_AS_HEADER = 'X-MS-Exchange-Organization-AuthAs';

/** Freshly generated RSA-2048 SubjectPublicKeyInfo (base64) for the DKIM selectors; they belong to no one. */
const DKIM_KEYS = [
  'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAu31eQr+q/E2GR+j7UwGJ+DMcT0EcfJdanAHFocfQBPREm75SCADzobaAdSCwnBI4Ebx+rDTM7JvCBzr/Wc6estlYMag7Wb8U3nJAfPtsmPlB9kYm+wAY4zA9PEYttD/2T79/+MDewnoYlo2xjcu8+UN5moa3DLiowOKLc7XpNHt/jL4Sysg0yy4wmlcxKEhoTpiCMK7ae/d4sUla6w+/CvKjo18rTJvnkJ2405ktLVsnbacySfZWctINfO/SE+/uoR8XYtH9FDFYbVskymEMmK7Wza8l8IonWTbbxC8ZMj6znprwSIbnUfWKbpkZ2wR+NS0ZT/u0q8Xps3cC6a71PwIDAQAB',
  'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA0qmzNmSIaVwS57kb+bOL+6JhoEjD+WNMCcAPCi2ZNB93KdUb06moSgXYNIXmQrRaNQhLVL7CEfHsXn9ZXxqZgeoFm1Nv1tc5aGT4PDQk7ciyNwP0VhKM9Y0jcqAy3OjX6SyZ0a1Ci7n0PptJGdoVKRVMUARO3A2HS2JUKVAUMS+kCEkrMugazPK3B17hsrmYlselMYI2YTmeVHQR5jyocBh2iejNtDpPnX4ZNzx+y9cR0pbjUNO+oJBbFO2qV6H+yskQW/Cxu7RORSV8U/NhyW/6mfRSE5zJCzPIiLi2vno/VJFkRFdaMRQX/tL3AMTLwj0wp28qIxVmlWNY8JW9eQIDAQAB',
  'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAxfqWECmkfOzOlJJcNSf2GBGnC8pSTnBE93VkXAY3Q7BeuyoAv82Sh/v16bK9XUY6/LwlYCA9P6f5mnPhuA39TtL3T1aQdGiy6EWXVXsl6JIa/a9pQ2HivGzhrNWg+nsU3cENNESFhZoHvmQ1xJrO68howIITkKeayk94unuXJ4POUMVDzItV9KY1cl5ZkZ49TvORRoblMwE196avI0MJ1VfZZvIqvYHfSA1q4p/lVjN90yxXTDIynboSsEkz+MaVsr0G9WJ4Cr3n5e5+Bd8l6V7CNcP7TaNa2HEGo0NLjGGibwIscEoSTDaoFFYnwXsXX1kZzk8SB6266T1U1Z2pqwIDAQAB',
  'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA3KB094ZSfjw5pTV1xv36WHA/qbOV7Elo7d3rPcCgllPLpouowyZraPwsaspl9SxLyWbeHYVVgzF1AFyaVWABlyT4RhfooMpY9CMQnTcYymMLX70HRT9Nv/tkL3/SqETVVhSKB2dJhyg1Xzpi/Hzf5JgBT0cRGVinq4zpd/RFxUXPnq/2m7Mj+X1HTrAfmqeXUx2SPj8WYjdLugGvvYWrx8RObYu9bslGC3oxDWZtEKMQdXdWL98zFEBkMVrGC6WlkWS1Zq9GeR9IPPv9MUu0AH85j2+jSzQdcsDnQHHnRbyhcBdrif1cfShJ4BQOcWLAVLCkYUAhZ36KhcONeMViIQIDAQAB',
  'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEArl9AAvq0F2Scvsca470OSAJuEBu9Y5ygcf6UQTpQ1xxL0A3vITVtDM59zWhI/9WkrpWhHUXPRyUCi5WMiZXSqYLqAMrdDhwQY/kEAo2jFKt4XVZ/tw8kHmUigjDd6folPqEm/d2kq4Loemla8MYPEaT6GTiHJnLstIqxedwiYa+TGhG5v/A/zbXQoLKp/ETBpzvOKUHKg3ZyAgRJw+6mAaCoZwni8JScf/R0KrmRvcM3yVs5JQ7QyJWHq8LGHun81t5U79rWw6KBuzE3Y5MZr3kefuuJ8mX4nkyq/PhpT7L313K8fRKsdjHLzOtCL9JdX76Z3o1sbjbzcVoRDomVmwIDAQAB',
  'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAi0CncLPPZ7MddLLk/IQIDGKcvHcvWxXUOAeHIYQXu/8BpqydaO9XlBXgYwBrOqeeQgYJRlJBd3RYodmn+5erw7dhwTJEZgmL1GJLDiuu2BeVdO/jo41JgHf4FuiuG10SnZpE0WLaXdTYbDa3Rp4qGJDZ0Wz1iX3ZVjPX9Pk185A3+QZJtjQyBlXYF0lKK2uGjbmtokZxXN7dYVbz2oH9tsiY15S7jtiaTZ5PyBIJRzJBlO8Ro94vD/4nMJW7HNJLqr/fOQHK1H3kC0eiZwjrjA8fXLrtIcFnTSFS6lrLAafjzhzLtKZ/mxiw5NQH7v+enpDClyMJY4DCJeoKDjJj4wIDAQAB',
  'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA1tDKp/w38lWd0ehRuKJ/rC8JNCX3xFEJdO82xwQilsPo1ptMkZfLqAP4A3W4ganofAOcspCxYWtGO47jffunB6cMmUdk+R11UCf1SLfOavniRTzekHW/92vTw6hHjkugQwi/b6Av3Kn8Tfy+p9nxVetAzSc2t1m2eTLbp3Q5OEHQOUO1URBdSKrhKXCmjVvnK29YHL+Ir+NRpXzQM33laiJoF2HMsArTCnMrc+P/t5XOy8Vnl2PjlYUUGBcpRiDhmREv1QF/4Tf09PoQhhBq6m6fxjgCJysxh5JKdVuWcw8GNgCB9xgFsF24lGguiEfoXKGKbTqtAYwxl90WqnSRzQIDAQAB',
  'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAmWKGB7XNB7KqB+SkTI2UZs5VxXZH7XABcIhzt2HeUaudrprjQdNgXxMkems3KhSh/xVnuUlM4/HfUnKMI+ogGufRkxTb5jMG8gg7qUpIpOHtQplpzs3tTvHbBwO0fR1HWEj7W4rUV74l+FntxhcP3T3L3Nx4dNurStMuMTf8dD4TzNbv7oepJ/2ljzx7lY2/8ckaGB+THVW1JKKh51h6SkMpb3RAvq9wffSeolggYQHnNw5pXsFUo/WzxWCFazN6H9+clZf+LofVzgKnqTVrlGwkxoBRlFOjBhLRH/P8XxIjoN59yR+GLsKaILANx7lg5y9QzVKEz86vmTclbUyN5QIDAQAB',
  'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAtmS8RNDYPRQTkV+3vMzOEUJkRZxM9UWh4SN2b+5ST1u0dSe1+GudEt/K6XyOPIbLo7A+60yZyJCx3BXBgq9R8i9N5FdMaF1FmYF26QVxdEaWoUVBlHVOQ8/u0fGrl92dwpt7uu8bEuAasvZa/Gm2B8SZiC2f0SQSMlUMiWOYCsmn9JXCLHX2QvSxUdNLTUupWOe5svmkDPhenqi0b1eYjf5PsBKN3M1V1WGdyEo9IGl1SNmEEDrz/R+BX6gj1mKOKmE0koZXIEBvaUAidDtOxwxLLYEhIlEjbRHa3yQzYH0kE08tNAspVE9sdv4usTKewklJryhX1fw5/mp37LA/BQIDAQAB',
  'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAyHndKmhtpEmKuSnV2tcSVr8uByCzQ5s92qeayvoNuYzYmFxJGFfXwvHIJAaL/u6kU1j9mt5wKMNPoeG+Jrwdf9YXFiAh1uvQTPlUMtNHD7R+/HNoP9wFJ/qDPynvBcvOo0BtWKPxUVXJ4NX59V8J1xKKbBMfkRBKlTc0cVW+poeyoTMx3XJgE09EFd1ZcqoY05VVAJItIxfy89kcpHd7hhdd+9M1uf9wXEFky2sVWAZ/POAPyhzqOuihIUunKBfT/oSynoUWLS6wtm5arY5TuqGgNOfLqkqNnlwpRzh86MlBZ/JBBaSusFrbUYjSsRwcKjJYdGk3vKwRLkDVfL/WKQIDAQAB',
  'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAngW+bz0N+Sm8xaRgxmYPRv3Y+cIDfVJdP83szOrH3ueuUiqCDPhlZMzI8iNGVuHG/kf9E9KgUSZHakecSDvaxv2G2nYN9hcKo+h8ffamoAORIZNjSYCL1Syz4viE+/jSq4sX/Kt0w5iWlRPg+7K+1HzEnhe0Cmwe8MHvUC9aTJ1yWpJbbOtJ1OhXvh1jdpYIcj3AC2dDpF3gwPP4Ad0u8XxOnZKH0nJ33AX45egdSlJWBORbQoeD1WXroovrvdLAznbmdI69/0++VasckMQZ/Ci9V7+xmB1Nu6EwGW0tTfpkznnA5D3VMqc7DruW4SpVtlD8TNcKN/VZgfLofjg23wIDAQAB',
  'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAq6KzGQcDujcMb/u1DEek4no+W1UN4YZoS6ItaRS3wsJnOCCMpmAgOOQ85UiGSH0eKItfioDQ19PYSBHHTbYV+Ailqi93n8ekItSpbA1/Uwg4hP+3m5gbOG7TqT6MemyjgWY0Q5+7HHHgAW+4r1gRseG/BHP4pLPFL35zut1ZjdLS6jgxkzz6rjY9T5o7i0BrmAf/u4jgqmuiR48jiwD3DrZEqKCXSZJASgfad/Cmgi0sPTGIeBr3zoN/xVvcjRkj60ra+OwfuXq1g0wyGLdGvYtWvKYHkYgt8kTPLVVJgLwk5sTZIqQc+sW9y4QGwY+DTqQKmMtRLVJQYOYHeneXAQIDAQAB',
] as const;

function key(i: number): string {
  const k = DKIM_KEYS[i];
  if (k === undefined) throw new Error(`no DKIM key ${i}`);
  return k;
}

/** DNS TXT strings are at most 255 octets; a 2048-bit DKIM key is published as several (RFC 7208 §3.3 / RFC 6376 §3.6.2.2). */
function txtChunks(text: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += 255) out.push(text.slice(i, i + 255));
  return out;
}

type DnsJson = Record<
  string,
  { MX?: { exchange: string; priority: number }[]; TXT?: (string | string[])[]; CNAME?: string[] }
>;

const ruleDescription = (ifs: string[], actions: string[], excepts: string[] = []) =>
  `If the message:\r\n${ifs.map((l) => `\t${l}\r\n`).join('')}Take the following actions:\r\n${actions
    .map((l) => `\t${l}\r\n`)
    .join(
      '',
    )}${excepts.length ? `Except if the message:\r\n${excepts.map((l) => `\t${l}\r\n`).join('')}` : ''}`;

interface ExampleFile {
  name: string;
  bytes: Uint8Array;
}

function file(cmdlet: string, objects: readonly Obj[], style: Style, tenant: Tenant): ExampleFile {
  return { name: `${cmdlet}.json`, bytes: serialise(objects, style, tenant) };
}

function textFile(name: string, text: string): ExampleFile {
  return { name, bytes: UTF8.encode(text) };
}

function dnsFile(zone: DnsJson): ExampleFile {
  return textFile('dns.json', JSON.stringify(zone, null, 2) + '\n');
}

// Serialiser styles (the admin who exported each file).
const ps51Utf16: Style = { kind: 'ps51', encoding: 'utf-16le' };
const ps51Utf16ValueCount: Style = { kind: 'ps51', encoding: 'utf-16le', valueCount: true };
const ps51Utf8Bom: Style = { kind: 'ps51', encoding: 'utf-8-bom' };
const rest: Style = { kind: 'rest' };

// ---------------------------------------------------------------------------------------------------------------
// A) wide-open — contoso behind Mimecast: no lock-down, RejectDirectSend off, SCL -1 bypass rules, allow lists.

function wideOpen(): ExampleFile[] {
  const t: Tenant = {
    initial: 'contoso.onmicrosoft.com',
    displayName: 'Contoso Ltd',
    forest: 'EURPR05A003',
    originatingServer: 'AM6PR05A03DC004.EURPR05A003.PROD.OUTLOOK.COM',
    created: at('2019-04-16T08:41:27.0000000Z'),
  };
  const ps7Cet: Style = { kind: 'ps7', newline: '\r\n', timeZone: 'Europe/Berlin' };
  const gatewayRanges = GATEWAY_IPS.join(', ');
  return [
    file(
      'Get-OrganizationConfig',
      [organizationConfig(t, at('2026-01-12T10:03:51.0000000Z'), { RejectDirectSend: false })],
      ps51Utf16,
      t,
    ),
    file(
      'Get-AcceptedDomain',
      [
        acceptedDomain(t, 'contoso.com', at('2019-04-16T09:12:03.0000000Z'), { Default: true }),
        acceptedDomain(t, 'contoso.onmicrosoft.com', at('2019-04-16T09:12:03.0000000Z'), {
          InitialDomain: true,
        }),
        acceptedDomain(t, 'contoso.mail.onmicrosoft.com', at('2019-04-16T08:41:58.0000000Z'), {
          IsCoexistenceDomain: true,
        }),
      ],
      ps51Utf16,
      t,
    ),
    file(
      'Get-InboundConnector',
      [
        inboundConnector(t, {
          Name: 'Mimecast Inbound',
          Comment: 'Inbound from Mimecast EU grid',
          SenderDomains: ['smtp:*;1'],
          SenderIPAddresses: [...GATEWAY_IPS],
          RequireTls: true,
          created: at('2021-09-02T14:27:10.0000000Z'),
          changed: at('2023-05-17T07:55:42.0000000Z'),
        }),
      ],
      ps51Utf16,
      t,
    ),
    file(
      'Get-TransportRule',
      [
        transportRule(t, {
          Name: 'Bypass spam filtering - internal senders',
          Priority: 0,
          State: 'Enabled',
          Mode: 'Enforce',
          Comments: "Internal newsletters kept landing in Junk (INC-20417). Don't remove without asking IT.",
          Description: ruleDescription(
            ["sender's address domain portion belongs to any of these domains: 'contoso.com'"],
            ["Set the spam confidence level (SCL) to '-1'"],
          ),
          Conditions: [PREDICATE('SenderDomainIsPredicate')],
          Exceptions: null,
          Actions: [PREDICATE('SetSclAction')],
          set: { SenderDomainIs: ['contoso.com'], SetSCL: -1 },
          changed: at('2022-03-08T16:20:11.0000000Z'),
        }),
        transportRule(t, {
          Name: 'Mimecast - skip double filtering',
          Priority: 1,
          State: 'Enabled',
          Mode: 'Enforce',
          Comments: 'Mimecast already scanned it',
          Description: ruleDescription(
            [`sender ip addresses belong to one of these ranges: '${gatewayRanges}'`],
            ["Set the spam confidence level (SCL) to '-1'"],
          ),
          Conditions: [PREDICATE('SenderIpRangesPredicate')],
          Exceptions: null,
          Actions: [PREDICATE('SetSclAction')],
          set: { SenderIpRanges: [...GATEWAY_IPS], SetSCL: -1 },
          changed: at('2021-09-02T14:51:36.0000000Z'),
        }),
        transportRule(t, {
          Name: 'Mimecast - do not rewrite links twice',
          Priority: 2,
          State: 'Enabled',
          Mode: 'Enforce',
          Comments: 'Mimecast URL Protect already rewrites links',
          Description: ruleDescription(
            [`sender ip addresses belong to one of these ranges: '${gatewayRanges}'`],
            [
              "Set the message header 'X-MS-Exchange-Organization-SkipSafeLinksProcessing' with the value '1'",
            ],
          ),
          Conditions: [PREDICATE('SenderIpRangesPredicate')],
          Exceptions: null,
          Actions: [PREDICATE('SetHeaderAction')],
          set: {
            SenderIpRanges: [...GATEWAY_IPS],
            SetHeaderName: 'X-MS-Exchange-Organization-SkipSafeLinksProcessing',
            SetHeaderValue: '1',
          },
          changed: at('2023-05-17T08:02:19.0000000Z'),
        }),
      ],
      rest,
      t,
    ),
    file(
      'Get-HostedConnectionFilterPolicy',
      [
        connectionFilterPolicy(t, at('2021-09-02T15:04:18.0000000Z'), {
          IPAllowList: [...GATEWAY_IPS],
          EnableSafeList: true,
        }),
      ],
      ps51Utf16,
      t,
    ),
    file(
      'Get-HostedContentFilterPolicy',
      [
        contentFilterPolicy(t, {
          BulkThreshold: 7,
          SpamAction: 'MoveToJmf',
          HighConfidenceSpamAction: 'MoveToJmf',
          PhishSpamAction: 'MoveToJmf',
          HighConfidencePhishAction: 'Quarantine',
          BulkSpamAction: 'MoveToJmf',
          AllowedSenderDomains: ['contoso.com'],
          changed: at('2022-03-08T16:02:45.0000000Z'),
        }),
      ],
      ps7Cet,
      t,
    ),
    file(
      'Get-AntiPhishPolicy',
      [
        antiPhishPolicy(t, {
          EnableSpoofIntelligence: true,
          HonorDmarcPolicy: false,
          AuthenticationFailAction: 'MoveToJmf',
          DmarcQuarantineAction: 'Quarantine',
          DmarcRejectAction: 'Reject',
          EnableMailboxIntelligence: false,
          EnableMailboxIntelligenceProtection: false,
          MailboxIntelligenceProtectionAction: 'NoAction',
          EnableTargetedUserProtection: false,
          TargetedUsersToProtect: [],
          TargetedUserProtectionAction: 'NoAction',
          EnableOrganizationDomainsProtection: false,
          ImpersonationProtectionState: 'Off',
          PhishThresholdLevel: 1,
          changed: at('2023-11-21T12:37:09.0000000Z'),
        }),
      ],
      ps7Cet,
      t,
    ),
    file(
      'Get-DkimSigningConfig',
      [
        dkimSigningConfig(t, {
          domain: 'contoso.com',
          Enabled: false,
          Status: 'CnameMissing',
          Selector1CNAME: 'selector1-contoso-com._domainkey.contoso.onmicrosoft.com',
          Selector2CNAME: 'selector2-contoso-com._domainkey.contoso.onmicrosoft.com',
          keys: [key(0), key(1)],
          created: at('2019-04-16T09:20:33.0000000Z'),
          changed: at('2019-04-16T09:20:33.0000000Z'),
          checked: at('2026-02-27T03:14:08.0000000Z'),
        }),
        dkimSigningConfig(t, {
          domain: 'contoso.onmicrosoft.com',
          Enabled: true,
          Status: 'Valid',
          Selector1CNAME: 'selector1-contoso-onmicrosoft-com._domainkey.contoso.onmicrosoft.com',
          Selector2CNAME: 'selector2-contoso-onmicrosoft-com._domainkey.contoso.onmicrosoft.com',
          keys: [key(2), key(3)],
          created: at('2019-04-16T08:42:10.0000000Z'),
          changed: at('2019-04-16T08:42:10.0000000Z'),
          checked: at('2026-02-27T03:14:08.0000000Z'),
        }),
      ],
      ps51Utf16ValueCount,
      t,
    ),
    file(
      'Get-TenantAllowBlockListSpoofItems',
      [
        {
          Identity: guid('contoso/tabl/1'),
          Action: 'Allow',
          SpoofedUser: 'contoso.com',
          SendingInfrastructure: '198.51.100.0/24',
          SpoofType: 'Internal',
        },
      ],
      rest,
      t,
    ),
    // Only the default anti-spam and anti-phish policies exist, so their rule lists are empty.
    file('Get-HostedContentFilterRule', [], rest, t),
    file('Get-AntiPhishRule', [], rest, t),
    file(
      'Get-AdminAuditLogConfig',
      [adminAuditLogConfig(t, at('2019-04-16T08:43:00.0000000Z'), null)],
      ps7Cet,
      t,
    ),
    file('Get-ArcConfig', [arcConfig(t, '')], rest, t),
    file('Get-TransportConfig', [transportConfig(t, at('2021-09-02T14:40:10.0000000Z'), false)], rest, t),
    file(
      'Get-TenantAllowBlockListItems',
      [
        {
          Identity: guid('contoso/tabl-items/1'),
          Action: 'Allow',
          Value: 'contoso.com',
          ListSubType: 'Tenant',
          ExpirationDate: null,
          LastModifiedDateTime: '2022-03-08T16:05:51.0000000Z',
          ModifiedBy: 'admin@contoso.com',
          Notes: 'INC-20417 newsletters',
          SubmissionID: '',
          ListType: 'Sender',
        },
      ],
      rest,
      t,
    ),
    file(
      'Get-IPv6StatusForAcceptedDomain',
      ipv6Status(['contoso.com', 'contoso.onmicrosoft.com', 'contoso.mail.onmicrosoft.com'], 'Enabled'),
      rest,
      t,
    ),
    file(
      'Get-OutboundConnector',
      [
        outboundConnector(t, {
          Name: 'Mimecast Outbound',
          Comment: 'All outbound mail via Mimecast',
          SmartHosts: ['eu-smtp-o365-outbound-1.mimecast.com', 'eu-smtp-o365-outbound-2.mimecast.com'],
          TlsDomain: '*.mimecast.com',
          created: at('2021-09-02T14:31:44.0000000Z'),
          changed: at('2021-09-02T14:33:02.0000000Z'),
          validated: at('2021-09-02T14:33:02.0000000Z'),
        }),
      ],
      ps51Utf16,
      t,
    ),
    dnsFile({
      'contoso.com': {
        MX: [
          { exchange: 'eu-smtp-inbound-1.mimecast.com', priority: 10 },
          { exchange: 'eu-smtp-inbound-2.mimecast.com', priority: 10 },
        ],
        TXT: [
          'v=spf1 include:_netblocks.mimecast.com include:spf.protection.outlook.com include:sendgrid.net ~all',
        ],
      },
      '_dmarc.contoso.com': { TXT: ['v=DMARC1; p=none; rua=mailto:dmarc@contoso.com'] },
      '_netblocks.mimecast.com': { TXT: [`v=spf1 ${GATEWAY_IPS.map((ip) => `ip4:${ip}`).join(' ')} ~all`] },
      'spf.protection.outlook.com': { TXT: [EOP_SPF] },
      'sendgrid.net': { TXT: ['v=spf1 ip4:192.0.2.128/25 ~all'] },
    }),
    textFile(
      'mxlock.yaml',
      `# mxlock profile for the wide-open example (DESIGN.md §3.2). Contoso receives mail through Mimecast.
gateway:
  name: Mimecast
  ips:
${GATEWAY_IPS.map((ip) => `    - ${ip}`).join('\n')}
# No Direct Send devices are declared: nothing in this tenant is known to send straight to Exchange Online.
directSendSources: []
protectedUsers: []
# Accepted risks, shown in every report. For example:
#   - id: antispam.thresholds
#     reason: "BCL 7 agreed with the security team"
waivers: []
`,
    ),
  ];
}

// ---------------------------------------------------------------------------------------------------------------
// B) half-done — fabrikam behind Proofpoint: RejectDirectSend on, the safety-net rule still in AuditAndNotify,
//    no lock-down connector for the gateway.

function halfDone(): ExampleFile[] {
  const t: Tenant = {
    initial: 'fabrikam.onmicrosoft.com',
    displayName: 'Fabrikam, Inc.',
    forest: 'NAMPR12A004',
    originatingServer: 'BN8PR12A04DC002.NAMPR12A004.PROD.OUTLOOK.COM',
    created: at('2020-10-05T17:22:48.0000000Z'),
  };
  // An MSP engineer on a Mac (pwsh, LF line ends, US Eastern) and `mxlock collect` for the rest.
  const ps7Mac: Style = { kind: 'ps7', newline: '\n', timeZone: 'America/New_York' };
  const ps7MacArray: Style = { ...ps7Mac, array: true };
  const exceptRanges = [...GATEWAY_IPS, SCANNER_IP];
  const s1 = 'selector1-fabrikam-com._domainkey.fabrikam.onmicrosoft.com';
  const s2 = 'selector2-fabrikam-com._domainkey.fabrikam.onmicrosoft.com';
  return [
    file(
      'Get-OrganizationConfig',
      [organizationConfig(t, at('2026-02-18T15:47:22.0000000Z'), { RejectDirectSend: true })],
      ps7Mac,
      t,
    ),
    file(
      'Get-AcceptedDomain',
      [
        acceptedDomain(t, 'fabrikam.com', at('2020-10-05T18:01:12.0000000Z'), { Default: true }),
        acceptedDomain(t, 'fabrikam.onmicrosoft.com', at('2020-10-05T18:01:12.0000000Z'), {
          InitialDomain: true,
        }),
        acceptedDomain(t, 'fabrikam.mail.onmicrosoft.com', at('2020-10-05T17:23:30.0000000Z'), {
          IsCoexistenceDomain: true,
        }),
      ],
      rest,
      t,
    ),
    file(
      'Get-InboundConnector',
      [
        inboundConnector(t, {
          Name: 'Proofpoint inbound',
          Comment: 'Proofpoint Protection Server cloud - inbound delivery',
          SenderDomains: ['smtp:*;1'],
          SenderIPAddresses: [...GATEWAY_IPS],
          RequireTls: true,
          created: at('2020-10-07T13:10:55.1830000Z'),
          changed: at('2024-08-29T19:02:17.6600000Z'),
        }),
        inboundConnector(t, {
          Name: 'Scanners - HQ',
          Comment: 'Multifunction printers, 2nd floor copy room (scan to email)',
          SenderDomains: ['smtp:fabrikam.com;1'],
          SenderIPAddresses: [SCANNER_IP],
          RequireTls: false,
          RestrictDomainsToIPAddresses: true,
          created: at('2026-02-18T15:21:40.4470000Z'),
          changed: at('2026-02-18T15:21:40.4470000Z'),
        }),
      ],
      rest,
      t,
    ),
    file(
      'Get-TransportRule',
      [
        transportRule(t, {
          Name: 'BLOCK - Direct EOP Ingress (Bypass SEG)',
          Priority: 0,
          State: 'Enabled',
          Mode: 'AuditAndNotify',
          Comments: 'Testing for a week before Enforce (CHG-3381).',
          Description: ruleDescription(
            ["Is received from 'Outside the organization'"],
            [
              "reject the message and include the explanation 'Mail not delivered via SEG.' with the status code: '5.7.1'",
            ],
            [
              `sender ip addresses belong to one of these ranges: '${exceptRanges.join(', ')}'`,
              `or '${AUTH_AS_HEADER}' header matches the following patterns: 'Internal'`,
            ],
          ),
          Conditions: [PREDICATE('FromScopePredicate')],
          Exceptions: [PREDICATE('SenderIpRangesPredicate'), PREDICATE('HeaderMatchesPredicate')],
          Actions: [PREDICATE('RejectMessageAction')],
          set: {
            FromScope: notInOrganization,
            ExceptIfSenderIpRanges: exceptRanges,
            ExceptIfHeaderMatchesMessageHeader: AUTH_AS_HEADER,
            ExceptIfHeaderMatchesPatterns: ['Internal'],
            RejectMessageEnhancedStatusCode: '5.7.1',
            RejectMessageReasonText: 'Mail not delivered via SEG.',
          },
          changed: at('2026-02-18T15:38:05.0000000Z'),
        }),
      ],
      ps51Utf16,
      t,
    ),
    file(
      'Get-HostedConnectionFilterPolicy',
      [
        connectionFilterPolicy(t, at('2020-10-05T17:24:01.0000000Z'), {
          IPAllowList: [],
          EnableSafeList: false,
        }),
      ],
      ps7Mac,
      t,
    ),
    file(
      'Get-HostedContentFilterPolicy',
      [
        contentFilterPolicy(t, {
          BulkThreshold: 6,
          SpamAction: 'MoveToJmf',
          HighConfidenceSpamAction: 'Quarantine',
          PhishSpamAction: 'Quarantine',
          HighConfidencePhishAction: 'Quarantine',
          BulkSpamAction: 'MoveToJmf',
          AllowedSenderDomains: [],
          changed: at('2025-06-10T20:11:49.2270000Z'),
        }),
      ],
      rest,
      t,
    ),
    file(
      'Get-AntiPhishPolicy',
      [
        antiPhishPolicy(t, {
          EnableSpoofIntelligence: true,
          HonorDmarcPolicy: true,
          AuthenticationFailAction: 'Quarantine',
          DmarcQuarantineAction: 'Quarantine',
          DmarcRejectAction: 'Reject',
          EnableMailboxIntelligence: true,
          EnableMailboxIntelligenceProtection: true,
          MailboxIntelligenceProtectionAction: 'MoveToJmf',
          EnableTargetedUserProtection: false,
          TargetedUsersToProtect: [],
          TargetedUserProtectionAction: 'NoAction',
          EnableOrganizationDomainsProtection: false,
          ImpersonationProtectionState: 'Manual',
          PhishThresholdLevel: 1,
          changed: at('2025-06-10T20:14:03.0000000Z'),
        }),
      ],
      ps51Utf8Bom,
      t,
    ),
    file(
      'Get-DkimSigningConfig',
      [
        dkimSigningConfig(t, {
          domain: 'fabrikam.com',
          Enabled: true,
          Status: 'Valid',
          Selector1CNAME: s1,
          Selector2CNAME: s2,
          keys: [key(4), key(5)],
          created: at('2020-10-05T18:09:26.0000000Z'),
          changed: at('2021-01-14T16:45:31.0000000Z'),
          checked: at('2026-02-17T22:06:54.0000000Z'),
        }),
        dkimSigningConfig(t, {
          domain: 'fabrikam.onmicrosoft.com',
          Enabled: true,
          Status: 'Valid',
          Selector1CNAME: 'selector1-fabrikam-onmicrosoft-com._domainkey.fabrikam.onmicrosoft.com',
          Selector2CNAME: 'selector2-fabrikam-onmicrosoft-com._domainkey.fabrikam.onmicrosoft.com',
          keys: [key(6), key(7)],
          created: at('2020-10-05T17:23:41.0000000Z'),
          changed: at('2020-10-05T17:23:41.0000000Z'),
          checked: at('2026-02-17T22:06:54.0000000Z'),
        }),
      ],
      ps7MacArray,
      t,
    ),
    file('Get-TenantAllowBlockListSpoofItems', [], rest, t),
    file('Get-HostedContentFilterRule', [], ps7MacArray, t),
    file('Get-AntiPhishRule', [], ps7MacArray, t),
    file(
      'Get-AdminAuditLogConfig',
      [adminAuditLogConfig(t, at('2020-10-06T09:00:12.0000000Z'), at('2020-10-06T09:00:12.0000000Z'))],
      ps51Utf16,
      t,
    ),
    file('Get-ArcConfig', [arcConfig(t, '')], ps7Mac, t),
    file('Get-TransportConfig', [transportConfig(t, at('2020-10-06T09:02:40.0000000Z'), false)], ps7Mac, t),
    file('Get-TenantAllowBlockListItems', [], ps7MacArray, t),
    file(
      'Get-IPv6StatusForAcceptedDomain',
      ipv6Status(['fabrikam.com', 'fabrikam.onmicrosoft.com', 'fabrikam.mail.onmicrosoft.com'], 'Enabled'),
      ps7MacArray,
      t,
    ),
    dnsFile({
      'fabrikam.com': {
        MX: [
          { exchange: 'mx0a-00123401.pphosted.com', priority: 10 },
          { exchange: 'mx0b-00123401.pphosted.com', priority: 10 },
        ],
        TXT: [`v=spf1 include:spf.protection.outlook.com ip4:${SCANNER_IP} -all`],
      },
      '_dmarc.fabrikam.com': { TXT: ['v=DMARC1; p=quarantine; rua=mailto:dmarc@fabrikam.com'] },
      'selector1._domainkey.fabrikam.com': { CNAME: [s1] },
      'selector2._domainkey.fabrikam.com': { CNAME: [s2] },
      [s1]: { TXT: [txtChunks(`v=DKIM1; k=rsa; p=${key(4)}`)] },
      [s2]: { TXT: [txtChunks(`v=DKIM1; k=rsa; p=${key(5)}`)] },
      'spf.protection.outlook.com': { TXT: [EOP_SPF] },
    }),
    textFile(
      'mxlock.yaml',
      `# mxlock profile for the half-done example (DESIGN.md §3.2). Fabrikam receives mail through Proofpoint.
gateway:
  name: Proofpoint
  ips:
${GATEWAY_IPS.map((ip) => `    - ${ip}`).join('\n')}
# Legitimate senders that deliver straight to Exchange Online today (Direct Send).
directSendSources:
  - name: HQ scanners
    ips: [${SCANNER_IP}]
    senders: ["scanner@fabrikam.com"]
# Impersonation protection is expected for these users.
protectedUsers: ["ceo@fabrikam.com"]
waivers: []
`,
    ),
  ];
}

// ---------------------------------------------------------------------------------------------------------------
// C) hardened — northwind behind Cisco Secure Email: certificate lock-down, RejectDirectSend, enforced safety net,
//    Enhanced Filtering, strict anti-spoofing.

function hardened(): ExampleFile[] {
  const t: Tenant = {
    initial: 'northwind.onmicrosoft.com',
    displayName: 'Northwind Traders',
    forest: 'EURPR07A011',
    originatingServer: 'DB9PR07A11DC003.EURPR07A011.PROD.OUTLOOK.COM',
    created: at('2022-02-21T11:05:14.0000000Z'),
  };
  const ps7Windows: Style = { kind: 'ps7', newline: '\r\n', timeZone: 'Europe/Berlin' };
  const ps7WindowsArray: Style = { ...ps7Windows, array: true };
  const certificate = '*.mail-gateway.example.com';
  const exceptRanges = [...GATEWAY_IPS, SCANNER_IP];
  const dkimZone = 'northwind.r-v1.dkim.mail.microsoft';
  const s1 = `selector1-northwindtraders-com._domainkey.${dkimZone}`;
  const s2 = `selector2-northwindtraders-com._domainkey.${dkimZone}`;
  return [
    file(
      'Get-OrganizationConfig',
      [organizationConfig(t, at('2026-03-02T09:26:40.0000000Z'), { RejectDirectSend: true })],
      rest,
      t,
    ),
    file(
      'Get-AcceptedDomain',
      [
        acceptedDomain(t, 'northwindtraders.com', at('2025-06-03T08:15:37.0000000Z'), { Default: true }),
        acceptedDomain(t, 'northwind.onmicrosoft.com', at('2025-06-03T08:15:37.0000000Z'), {
          InitialDomain: true,
        }),
        acceptedDomain(t, 'northwind.mail.onmicrosoft.com', at('2022-02-21T11:05:51.0000000Z'), {
          IsCoexistenceDomain: true,
        }),
      ],
      ps51Utf16ValueCount,
      t,
    ),
    file(
      'Get-InboundConnector',
      [
        inboundConnector(t, {
          Name: 'From SEG (certificate)',
          Comment:
            'Lock-down: only Cisco Secure Email with our certificate may deliver. Skip-listed for Enhanced Filtering.',
          SenderDomains: ['smtp:*;1'],
          SenderIPAddresses: [],
          RequireTls: true,
          RestrictDomainsToCertificate: true,
          TlsSenderCertificateName: certificate,
          EFSkipIPs: [...GATEWAY_IPS],
          created: at('2025-06-03T09:40:12.3170000Z'),
          changed: at('2026-02-24T10:02:57.9130000Z'),
        }),
        inboundConnector(t, {
          Name: 'Scanners - HQ (IP)',
          Comment: 'Scan-to-email devices at HQ (Direct Send, IP-restricted)',
          SenderDomains: ['smtp:northwindtraders.com;1'],
          SenderIPAddresses: [SCANNER_IP],
          RequireTls: false,
          RestrictDomainsToIPAddresses: true,
          created: at('2026-02-24T09:51:08.0450000Z'),
          changed: at('2026-02-24T09:51:08.0450000Z'),
        }),
      ],
      ps7WindowsArray,
      t,
    ),
    file(
      'Get-TransportRule',
      [
        transportRule(t, {
          Name: 'BLOCK - Direct EOP Ingress (Bypass SEG)',
          Priority: 0,
          State: 'Enabled',
          Mode: 'Enforce',
          Comments:
            'Safety net behind the connector lock-down. Enforced 2026-03-02 after a week in audit (CHG-1207).',
          Description: ruleDescription(
            ["Is received from 'Outside the organization'"],
            [
              "reject the message and include the explanation 'Mail not delivered via SEG.' with the status code: '5.7.1'",
            ],
            [
              `sender ip addresses belong to one of these ranges: '${exceptRanges.join(', ')}'`,
              `or '${AUTH_AS_HEADER}' header matches the following patterns: 'Internal'`,
              "or message type is 'Calendaring'",
            ],
          ),
          Conditions: [PREDICATE('FromScopePredicate')],
          Exceptions: [
            PREDICATE('SenderIpRangesPredicate'),
            PREDICATE('HeaderMatchesPredicate'),
            PREDICATE('MessageTypeMatchesPredicate'),
          ],
          Actions: [PREDICATE('RejectMessageAction')],
          set: {
            FromScope: notInOrganization,
            ExceptIfSenderIpRanges: exceptRanges,
            ExceptIfHeaderMatchesMessageHeader: AUTH_AS_HEADER,
            ExceptIfHeaderMatchesPatterns: ['Internal'],
            ExceptIfMessageTypeMatches: 'Calendaring',
            RejectMessageEnhancedStatusCode: '5.7.1',
            RejectMessageReasonText: 'Mail not delivered via SEG.',
          },
          changed: at('2026-03-02T09:31:18.0000000Z'),
        }),
        transportRule(t, {
          Name: 'External sender tag',
          Priority: 1,
          State: 'Enabled',
          Mode: 'Enforce',
          Comments: null,
          Description: ruleDescription(
            ["Is received from 'Outside the organization'"],
            ["Prepend the subject with '[EXT]'"],
          ),
          Conditions: [PREDICATE('FromScopePredicate')],
          Exceptions: null,
          Actions: [PREDICATE('PrependSubjectAction')],
          set: { FromScope: notInOrganization, PrependSubject: '[EXT]' },
          changed: at('2025-06-05T13:48:22.0000000Z'),
        }),
      ],
      rest,
      t,
    ),
    file(
      'Get-HostedConnectionFilterPolicy',
      [
        connectionFilterPolicy(t, at('2022-02-21T11:06:30.0000000Z'), {
          IPAllowList: [],
          EnableSafeList: false,
        }),
      ],
      ps51Utf16,
      t,
    ),
    file(
      'Get-HostedContentFilterPolicy',
      [
        contentFilterPolicy(t, {
          BulkThreshold: 6,
          SpamAction: 'Quarantine',
          HighConfidenceSpamAction: 'Quarantine',
          PhishSpamAction: 'Quarantine',
          HighConfidencePhishAction: 'Quarantine',
          BulkSpamAction: 'MoveToJmf',
          AllowedSenderDomains: [],
          changed: at('2026-02-26T14:19:03.5210000Z'),
        }),
      ],
      ps7Windows,
      t,
    ),
    file(
      'Get-AntiPhishPolicy',
      [
        antiPhishPolicy(t, {
          EnableSpoofIntelligence: true,
          HonorDmarcPolicy: true,
          AuthenticationFailAction: 'Quarantine',
          DmarcQuarantineAction: 'Quarantine',
          DmarcRejectAction: 'Reject',
          EnableMailboxIntelligence: true,
          EnableMailboxIntelligenceProtection: true,
          MailboxIntelligenceProtectionAction: 'Quarantine',
          EnableTargetedUserProtection: true,
          TargetedUsersToProtect: ['Nancy Davolio;ceo@northwindtraders.com'],
          TargetedUserProtectionAction: 'Quarantine',
          EnableOrganizationDomainsProtection: true,
          TargetedDomainProtectionAction: 'Quarantine',
          ImpersonationProtectionState: 'Manual',
          PhishThresholdLevel: 2,
          changed: at('2026-02-26T14:25:40.0000000Z'),
        }),
      ],
      rest,
      t,
    ),
    file(
      'Get-DkimSigningConfig',
      [
        dkimSigningConfig(t, {
          domain: 'northwindtraders.com',
          Enabled: true,
          Status: 'Valid',
          Selector1CNAME: s1,
          Selector2CNAME: s2,
          keys: [key(8), key(9)],
          created: at('2025-06-03T08:22:19.0000000Z'),
          changed: at('2025-06-03T10:02:44.0000000Z'),
          checked: at('2026-03-01T23:41:05.0000000Z'),
        }),
        dkimSigningConfig(t, {
          domain: 'northwind.onmicrosoft.com',
          Enabled: true,
          Status: 'Valid',
          Selector1CNAME: 'selector1-northwind-onmicrosoft-com._domainkey.northwind.onmicrosoft.com',
          Selector2CNAME: 'selector2-northwind-onmicrosoft-com._domainkey.northwind.onmicrosoft.com',
          keys: [key(10), key(11)],
          created: at('2022-02-21T11:06:02.0000000Z'),
          changed: at('2022-02-21T11:06:02.0000000Z'),
          checked: at('2026-03-01T23:41:05.0000000Z'),
        }),
      ],
      rest,
      t,
    ),
    file('Get-TenantAllowBlockListSpoofItems', [], ps7WindowsArray, t),
    file('Get-HostedContentFilterRule', [], rest, t),
    file('Get-AntiPhishRule', [], rest, t),
    file(
      'Get-AdminAuditLogConfig',
      [adminAuditLogConfig(t, at('2022-02-21T11:07:15.0000000Z'), at('2022-02-21T11:07:15.0000000Z'))],
      ps7Windows,
      t,
    ),
    file('Get-ArcConfig', [arcConfig(t, 'iphmx.com')], ps7Windows, t),
    file('Get-TransportConfig', [transportConfig(t, at('2025-06-03T10:02:31.0000000Z'), true)], ps51Utf16, t),
    file('Get-TenantAllowBlockListItems', [], rest, t),
    file(
      'Get-IPv6StatusForAcceptedDomain',
      // Opted out (Disable-IPv6ForAcceptedDomain): the safety net excepts Cisco's IPv4 ranges only, so mail Cisco
      // delivered over IPv6 would be rejected (connector.ipv6-coverage).
      ipv6Status(
        ['northwindtraders.com', 'northwind.onmicrosoft.com', 'northwind.mail.onmicrosoft.com'],
        'Disabled',
      ),
      ps7WindowsArray,
      t,
    ),
    file(
      'Get-OutboundConnector',
      [
        outboundConnector(t, {
          Name: 'To Cisco Secure Email',
          Comment: 'Outbound through the gateway',
          SmartHosts: ['outbound.hc1234-56.iphmx.com'],
          TlsDomain: '*.iphmx.com',
          created: at('2025-06-03T09:44:50.0000000Z'),
          changed: at('2025-06-03T09:47:13.0000000Z'),
          validated: at('2025-06-03T09:47:13.0000000Z'),
        }),
      ],
      ps51Utf16,
      t,
    ),
    dnsFile({
      'northwindtraders.com': {
        MX: [
          { exchange: 'mx1.hc1234-56.iphmx.com', priority: 10 },
          { exchange: 'mx2.hc1234-56.iphmx.com', priority: 10 },
        ],
        TXT: [
          'MS=ms48213956',
          `v=spf1 ${[...GATEWAY_IPS, SCANNER_IP].map((ip) => `ip4:${ip}`).join(' ')} include:spf.protection.outlook.com -all`,
        ],
      },
      '_dmarc.northwindtraders.com': {
        TXT: ['v=DMARC1; p=reject; rua=mailto:dmarc-reports@northwindtraders.com; adkim=s; aspf=s'],
      },
      // Added in the Microsoft 365 admin center: nobody sends as the initial domain (dns.dmarc-initial-domain).
      '_dmarc.northwind.onmicrosoft.com': { TXT: ['v=DMARC1; p=reject'] },
      'selector1._domainkey.northwindtraders.com': { CNAME: [s1] },
      'selector2._domainkey.northwindtraders.com': { CNAME: [s2] },
      [s1]: { TXT: [txtChunks(`v=DKIM1; k=rsa; p=${key(8)}`)] },
      [s2]: { TXT: [txtChunks(`v=DKIM1; k=rsa; p=${key(9)}`)] },
      'spf.protection.outlook.com': { TXT: [EOP_SPF] },
    }),
    textFile(
      'mxlock.yaml',
      `# mxlock profile for the hardened example (DESIGN.md §3.2). Northwind receives mail through Cisco Secure Email.
gateway:
  name: Cisco Secure Email
  ips:
${GATEWAY_IPS.map((ip) => `    - ${ip}`).join('\n')}
  # The gateway presents a certificate issued to Northwind alone, not one shared by the SEG's customers.
  certificate: "${certificate}"
  certificateUnique: true
directSendSources:
  - name: HQ scanners
    ips: [${SCANNER_IP}]
    senders: ["scanner@northwindtraders.com"]
protectedUsers: ["ceo@northwindtraders.com"]
waivers: []
`,
    ),
  ];
}

// ---------------------------------------------------------------------------------------------------------------

export const EXAMPLE_NAMES = ['wide-open', 'half-done', 'hardened'] as const;
export type ExampleName = (typeof EXAMPLE_NAMES)[number];

/** Every example file, keyed by its path under examples/ (`wide-open/Get-InboundConnector.json`). */
export function buildExamples(): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  const builders: Record<ExampleName, () => ExampleFile[]> = {
    'wide-open': wideOpen,
    'half-done': halfDone,
    hardened,
  };
  for (const name of EXAMPLE_NAMES) {
    for (const f of builders[name]()) out.set(`${name}/${f.name}`, f.bytes);
  }
  return out;
}

async function main(): Promise<void> {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', 'examples');
  for (const [path, bytes] of buildExamples()) {
    const target = join(root, path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, bytes);
  }
  process.stderr.write(`wrote the examples under ${root}\n`);
}

const invokedDirectly =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) await main();
