/**
 * Stage 0 (DESIGN §6, guide "activation order"): back up, then admit every declared Direct Send source that no
 * connector matches by IP yet, as the lock-down will judge it (model/admission.ts, CON-5 [D], §12 OQ-2 [I]). What it
 * decides (the connectors to restrict with the lock-down, the IP lock-down's address list) is what stage 2 restricts.
 */
import {
  deviceRecipientDomains,
  ConnectorAddresses,
  sourceAdmission,
  sourcesOnIpLockdown,
  withinGatewayText,
} from '../../model/admission.js';
import { domainOf } from '../../common/domains.js';
import { IpSet } from '../../common/ip.js';
import type { InboundConnector } from '../../snapshot/schema.js';
import type { Obj } from '../drafts.js';
import { senderIpEntries, withIps } from '../sender-ips.js';
import { nameOf, quoted, type PlanBase, type PlanStage } from './context.js';

/** A declared source that gets a Partner connector of its own (DESIGN §6 option 3), restricted in stage 2. */
interface OwnConnector {
  source: string;
  name: string;
  /** The domains it sends as: the connector's SenderDomains. */
  domains: string[];
  /** Its addresses as SenderIPAddresses takes them (sender-ips.ts). */
  senderIps: string[];
  object: Obj | undefined;
}

/** How the declared sources are admitted, decided once for stage 0 (which admits them) and stage 2 (which restricts). */
export interface SourcesAdmitted {
  /** Stage 0's notes on the sources, after the backup note. */
  notes: string[];
  warnings: string[];
  ownConnectors: OwnConnector[];
  /** Connectors to restrict by IP together with the lock-down (stage 2): created in stage 0, or existing ones. */
  deviceConnectors: { name: string; object: Obj | undefined }[];
  /** Connectors that already admit a declared source: the plan keeps them as they are. */
  admitting: InboundConnector[];
  /** The IP lock-down's SenderIPAddresses once stage 0 has run (a certificate lock-down lists none, CON-3 [D]). */
  lockdownIps: string[];
  /** Whether stage 0 writes the IP lock-down's addresses (declared sources join it, or it is created). */
  stage0SetsIps: boolean;
  /** Why the lock-down's address list grows by gateway entries it lacks (said by the stage that writes it). */
  gatewayWhy: string[];
  /** The IP lock-down keeps RequireTls as it is: declared sources that may send in plain text join it (CON-6 [D]). */
  keepRequireTls: boolean;
}

