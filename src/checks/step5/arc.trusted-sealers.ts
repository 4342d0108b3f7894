/**
 * Microsoft's guidance for a third-party service in front of Exchange Online: beside Enhanced Filtering, add the
 * service as a trusted ARC sealer when it modifies messages (eop-model §13 "Guidance for third-party services" [D]).
 * A gateway that rewrites URLs, adds banners or strips attachments breaks the sender's DKIM; with its ARC seal trusted,
 * EOP uses the authentication results the gateway recorded before it changed the message (Learn "Configure trusted ARC
 * sealers": the domain must be the `d=` of the ARC-Seal and ARC-Message-Signature headers). ORCA243 fails a tenant with
 * a domain not pointed at EOP and no trusted sealer.
 *
 * Which domain a gateway seals as is not published in one place, so mxlock does not keep a table of sealing domains:
 * it ties a sealer to the gateway only through what it knows of the gateway (its vendor's MX zones, its TLS
 * certificate), as an inference [I], and says `unknown` when it cannot tell.
 */
import { domainOrSubdomain } from '../../common/domains.js';
import { SEG_VENDORS } from '../../common/vendors.js';
import type { Check, CheckContext, Remediation } from '../types.js';
import { psQuote } from '../util.js';

const ARC_LEARN = 'https://learn.microsoft.com/defender-office-365/email-authentication-arc-configure';
const SET_ARC = 'https://learn.microsoft.com/powershell/module/exchangepowershell/set-arcconfig';

const PORTAL =
  'https://security.microsoft.com → Email & collaboration → Policies & rules → Threat policies → Email authentication settings (https://security.microsoft.com/authentication) → ARC → Add (or Edit) → the domain in the d= tag of the ARC-Seal header the gateway adds';

const WHY =
  "if the gateway modifies messages (URL rewriting, banners, attachment stripping), the sender's DKIM breaks and DMARC fails at EOP; with the gateway's ARC seal trusted, EOP honours the authentication results the gateway recorded before its changes (Learn: Configure trusted ARC sealers)";

/** A domain the gateway is known by, and where mxlock got it (for the evidence). */
interface GatewayDomain {
  domain: string;
  basis: string;
}

/** The domains the gateway is known by: its vendor's MX zones and its certificate's domain(s). */
export function gatewayDomains(ctx: CheckContext): GatewayDomain[] {
  const out: GatewayDomain[] = [];
  const vendor = SEG_VENDORS.find((v) => v.id === ctx.gateway.vendor);
  for (const zone of vendor?.zones ?? [])
    out.push({ domain: zone, basis: `${vendor!.name}'s MX zone ${zone}` });
  const certificates = [
    ...(ctx.gateway.certificate !== undefined ? [ctx.gateway.certificate] : []),
    ...(ctx.gateway.certificateCandidates ?? []),
  ];
  for (const c of certificates) {
    const base = c.trim().toLowerCase().replace(/^\*\./, '');
    if (base !== '') out.push({ domain: base, basis: `the gateway's certificate ${c.trim()}` });
  }
  return out;
}

/** The gateway domain a sealer stands for: the same domain, or one under the other (an organisation's domain). [I] */
function sealerOfGateway(sealer: string, domains: readonly GatewayDomain[]): GatewayDomain | undefined {
  return domains.find((g) => domainOrSubdomain(sealer, g.domain) || domainOrSubdomain(g.domain, sealer));
}

/** The known SEG vendor whose MX zones a sealer is in (or stands above), when it is another vendor than the gateway's. */
function otherVendor(sealer: string, gatewayVendor: string | undefined): string | undefined {
  return SEG_VENDORS.find(
    (v) =>
      v.id !== gatewayVendor &&
      v.zones.some((z) => domainOrSubdomain(sealer, z) || domainOrSubdomain(z, sealer)),
  )?.name;
}

function remediation(current: readonly string[], proposed: string | undefined): Remediation {
  const add = proposed ?? '<the d= domain of the gateway ARC-Seal header>';
  const list = [...new Set([...current, add])].map(psQuote).join(',');
  return {
    powershell: [
      "# The gateway's sealing domain is the d= tag of the ARC-Seal header in a message delivered through it (Learn: Configure trusted ARC sealers).",
      ...(proposed !== undefined
        ? [
            `# ${proposed} is inferred from what mxlock knows of the gateway: confirm it against that header first.`,
          ]
        : []),
      '# -ArcTrustedSealers replaces the list: the entries already trusted are kept below.',
      `Set-ArcConfig -Identity Default -ArcTrustedSealers ${list}`,
      'Get-ArcConfig | Format-List ArcTrustedSealers',
    ].join('\n'),
    portal: PORTAL,
  };
}

