/**
 * A later refusal is judged with the refused stages left out; a path it breaks only because of their absence is said
 * to be so (review finding 14, r3). The tenant: the IP lock-down 'From SEG' exists but is disabled; stage 0 adds the
 * declared printer's IP to it, stage 2 enables it, stage 3 turns RejectDirectSend on. Without stage 2, the printer
 * matches no enabled connector and RejectDirectSend refuses it (5.7.68, DS-2), but once stage 2 is applied the
 * printer matches 'From SEG' by IP and is exempt (DS-2): stage 3 breaks it only while stage 2 is left out.
 */
import { describe, expect, test, vi } from 'vitest';
import * as assess from '../../src/assess.js';
import { renderPlanFiles } from '../../src/plan/render.js';
import type { Stage } from '../../src/plan/types.js';
import { EMPTY_PROFILE, type Profile } from '../../src/profile/schema.js';
import { makeGateway } from '../checks/helpers.js';
import { checkStages, LOCKDOWN_TITLE, partner, setChange, stagesWith, tenant } from './builders.js';

// A pass-through spy, to count the simulations the check runs.
vi.mock('../../src/assess.js', async (importOriginal) => {
  const real = await importOriginal<typeof assess>();
  return { ...real, simulatePaths: vi.fn(real.simulatePaths) };
});
const simulations = vi.mocked(assess.simulatePaths);

const PRINTER = 'path.declared-source:HQ printer';
const HYBRID = 'path.hybrid-onpremises';
const GATEWAY_IP = '203.0.113.10';
const PRINTER_IP = '192.0.2.50';

const snapshot = tenant([
  partner('From SEG', {
    Enabled: false,
    SenderIPAddresses: [GATEWAY_IP],
    RestrictDomainsToIPAddresses: true,
    RequireTls: true,
  }),
]);
const gateway = makeGateway({ name: 'SEG', ips: [GATEWAY_IP] });
const printer: Profile['directSendSources'][number] = {
  name: 'HQ printer',
  ips: [PRINTER_IP],
  senders: ['scanner@contoso.com'],
};

const ADMIT_PRINTER = setChange(
  0,
  'InboundConnector',
  'From SEG',
  { SenderIPAddresses: [GATEWAY_IP] },
  { SenderIPAddresses: [GATEWAY_IP, PRINTER_IP] },
);
const ENABLE = setChange(2, 'InboundConnector', 'From SEG', { Enabled: false }, { Enabled: true });
const REJECT_DIRECT_SEND = setChange(
  3,
  'OrganizationConfig',
  '',
  { RejectDirectSend: false },
  { RejectDirectSend: true },
);

/** Stage titles as the planner writes them, for the explanations that quote them. */
const TITLES = { 2: LOCKDOWN_TITLE, 3: 'Reject Direct Send' };

function check(profile: Profile, stages: Stage[]) {
  simulations.mockClear();
  return checkStages({ snapshot, profile, gateway, stages });
}

describe('hybrid not admitted: stage 2 is refused, and stage 3 breaks the printer only while stage 2 is left out', () => {
  const profile: Profile = {
    ...EMPTY_PROFILE,
    hybrid: { ips: ['192.0.2.10'] },
    directSendSources: [printer],
  };
  const stages = stagesWith({ 0: [ADMIT_PRINTER], 2: [ENABLE], 3: [REJECT_DIRECT_SEND] }, TITLES);
  const checked = check(profile, stages);
  const simulated = simulations.mock.calls.length;
  const { refusal, laterRefusals } = checked.plan;

  test('the first refusal is stage 2, for hybrid (5.7.51, CON-5), and stands as it was', () => {
    expect(refusal?.stage).toBe(2);
    expect(refusal?.paths.map((p) => [p.id, p.onlyWithout])).toEqual([[HYBRID, false]]);
    expect(refusal?.onlyWithout).toBe(false);
    expect(refusal?.paths[0]!.outcome.reply).toMatch(/^550 5\.7\.51 /);
  });

  test('stage 3 is refused on its own for both paths, the printer marked as breaking only without stage 2', () => {
    expect(laterRefusals).toHaveLength(1);
    const r = laterRefusals[0]!;
    expect(r.stage).toBe(3);
    expect(r.without).toEqual([2]);
    expect(r.paths.map((p) => [p.id, p.outcome.reply?.slice(0, 12), p.rules, p.onlyWithout])).toEqual([
      [PRINTER, '550 5.7.68 T', ['DS-2 [D]'], true],
      [HYBRID, '550 5.7.68 T', ['DS-2 [D]'], false],
    ]);
    // Hybrid still breaks with stage 2 applied, so the refusal as a whole stands.
    expect(r.onlyWithout).toBe(false);
  });

  test('the explanation says so, and does not tell the administrator to declare the declared printer', () => {
    const text = laterRefusals[0]!.explanation;
    expect(text).toMatch(
      /^stage 3 \(Reject Direct Send\) would also break path\.declared-source:HQ printer, path\.hybrid-onpremises \(judged on its own, with refused stage 2 left out\): /,
    );
    expect(text).toMatch(
      /path\.declared-source:HQ printer breaks only while stage 2 is left out: applied after it, stage 3 leaves path\.declared-source:HQ printer (preserved|uncertain)\. Resolve the refusal of stage 2 first\./,
    );
    expect(text).not.toMatch(/declare it under directSendSources/);
    expect(text).toMatch(/Admit on-premises Exchange before this stage/);
  });

  test('plan.md marks the printer path', () => {
    const md = renderPlanFiles(checked)['plan.md']!;
    expect(md).toMatch(/#### Stage 3\n\n/);
    expect(md).toMatch(
      /- path\.declared-source:HQ printer: \w+ → broken \(only while stage 2 is left out\); rejected at rcpt: 550 5\.7\.68/,
    );
    expect(md).toMatch(/- path\.hybrid-onpremises: \w+ → broken; rejected at rcpt: 550 5\.7\.68/);
  });

  test('cost: one more simulation per later refusal, with the refused stages applied', () => {
    // "before", stages 0, 2 and 3 (the ones with changes), and stage 3 again with stage 2 applied.
    expect(simulated).toBe(1 + 3 + 1);
  });
});

test('a later refusal whose every path breaks only without the refused stage says so as a whole', () => {
  // Stage 2 enables the lock-down but lists only the printer: the gateway's own mail breaks, so stage 2 is refused.
  const printerOnly = setChange(
    2,
    'InboundConnector',
    'From SEG',
    { SenderIPAddresses: [GATEWAY_IP] },
    { SenderIPAddresses: [PRINTER_IP] },
  );
  const checked = check(
    { ...EMPTY_PROFILE, directSendSources: [printer] },
    stagesWith({ 2: [ENABLE, printerOnly], 3: [REJECT_DIRECT_SEND] }, TITLES),
  );
  expect(checked.plan.refusal?.paths.map((p) => p.id)).toEqual(['path.gateway-delivery']);
  const r = checked.plan.laterRefusals[0]!;
  expect([r.stage, r.onlyWithout, r.paths.map((p) => [p.id, p.onlyWithout])]).toEqual([
    3,
    true,
    [[PRINTER, true]],
  ]);
  expect(r.explanation).not.toMatch(/declare it|under directSendSources|Admit the source|admit it by hand/);
  expect(r.explanation).toMatch(/breaks only while stage 2 is left out/);
  expect(renderPlanFiles(checked)['plan.md']).toMatch(/#### Stage 3 \(only while stage 2 is left out\)\n/);
});
