/**
 * Known Secure Email Gateway vendors and the host names their inbound MX records use, so that `init` and the
 * gateway inference can say "MX points to Mimecast" (DESIGN §3.2). Pure data plus one classifier.
 *
 * Where each pattern was confirmed (looked up 2026; "public DNS data" = real MX answers of customer domains quoted
 * in public repositories, not a vendor page):
 * - Mimecast `*.mimecast.com`: public DNS data (`us-smtp-inbound-1.mimecast.com`, dig output in a public gist);
 *   `*.mimecast.co.za` and `*.mimecast-offshore.com`: Mimecast's own South Africa and Jersey (offshore) grids, seen
 *   as `za-smtp-o365-outbound-1.mimecast.co.za` / `je-smtp-o365-outbound-1.mimecast-offshore.com` in a public
 *   Mimecast connector script and `webmail.mimecast-offshore.com` in Microsoft's Mimecast SSO tutorial; Mimecast
 *   documents the South Africa grid (account code CSA, mimecastsupport.zendesk.com article 34000632786067).
 * - Proofpoint `*.pphosted.com`: captaindns.com "Proofpoint Secure Email Gateway" (MX redirection to pphosted.com);
 *   `*.ppe-hosted.com` (Proofpoint Essentials): a provider's published MX table (`mx1-eu1.ppe-hosted.com`).
 * - Cisco Secure Email Cloud Gateway (IronPort) `*.iphmx.com`: captaindns.com "Cisco Secure Email Cloud Gateway"
 *   (MX records redirected to iphmx.com). The newer Email Threat Defense MX `mx.<region>.etd.cisco.com` is from
 *   Cisco's own ETD user guide (docs.cmd.cisco.com, "DNS MX Record Settings by Region").
 * - Barracuda Email Gateway Defense `*.barracudanetworks.com` (MX `<id>.ess.barracudanetworks.com`): captaindns.com
 *   "Barracuda Email Gateway Defense".
 * - Sophos Email `*.hydra.sophos.com`: Sophos Central help "Using TLS connections" (certificate SAN
 *   `*.prod.hydra.sophos.com`); MX `mx-01-eu-west-1.prod.hydra.sophos.com` in public DNS data.
 * - Trend Micro Email Security `*.tmes.trendmicro.com`, `*.tmes.trendmicro.eu`: public DNS data
 *   (`<customer>.in.tmes.trendmicro.com`, `oxforduni.in.tmes.trendmicro.eu`). Other regions use the same
 *   `tmes` label under a Trend Micro country domain, so `*.tmes.trendmicro.<tld>` is matched too.
 * - Fortinet FortiMail Cloud `*.fortimailcloud.com`: Fortinet community "Change the FortiMail Cloud hostname"
 *   (tenant host `abc-com.fortimailcloud.com`, which customers point their DNS at).
 * - Hornetsecurity `*.hornetsecurity.com`: captaindns.com "Hornetsecurity Secure Email Gateway" (`mx01…mx04`).
 * - Symantec/Broadcom Email Security.cloud `*.messagelabs.com`: Symantec support tech247121 and Broadcom KB 254105
 *   (`clusterX.xx.messagelabs.com`).
 * - Forcepoint Email Security Cloud `*.mailcontrol.com` (MX `custNNNN-1.in.mailcontrol.com`): Forcepoint help names
 *   mailcontrol.com as the service domain (`out.mailcontrol.com`); the `in.` MX form is from public DNS data.
 * - Trustwave MailMarshal Cloud `*.mailmarshal.cloud`: Trustwave KB Q21244 (service hosts and certificate
 *   `*.<region>.mailmarshal.cloud`).
 * Left out, not confirmed: Check Point Harmony Email (Avanan) — it works through the Graph API and mail-flow
 * rules, not through the customer's MX, and no MX host pattern could be confirmed.
 *
 * Exchange Online itself: `<domain>.mail.protection.outlook.com` and, for domains with inbound SMTP DANE/DNSSEC,
 * `<domain>.<x>-v1.mx.microsoft` (Microsoft Learn "How SMTP DANE works"; Enable-DnssecForVerifiedDomain returns it).
 */
import { normaliseName } from './zone.js';

export interface SegVendor {
  /** Stable id used in reports and `ResolvedGateway.vendor`. */
  id: string;
  name: string;
}

interface VendorPatterns extends SegVendor {
  /** Zones whose subdomains (and the zone itself) belong to the vendor's inbound service. */
  zones: readonly string[];
  /** Extra host patterns a zone list cannot express. */
  patterns?: readonly RegExp[];
}