export const check: Check = {
  id: 'arc.trusted-sealers',
  requiresGateway: true,
  step: 5,
  title:
    'The gateway is a trusted ARC sealer, so its changes to a message do not fail the sender’s authentication',
  severity: 'low',
  references: [
    'eop-model §13 Guidance for third-party services [D] (add the gateway as a trusted ARC sealer when it modifies messages)',
    'eop-model EF-1 [D] S19 (Enhanced Filtering, the other half of the guidance)',
    ARC_LEARN,
    SET_ARC,
    'https://learn.microsoft.com/exchange/mail-flow-best-practices/manage-mail-flow-using-third-party-cloud',
  ],
  remediation: remediation([], undefined),
  // The gateway's vendor, which ties a sealer to it, is recognised from the MX of the accepted domains.
  reads: { 'Get-ArcConfig': ['ArcTrustedSealers'], 'Get-AcceptedDomain': ['DomainName'], dns: true },
  evaluate(ctx) {
    const configs = ctx.snapshot.data['Get-ArcConfig'];
    if (configs === undefined)
      return { status: 'unknown', evidence: ['Get-ArcConfig.json was not exported'] };
    const domains = gatewayDomains(ctx);
    const guess = domains[0]?.domain;
    // "If no trusted ARC sealers are configured, the command returns no results" (Learn: Configure trusted ARC sealers).
    if (configs.length === 0)
      return {
        status: 'fail',
        evidence: ['Get-ArcConfig returned nothing: no trusted ARC sealer is configured', WHY],
        remediation: remediation([], guess),
      };
    const config = configs[0]!;
    const sealers = config.ArcTrustedSealers;
    const name = config.Identity ?? config.Name ?? 'Default';
    if (sealers === undefined)
      return {
        status: 'unknown',
        evidence: [`ARC config '${name}': ArcTrustedSealers is absent from the export`],
      };
    if (sealers.length === 0)
      return {
        status: 'fail',
        evidence: [
          `ARC config '${name}': ArcTrustedSealers is empty: no trusted ARC sealer is configured`,
          WHY,
        ],
        remediation: remediation([], guess),
      };
    const head = `ARC config '${name}': ArcTrustedSealers = ${sealers.join(', ')}`;
    const matched = sealers.flatMap((s) => {
      const g = sealerOfGateway(s, domains);
      return g ? [`trusted sealer ${s} is the gateway's: it matches ${g.basis} [I]`] : [];
    });
    if (matched.length > 0)
      return {
        status: 'pass',
        evidence: [
          head,
          ...matched,
          'confirm it with a message delivered through the gateway: its last ARC-Authentication-Results shows arc=pass and oda=1 when the seal is trusted (Learn: Configure trusted ARC sealers)',
        ],
      };
    const others = sealers.map((s) => [s, otherVendor(s, ctx.gateway.vendor)] as const);
    const known =
      domains.length > 0
        ? `the gateway is known by ${domains.map((g) => g.basis).join(', ')}`
        : 'mxlock knows no domain of the gateway (no recognised vendor, no certificate in the profile)';
    if (domains.length > 0 && others.every(([, v]) => v !== undefined))
      return {
        status: 'warn',
        evidence: [
          head,
          ...others.map(
            ([s, v]) =>
              `trusted sealer ${s} belongs to ${v}, not to the gateway (${ctx.gateway.name ?? ctx.gateway.vendor ?? 'declared in the profile'})`,
          ),
          `${known}: the gateway's own seal is not trusted (a leftover of a previous gateway?)`,
          WHY,
        ],
        remediation: remediation(sealers, guess),
      };
    return {
      status: 'unknown',
      evidence: [
        head,
        `${known}: none of the trusted sealers is tied to it, and a gateway may seal as a domain of its own`,
        "compare with the d= tag of the ARC-Seal header in a message delivered through the gateway, or declare the gateway's certificate in mxlock.yaml",
      ],
      remediation: remediation(sealers, guess),
    };
  },
};
