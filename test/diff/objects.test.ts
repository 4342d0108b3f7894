/**
 * `mxlock diff` object comparisons (issue 12 item 6): the lock-down connector, the safety net's place among the transport
 * rules, RejectDirectSend, and connectors/rules added or removed. Export objects go through the real reader.
 */
import { describe, expect, test } from 'vitest';
import { compareObjects, type DiffSide } from '../../src/diff/objects.js';
import { ProfileSchema } from '../../src/profile/schema.js';
import { makeGateway, makeSnapshot, type ExportData } from '../checks/helpers.js';
import { GATEWAY_IPS, lockdownIp, safetyNet } from '../model/helpers.js';

type Rule = NonNullable<ExportData['Get-TransportRule']>[number];

const lockdown = lockdownIp();
const net = safetyNet();

const bypass = {
  Name: 'Partner allow',
  Priority: 1,
  State: 'Enabled',
  Mode: 'Enforce',
  SenderDomainIs: ['partner.example'],
  SetSCL: -1,
} satisfies Rule;

function side(data: ExportData, profile: object = {}): DiffSide {
  return {
    snapshot: makeSnapshot(data),
    gateway: makeGateway({ ips: GATEWAY_IPS }),
    profile: ProfileSchema.parse(profile),
  };
}

const base: ExportData = {
  'Get-OrganizationConfig': [{ RejectDirectSend: true }],
  'Get-InboundConnector': [lockdown],
  'Get-TransportRule': [net, bypass],
};

function diff(before: ExportData, after: ExportData, profile: object = {}) {
  return compareObjects(side(before, profile), side(after, profile));
}

const ofKind = (entries: ReturnType<typeof diff>, drift: string) =>
  entries.filter((e) => e.drift === drift).map((e) => e.id);

