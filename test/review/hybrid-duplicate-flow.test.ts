/**
 * Review (issue 9 A4 / DESIGN §5): with `hybrid` declared, the OnPremises connector that carries on-premises Exchange
 * is reported twice: as path.hybrid-onpremises and as path.connector:<its name> (a generic relay sending as
 * relay@contoso.com without the hybrid cross-premises headers). The same mail flow appears as two legitimate paths,
 * and their statuses can disagree.
 */
import { expect, test } from 'vitest';
import { assessSnapshot } from '../../src/assess.js';
import { parseProfile } from '../../src/profile/parse.js';
import { partner, tenant } from '../plan/builders.js';

test('EXPECTED: the hybrid OnPremises connector is not a second, generic path.connector flow', () => {
  const snapshot = tenant([
    partner('Mimecast inbound'),
    {
      Name: 'Inbound from Contoso on-premises',
      Enabled: true,
      ConnectorType: 'OnPremises',
      SenderDomains: ['smtp:*;1'],
      SenderIPAddresses: ['192.0.2.50'],
    },
  ]);
  const profile = parseProfile(
    'gateway:\n  name: Mimecast\n  ips: [203.0.113.10]\nhybrid:\n  ips: [192.0.2.50]\n',
    'mxlock.yaml',
  );
  const { report } = assessSnapshot(snapshot, { profile });
  const legit = report.paths.filter((p) => p.kind === 'legitimate').map((p) => `${p.id}=${p.status}`);
  console.log(legit);
  expect(legit.some((l) => l.startsWith('path.connector:Inbound from Contoso on-premises'))).toBe(false);
});