export function admitDeclaredSources(base: PlanBase): SourcesAdmitted {
  const { profile, gateway: gw, tenant: t, connectors } = base;
  const { connector: gwConn, name: gwName, certificate } = base.lockdown;
  const certMode = certificate !== undefined;
  const declared = profile.directSendSources;
  const hybridIps = profile.hybrid?.ips ?? [];
  const recipients = deviceRecipientDomains(t.domainNames, t.defaultDomain);
  // The connector stage 2 locks by certificate loses its IPs there (CON-3 [D]): it never admits a source by IP, and is
  // never restricted by IP for one.
  const lockedByCertificate = certMode ? gwConn : undefined;
  const notes: string[] = [];
  const warnings: string[] = [];
  const ownConnectors: OwnConnector[] = [];

  const ipLockdownExtra: string[] = [];
  const deviceConnectors: { name: string; object: Obj | undefined }[] = [];
  const admitting: InboundConnector[] = [];
  const addDeviceConnector = (name: string, object: Obj | undefined) => {
    if (!deviceConnectors.some((d) => d.name.toLowerCase() === name.toLowerCase()))
      deviceConnectors.push({ name, object });
  };
  // The declared sources, then the flows of the partner connectors in place (path.connector:<name>, DESIGN §6): both
  // must keep working once the lock-down is on. A flow is its own sender domains from its own addresses, so a declared
  // source on the same address (a printer sending as an own domain) does not stand for it.
  const flows = base.flowSources.map((f) => ({
    name: `connector '${f.connector}'`,
    ips: f.ips,
    senders: f.senders,
    flow: f.connector,
  }));
  const addresses = new ConnectorAddresses(connectors);
  for (const src of [...declared.map((s) => ({ ...s, flow: undefined })), ...flows]) {
    notes.push(
      src.flow === undefined
        ? `Direct Send source '${src.name}': the preferred fixes are to route it through the gateway or to submit with SMTP AUTH (smtp.office365.com:587); the change below keeps it working as it is.`
        : `Inbound ${src.name} carries mail someone set up (path.connector:${src.flow}, from ${src.ips.join(', ')}): the change below keeps it working once the lock-down is on.`,
    );
    const domains = [
      ...new Set(src.senders.map((s) => domainOf(s)).filter((d): d is string => d !== undefined)),
    ].sort();
    const shared = withinGatewayText(src.ips, gw.ips);
    if (shared !== undefined)
      warnings.push(
        `declared source '${src.name}': ${shared}, which the gateway's other customers send from too: admitting it by IP for ${domains.join(', ') || 'its domains'} lets them send as ${domains.join(', ') || 'the tenant'} past the lock-down (residual path path.shared-gateway-ip, CON-5 [D], §12 OQ-2 [I]); route it through the gateway, or have it submit with SMTP AUTH`,
      );
    // Admitted as the lock-down will judge it, address by address (model/admission.ts, CON-5, §12 OQ-2).
    const adm = sourceAdmission(addresses, src.ips, { senders: domains, recipients, lockedByCertificate });
    if (adm.kind === 'admitted') {
      admitting.push(...adm.connectors);
      notes.push(`'${src.name}' (${src.ips.join(', ')}) is already admitted by ${quoted(adm.connectors)}.`);
      continue;
    }
    const ownIps: string[] = [];
    for (const { ip, admission } of adm.perIp) {
      const subject = adm.perIp.length > 1 ? `'${src.name}' address ${ip}` : `'${src.name}' (${ip})`;
      const listedOn = quoted(admission.connectors);
      if (admission.kind === 'admitted') {
        admitting.push(...admission.connectors);
        notes.push(`${subject} is already admitted by ${listedOn}.`);
        continue;
      }
      if (admission.kind === 'restrict-with-lockdown' && certMode) {
        // Its own Partner connector covers its domains: restricted with the lock-down, it satisfies it (§12 OQ-2 [I]).
        // Only the connectors of THIS address, all Partner by construction (CON-4 [D]: OnPremises ones cannot restrict).
        notes.push(
          `${subject} is listed on ${listedOn}, which stage 2 restricts by IP together with the lock-down.`,
        );
        for (const c of admission.connectors) addDeviceConnector(nameOf(c), c as Obj);
        continue;
      }
      if (admission.kind === 'exempt-only')
        notes.push(
          `${subject} is listed on ${listedOn}, which exempts it from RejectDirectSend only: ${admission.reasons.join('; ')}.`,
        );
      else if (admission.kind === 'restrict-with-lockdown')
        notes.push(
          gwConn !== undefined && admission.connectors.includes(gwConn)
            ? `${subject} is listed on '${gwName}', which stage 2 restricts by IP: it then satisfies the lock-down.`
            : `${subject} is listed on ${listedOn}, which does not restrict by IP: it joins the IP lock-down '${gwName}' instead (DESIGN §6 option 2).`,
        );
      if (certMode) ownIps.push(ip);
      // Option 2: the address joins the IP-restricted lock-down connector.
      else ipLockdownExtra.push(ip);
    }
    if (ownIps.length === 0) continue;
    // Option 3: a separate Partner connector matching the source by IP, restricted in stage 2 with the lock-down.
    const name =
      src.flow === undefined ? `mxlock - Direct Send: ${src.name}` : `mxlock - Partner: ${src.flow}`;
    addDeviceConnector(name, undefined);
    ownConnectors.push({
      source: src.name,
      name,
      domains,
      senderIps: senderIpEntries(ownIps, `declared source '${src.name}' address`, warnings),
      object: connectors.find((c) => nameOf(c).toLowerCase() === name.toLowerCase()) as Obj | undefined,
    });
  }
  // IP lock-down: the connector must list every gateway egress entry by the time it restricts, or the gateway's mail
  // from an entry it lacks (a second region, a DR range) gets 550 5.7.51 (CON-5 [D]). One list for stages 0 and 2, so
  // stage 2 finds nothing left to add when stage 0 already wrote it. Entries are written in the form the cmdlet takes
  // (senderIpEntries); those already on the connector stay as exported, so rollback restores them exactly.
  const gwListed = gwConn?.SenderIPAddresses ?? [];
  const gwEntries = certMode ? [] : senderIpEntries(gw.ips, 'gateway.ips entry', warnings);
  const listedSet = new IpSet(gwListed);
  const gwMissing = gwEntries.filter((e) => !listedSet.covers(e));
  const lockdownIps = withIps(gwListed, [
    ...gwEntries,
    ...senderIpEntries(ipLockdownExtra, 'declared source address', warnings),
  ]);
  if (!certMode && gwConn) {
    // Whatever else the connector lists satisfies the lock-down once it restricts (CON-5 [D]) and is exempt from
    // RejectDirectSend (DS-2 [D]): an unknown range there is a way in that the plan would bless.
    const known = new IpSet([
      ...gw.ips,
      ...declared.flatMap((s) => s.ips),
      ...flows.flatMap((f) => f.ips),
      ...hybridIps,
    ]);
    const unknown = gwListed.filter((e) => !known.covers(e));
    if (unknown.length > 0)
      warnings.push(
        `'${gwName}' keeps ${unknown.join(', ')} in SenderIPAddresses when it restricts by IP: neither a gateway.ips entry, a declared Direct Send source nor hybrid, so mail from there will satisfy the lock-down (CON-5 [D]) and skip RejectDirectSend (DS-2 [D]); remove what is not yours, or declare it in mxlock.yaml`,
      );
  }
  // A declared source on the IP lock-down is matched by it, so the connector's RequireTls applies to it (CON-6 [D]);
  // the declared-source path assumes STARTTLS, so the simulator cannot see a plain-text device break. An address inside
  // the gateway's own ranges is the gateway's traffic and does not hold RequireTls back.
  const onLockdown = certMode ? [] : sourcesOnIpLockdown(lockdownIps, declared, gw.ips);
  const keepRequireTls = onLockdown.length > 0;
  if (keepRequireTls) {
    const names = onLockdown.map((s) => `'${s.name}'`).join(', ');
    const current = gwConn?.RequireTls;
    warnings.push(
      current === true
        ? `declared source(s) ${names} deliver through the IP lock-down '${gwName}', which has RequireTls $true: each must offer STARTTLS or it is refused (CON-6 [D]; the simulator assumes a source uses TLS); move a plain-text device to SMTP AUTH or the gateway`
        : `declared source(s) ${names} deliver through the IP lock-down '${gwName}': the plan leaves its RequireTls ${current === false || !gwConn ? '$false' : 'as it is (not exported)'} instead of switching it on, since a device sending in plain text would then be refused (CON-6 [D]); once every source offers STARTTLS, set RequireTls $true`,
    );
  }
  const gatewayWhy =
    gwConn && gwMissing.length > 0
      ? [
          `adds the gateway's ${gwMissing.join(', ')}, which '${gwName}' does not list: once it restricts, the gateway's mail from there would get 550 5.7.51 (CON-5 [D])`,
        ]
      : [];
  return {
    notes,
    warnings,
    ownConnectors,
    deviceConnectors,
    admitting,
    lockdownIps,
    stage0SetsIps: !certMode && (ipLockdownExtra.length > 0 || !gwConn),
    gatewayWhy,
    keepRequireTls,
  };
}