describe('compareObjects', () => {
  test('the same export gives no object drift', () => {
    expect(diff(base, base)).toEqual([]);
  });

  test('a transport rule moved above the safety net is a regression; moved back, an improvement', () => {
    const moved: ExportData = {
      ...base,
      'Get-TransportRule': [
        { ...net, Priority: 1 },
        { ...bypass, Priority: 0 },
      ],
    };
    const forth = diff(base, moved);
    expect(forth).toContainEqual(
      expect.objectContaining({
        kind: 'object',
        id: 'object.rule-above-safety-net:Partner allow',
        before: 'below the safety net (Priority 1; the net 0)',
        after: 'above the safety net (Priority 0; the net 1)',
        drift: 'regression',
      }),
    );
    expect(ofKind(diff(moved, base), 'improvement')).toContain('object.rule-above-safety-net:Partner allow');
    expect(ofKind(diff(moved, base), 'regression')).toEqual([]);
  });

  test('a new rule placed above the safety net is a regression; a new rule below it only a change', () => {
    const above: ExportData = {
      ...base,
      'Get-TransportRule': [{ ...net, Priority: 1 }, bypass, { ...bypass, Name: 'New allow', Priority: 0 }],
    };
    const entries = diff(base, above);
    expect(ofKind(entries, 'regression')).toContain('object.rule-above-safety-net:New allow');
    expect(ofKind(entries, 'change')).toContain('object.transport-rule:New allow');
    const below: ExportData = {
      ...base,
      'Get-TransportRule': [net, bypass, { ...bypass, Name: 'New allow', Priority: 2 }],
    };
    expect(ofKind(diff(base, below), 'regression')).toEqual([]);
    expect(diff(base, below)).toContainEqual(
      expect.objectContaining({ id: 'object.transport-rule:New allow', before: 'absent', drift: 'change' }),
    );
  });

  test('a rule whose Priority is missing beside the net is not taken as below it (unknown is never safe)', () => {
    const lost: ExportData = {
      ...base,
      'Get-TransportRule': [net, { ...bypass, Priority: undefined }],
    };
    expect(diff(base, lost)).toContainEqual(
      expect.objectContaining({
        id: 'object.rule-above-safety-net:Partner allow',
        after: expect.stringMatching(/unknown/),
        drift: 'regression',
      }),
    );
  });

  test('the safety net removed is a regression', () => {
    const gone: ExportData = { ...base, 'Get-TransportRule': [bypass] };
    expect(diff(base, gone)).toContainEqual(
      expect.objectContaining({
        id: 'object.safety-net',
        before: "rule 'BLOCK - Direct EOP Ingress'",
        after: 'none',
        drift: 'regression',
      }),
    );
  });

  test("the lock-down's IPs changed: an address outside the known sources added is a regression", () => {
    const widened: ExportData = {
      ...base,
      'Get-InboundConnector': [{ ...lockdown, SenderIPAddresses: [...GATEWAY_IPS, '192.0.2.99'] }],
    };
    const entries = diff(base, widened);
    expect(entries).toContainEqual(
      expect.objectContaining({
        id: 'object.lockdown-connector.sender-ip-addresses',
        before: '203.0.113.10, 203.0.113.11, 198.51.100.0/28',
        after: '203.0.113.10, 203.0.113.11, 198.51.100.0/28, 192.0.2.99',
        drift: 'regression',
      }),
    );
    expect(entries.find((e) => e.id === 'object.lockdown-connector.sender-ip-addresses')?.detail).toMatch(
      /192\.0\.2\.99/,
    );
    // The same address declared as a Direct Send source (DESIGN §6 option 2): a change, not a regression.
    const declared = {
      directSendSources: [{ name: 'Printer', ips: ['192.0.2.99'], senders: ['printer@contoso.com'] }],
    };
    const known = diff(base, widened, declared);
    expect(ofKind(known, 'regression')).toEqual([]);
    expect(ofKind(known, 'change')).toContain('object.lockdown-connector.sender-ip-addresses');
    // An entry removed from an IP lock-down: a change (a gateway range lost shows as path.gateway-delivery broken).
    const narrowed: ExportData = {
      ...base,
      'Get-InboundConnector': [{ ...lockdown, SenderIPAddresses: ['203.0.113.10'] }],
    };
    expect(ofKind(diff(base, narrowed), 'change')).toEqual(['object.lockdown-connector.sender-ip-addresses']);
  });

  test('RejectDirectSend off is a regression, on an improvement, not exported a regression from on', () => {
    const off: ExportData = { ...base, 'Get-OrganizationConfig': [{ RejectDirectSend: false }] };
    expect(diff(base, off)).toContainEqual({
      kind: 'object',
      id: 'object.reject-direct-send',
      before: 'true',
      after: 'false',
      drift: 'regression',
    });
    expect(ofKind(diff(off, base), 'improvement')).toEqual(['object.reject-direct-send']);
    const unexported: ExportData = { ...base, 'Get-OrganizationConfig': [{}] };
    expect(diff(base, unexported)).toContainEqual(
      expect.objectContaining({
        id: 'object.reject-direct-send',
        after: 'unknown (not in the export)',
        drift: 'regression',
      }),
    );
    // From off to unknown: nothing was safe before and nothing is known now.
    expect(ofKind(diff(off, unexported), 'change')).toEqual(['object.reject-direct-send']);
  });

  test('the lock-down disabled, its restriction dropped or weakened to IPs: regressions', () => {
    const disabled: ExportData = { ...base, 'Get-InboundConnector': [{ ...lockdown, Enabled: false }] };
    expect(ofKind(diff(base, disabled), 'regression')).toEqual(['object.lockdown-connector.enabled']);
    const open: ExportData = {
      ...base,
      'Get-InboundConnector': [{ ...lockdown, RestrictDomainsToIPAddresses: false }],
    };
    expect(diff(base, open)).toContainEqual(
      expect.objectContaining({
        id: 'object.lockdown-connector.restriction',
        before: 'IP addresses',
        after: 'none',
        drift: 'regression',
      }),
    );
    const byCert = {
      ...lockdown,
      SenderIPAddresses: [],
      RestrictDomainsToIPAddresses: false,
      RestrictDomainsToCertificate: true,
      TlsSenderCertificateName: '*.seg.example',
    };
    const cert: ExportData = { ...base, 'Get-InboundConnector': [byCert] };
    const certSide = (d: ExportData) => ({
      ...side(d),
      gateway: makeGateway({ ips: GATEWAY_IPS, certificate: 'mx.seg.example' }),
    });
    const toIp = compareObjects(certSide(cert), certSide(base));
    expect(ofKind(toIp, 'regression')).toEqual(['object.lockdown-connector.restriction']);
    expect(ofKind(compareObjects(certSide(base), certSide(cert)), 'improvement')).toEqual([
      'object.lockdown-connector.restriction',
    ]);
    // The certificate of a certificate lock-down changed: a regression (a wider name admits more senders).
    const wider: ExportData = {
      ...base,
      'Get-InboundConnector': [{ ...byCert, TlsSenderCertificateName: '*.example' }],
    };
    expect(compareObjects(certSide(cert), certSide(wider))).toContainEqual(
      expect.objectContaining({
        id: 'object.lockdown-connector.certificate',
        before: '*.seg.example',
        after: '*.example',
        drift: 'regression',
      }),
    );
  });

  test('the recipient scope narrowed is a regression; widened to every domain an improvement', () => {
    const narrow: ExportData = {
      ...base,
      'Get-InboundConnector': [{ ...lockdown, AssociatedAcceptedDomains: ['contoso.com'] }],
    };
    expect(diff(base, narrow)).toContainEqual(
      expect.objectContaining({
        id: 'object.lockdown-connector.recipient-scope',
        before: 'every accepted domain',
        after: 'contoso.com',
        drift: 'regression',
      }),
    );
    expect(ofKind(diff(narrow, base), 'improvement')).toEqual(['object.lockdown-connector.recipient-scope']);
  });

  test('the lock-down gone is a regression; another connector becoming the lock-down a change beside its properties', () => {
    const none: ExportData = { ...base, 'Get-InboundConnector': [] };
    expect(diff(base, none)).toContainEqual(
      expect.objectContaining({
        id: 'object.lockdown-connector',
        before: "'From SEG'",
        after: 'none',
        drift: 'regression',
      }),
    );
    expect(ofKind(diff(base, none), 'change')).toEqual(['object.inbound-connector:From SEG']);
    const renamed: ExportData = { ...base, 'Get-InboundConnector': [{ ...lockdown, Name: 'SEG 2' }] };
    const entries = diff(base, renamed);
    expect(ofKind(entries, 'regression')).toEqual([]);
    expect(ofKind(entries, 'change').sort()).toEqual([
      'object.inbound-connector:From SEG',
      'object.inbound-connector:SEG 2',
      'object.lockdown-connector',
    ]);
  });

  test('hostile names stay data: the ids carry them as they are, for the renderers to escape', () => {
    const evil = { ...bypass, Name: 'x\u202e\nevil', Priority: 0 };
    const after: ExportData = { ...base, 'Get-TransportRule': [{ ...net, Priority: 1 }, evil] };
    expect(ofKind(diff(base, after), 'regression')).toContain('object.rule-above-safety-net:x\u202e\nevil');
  });
});
