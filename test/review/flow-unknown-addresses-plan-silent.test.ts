/**
 * Review (issue 9 A4): "The plan keeps each [flow] preserved ... or refuses the stage that breaks it, naming the
 * connector. Never 'legitimate flows preserved' while such a flow breaks." A TLS-by-domain partner connector whose
 * sending addresses mxlock cannot know (no IPs, no certificate, its domain's SPF not in dns.json) is uncertain before
 * the plan and stays uncertain after it: the safety check neither refuses stage 2 (the `*` IP lock-down that will
 * refuse the partner with 550 5.7.51, CON-5) nor warns, because it only reacts to broken, or preserved → uncertain.
 */
import { describe, expect, test } from 'vitest';
import { assessSnapshot } from '../../src/assess.js';
import { zoneFromJson } from '../../src/common/zone.js';
import { buildPlan } from '../../src/plan/index.js';
import { parseProfile } from '../../src/profile/parse.js';
import { resolveGateway } from '../../src/profile/infer.js';
import { partner, tenant } from '../plan/builders.js';

const dns = zoneFromJson({
  'contoso.com': { MX: [{ exchange: 'eu-smtp-inbound-1.mimecast.com', priority: 10 }] },
});
const snapshot = tenant(
  [
    partner('Mimecast inbound'),
    partner('Fabrikam TLS', { SenderDomains: ['smtp:fabrikam.com;1'], SenderIPAddresses: [], RequireTls: true }),
  ],
  {},
  dns,
);
const profile = parseProfile('gateway:\n  name: Mimecast\n  ips: [203.0.113.10]\n', 'mxlock.yaml');

describe('a connector flow of unknown origin is locked out without a word', () => {
  const gateway = resolveGateway(profile, snapshot);
  const { report } = assessSnapshot(snapshot, { profile, zone: dns });
  const built = buildPlan({ snapshot, profile, gateway, report, zone: dns });
  if (!built.ok) throw new Error(built.reason);
  const { plan } = built.checked;

  test('EXPECTED: stage 2 (IP lock-down on `*`) is refused, or a warning names Fabrikam TLS', () => {
    const stage2 = plan.stages.find((s) => s.no === 2)!;
    console.log('stage 2 changes:', stage2.changes.map((c) => c.title));
    console.log('refusal:', plan.refusal?.explanation);
    console.log('warnings:\n ' + plan.warnings.join('\n '));
    const fabrikamPath = built.checked.after.find((p) => p.id === 'path.connector:Fabrikam TLS');
    console.log('after:', fabrikamPath?.status, fabrikamPath?.outcome);
    const named = plan.refusal?.explanation.includes('Fabrikam TLS') || plan.warnings.some((w) => w.includes('Fabrikam TLS'));
    expect(named).toBe(true);
  });
});