export const SEG_VENDORS: readonly VendorPatterns[] = [
  { id: 'mimecast', name: 'Mimecast', zones: ['mimecast.com', 'mimecast.co.za', 'mimecast-offshore.com'] },
  { id: 'proofpoint', name: 'Proofpoint', zones: ['pphosted.com', 'ppe-hosted.com'] },
  { id: 'cisco', name: 'Cisco Secure Email', zones: ['iphmx.com', 'etd.cisco.com'] },
  { id: 'barracuda', name: 'Barracuda Email Gateway Defense', zones: ['barracudanetworks.com'] },
  { id: 'sophos', name: 'Sophos Email', zones: ['hydra.sophos.com'] },
  {
    id: 'trendmicro',
    name: 'Trend Micro Email Security',
    zones: ['tmes.trendmicro.com', 'tmes.trendmicro.eu'],
    patterns: [/\.tmes\.trendmicro\.[a-z]{2,3}(\.[a-z]{2})?$/],
  },
  { id: 'fortimail', name: 'Fortinet FortiMail Cloud', zones: ['fortimailcloud.com'] },
  { id: 'hornetsecurity', name: 'Hornetsecurity', zones: ['hornetsecurity.com'] },
  { id: 'symantec', name: 'Symantec Email Security.cloud', zones: ['messagelabs.com'] },
  { id: 'forcepoint', name: 'Forcepoint Email Security Cloud', zones: ['mailcontrol.com'] },
  { id: 'trustwave', name: 'Trustwave MailMarshal Cloud', zones: ['mailmarshal.cloud'] },
];

/** Exchange Online Protection's own inbound MX zones. */
/**
 * Exchange Online's inbound SMTP ranges (`*.mail.protection.outlook.com`, TCP 25), from "Microsoft 365 URLs and IP
 * address ranges", Exchange Online row 10. Skip-listing them is unsupported (eop-model EF-5 [D] S19).
 */
export const MICROSOFT_365_SMTP_RANGES: readonly string[] = [
  '40.92.0.0/15',
  '40.107.0.0/16',
  '52.100.0.0/14',
  '104.47.0.0/17',
  '2a01:111:f400::/48',
  '2a01:111:f403::/48',
];

/**
 * Where Exchange Online's own servers relay a message between them, as their `Received:` comments show it: the inbound
 * ranges above, Microsoft's datacenter IPv6 block 2603:1000::/24 (ARIN: Microsoft Corporation; the `2603:10b6:…`
 * hops of every EOP header) [I], and addresses no internet sender can connect from, which Microsoft's internal hops
 * show: private IPv4 (RFC 1918), loopback (`::1` on HTTPS hops), link-local (`fe80::…%4` on mapi hops) and unique
 * local IPv6 (RFC 4193). A hop from any other address came from outside, whatever name the client gave in EHLO.
 */
export const MICROSOFT_365_RELAY_RANGES: readonly string[] = [
  ...MICROSOFT_365_SMTP_RANGES,
  '2603:1000::/24',
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '::1/128',
  'fe80::/10',
  'fc00::/7',
];

export const EOP_MX_ZONES: readonly string[] = ['mail.protection.outlook.com', 'mx.microsoft'];

/**
 * Microsoft 365's own outbound servers, as a tenant's SPF includes them (Microsoft Learn "Set up SPF to identify valid
 * email sources for your Microsoft 365 domain"): mail from them is the tenant's own, not a gateway's nor Direct Send.
 */
export const MICROSOFT_SPF_INCLUDE = 'spf.protection.outlook.com';

export type MxClass = { kind: 'eop' } | { kind: 'seg'; vendor: SegVendor } | { kind: 'unknown' };

function inZone(host: string, zone: string): boolean {
  return host === zone || host.endsWith(`.${zone}`);
}

/** The SEG vendor whose zone a TLS certificate name (`*.mimecast.com`, `mx1.pphosted.com`) is in, if any. */
export function certificateVendor(name: string): SegVendor | undefined {
  const c = classifyMx(name.trim().replace(/^\*\./, ''));
  return c.kind === 'seg' ? c.vendor : undefined;
}

/** What an MX host is: Exchange Online itself, a known SEG, or something else (an on-premises edge, an unknown service). */
export function classifyMx(host: string): MxClass {
  const h = normaliseName(host);
  if (h === '') return { kind: 'unknown' };
  if (EOP_MX_ZONES.some((z) => h !== z && inZone(h, z))) return { kind: 'eop' };
  for (const v of SEG_VENDORS) {
    if (v.zones.some((z) => inZone(h, z)) || (v.patterns ?? []).some((p) => p.test(h))) {
      return { kind: 'seg', vendor: { id: v.id, name: v.name } };
    }
  }
  return { kind: 'unknown' };
}