export const stage0: PlanStage = {
  no: 0,
  title: 'Backup and admit the declared Direct Send sources',
  observe: 'check that each source still delivers (message trace) before stage 1',
  draft(ctx) {
    const { sources } = ctx;
    const { connector: gwConn, name: gwName } = ctx.lockdown;
    ctx.notes[0].push(
      'Back up the configuration: the script writes the same export folder mxlock reads (rollback reads nothing else).',
      ...sources.notes,
    );
    ctx.warnings.push(...sources.warnings);
    for (const own of sources.ownConnectors) {
      ctx.drafts.push({
        stage: 0,
        title: `Partner connector for '${own.source}' matching its IPs`,
        why: [
          `admits '${own.source}' by IP: matched by IP, it is exempt from RejectDirectSend (eop-model DS-2 [D]) and, restricted with the lock-down, satisfies it for ${own.domains.join(', ')} (§12 OQ-2 [I])`,
          'never an allow-by-sender-domain connector: one that matches by domain only neither exempts nor admits (CON-3 [D])',
          'RequireTls off: a device that sends in plain text would be refused by it (CON-6 [D])',
        ],
        kind: 'InboundConnector',
        identity: own.name,
        object: own.object,
        set: {
          ConnectorType: 'Partner',
          SenderDomains: own.domains,
          SenderIPAddresses: own.senderIps,
          RestrictDomainsToIPAddresses: false,
          RequireTls: false,
          Enabled: true,
        },
      });
    }
    if (!sources.stage0SetsIps) return;
    ctx.drafts.push({
      stage: 0,
      title: gwConn
        ? `Add the declared sources' IPs to '${gwName}'`
        : `Partner connector '${gwName}' matching the gateway and the declared sources by IP`,
      why: [
        'matched by IP, the sources are exempt from RejectDirectSend (DS-2 [D]) and, once the connector restricts in stage 2, satisfy it (CON-5 [D])',
        ...sources.gatewayWhy,
        ...(!gwConn && sources.keepRequireTls
          ? ['RequireTls off: declared sources that may send in plain text join it (CON-6 [D])']
          : []),
      ],
      kind: 'InboundConnector',
      identity: gwName,
      object: gwConn as Obj | undefined,
      set: gwConn
        ? { SenderIPAddresses: sources.lockdownIps }
        : {
            ConnectorType: 'Partner',
            SenderDomains: ['*'],
            SenderIPAddresses: sources.lockdownIps,
            RestrictDomainsToIPAddresses: false,
            RequireTls: !sources.keepRequireTls,
            Enabled: true,
          },
    });
  },
};
