import { expect, test } from 'vitest';
import { classifyMx, SEG_VENDORS } from '../../src/common/vendors.js';

test.each([
  // Exchange Online itself
  ['contoso-com.mail.protection.outlook.com', 'eop'],
  ['CONTOSO-COM.MAIL.PROTECTION.OUTLOOK.COM.', 'eop'],
  ['contoso-com.j-v1.mx.microsoft', 'eop'],
  ['contoso-com.p-v1.mx.microsoft.', 'eop'],
  // known gateways
  ['eu-smtp-inbound-1.mimecast.com', 'mimecast'],
  ['za-smtp-inbound-1.mimecast.co.za', 'mimecast'],
  ['je-smtp-inbound-1.mimecast-offshore.com', 'mimecast'],
  ['mx0a-001b2d01.pphosted.com', 'proofpoint'],
  ['mx1-eu1.ppe-hosted.com', 'proofpoint'],
  ['mx1.hc1234-56.eu.iphmx.com', 'cisco'],
  ['mx.eu.etd.cisco.com', 'cisco'],
  ['d123456a.ess.barracudanetworks.com', 'barracuda'],
  ['mx-01-eu-west-1.prod.hydra.sophos.com', 'sophos'],
  ['contoso.in.tmes.trendmicro.com', 'trendmicro'],
  ['oxforduni.in.tmes.trendmicro.eu', 'trendmicro'],
  ['contoso.in.tmes.trendmicro.co.jp', 'trendmicro'],
  ['contoso-com.fortimailcloud.com', 'fortimail'],
  ['mx01.hornetsecurity.com', 'hornetsecurity'],
  ['cluster1.eu.messagelabs.com', 'symantec'],
  ['cust1234-1.in.mailcontrol.com', 'forcepoint'],
  ['mx.us.mailmarshal.cloud', 'trustwave'],
  // everything else
  ['mail.contoso.com', 'unknown'],
  ['aspmx.l.google.com', 'unknown'],
  ['mimecast.com.attacker.example', 'unknown'],
  ['notmimecast.com', 'unknown'],
  ['tmes.trendmicro.example.org', 'unknown'],
  ['mx.microsoft', 'unknown'],
  ['', 'unknown'],
])('%s → %s', (host, expected) => {
  const c = classifyMx(host);
  expect(c.kind === 'seg' ? c.vendor.id : c.kind).toBe(expected);
});

test('vendor ids are unique and every vendor has a display name', () => {
  const ids = SEG_VENDORS.map((v) => v.id);
  expect(new Set(ids).size).toBe(ids.length);
  for (const v of SEG_VENDORS) expect(v.name.length).toBeGreaterThan(0);
});
