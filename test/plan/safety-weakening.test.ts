/**
 * The planner's safety check reports a stage that exposes an attack or residual path (review finding 3, r15): a
 * certificate lock-down ('SEG cert') beside a second Partner connector matching the gateway's IP ('SEG ip'). A stage
 * that IP-restricts 'SEG ip' lets anyone on the shared gateway IP satisfy a lock-down (one satisfying restricting
 * connector suffices, §12 OQ-2), so path.shared-gateway-ip goes closed → open. The stages are built by hand: which
 * connector the planner restricts is not what is tested here.
 */
import { describe, expect, test } from 'vitest';
import { renderPlanFiles, renderStageScript } from '../../src/plan/render.js';
import type { Stage } from '../../src/plan/types.js';
import { EMPTY_PROFILE } from '../../src/profile/schema.js';
import { makeGateway } from '../checks/helpers.js';
import { checkStages, partner, setChange, stagesWith, tenant } from './builders.js';

const SHARED = 'path.shared-gateway-ip';

const snapshot = tenant([
  partner('SEG cert', {
    SenderIPAddresses: [],
    TlsSenderCertificateName: '*.gw.example',
    RestrictDomainsToCertificate: true,
    RequireTls: true,
  }),
  partner('SEG ip', {}),
]);
// The certificate is the tenant's alone: before the plan, another customer on the gateway IP is refused (closed).
const gateway = makeGateway({
  name: 'SEG',
  ips: ['203.0.113.10'],
  certificate: '*.gw.example',
  certificateUnique: true,
});

const IP_RESTRICT = setChange(
  2,
  'InboundConnector',
  'SEG ip',
  { RestrictDomainsToIPAddresses: false, RequireTls: false },
  { RestrictDomainsToIPAddresses: true, RequireTls: true },
);
const REQUIRE_TLS = setChange(2, 'InboundConnector', 'SEG ip', { RequireTls: false }, { RequireTls: true });
const REJECT_DIRECT_SEND = setChange(
  3,
  'OrganizationConfig',
  '',
  { RejectDirectSend: false },
  { RejectDirectSend: true },
);

const check = (stages: Stage[]) => checkStages({ snapshot, profile: EMPTY_PROFILE, gateway, stages });

describe('a stage that turns a closed attack or residual path open', () => {
  const checked = check(stagesWith({ 2: [IP_RESTRICT], 3: [REJECT_DIRECT_SEND] }));
  const { plan } = checked;

  test('the shared-gateway path is closed before the plan (so the assertions below mean something)', () => {
    expect(checked.before.find((p) => p.id === SHARED)?.status).toBe('closed');
  });

  test('is reported as a weakening naming the stage, the path, its status before and after, and the deciding rule', () => {
    expect(plan.weakenings).toHaveLength(1);
    const w = plan.weakenings[0]!;
    expect(w.stage).toBe(2);
    expect(w.without).toEqual([]);
    expect(w.paths.map((p) => [p.id, p.kind, p.before, p.after])).toEqual([
      [SHARED, 'residual', 'closed', 'open'],
    ]);
    // The satisfied IP lock-down is what lets the other customer in (CON-5, one connector suffices, §12 OQ-2).
    expect(w.paths[0]!.rules[0]).toBe('CON-5 [I]');
    expect(w.paths[0]!.evidence.join('\n')).toMatch(/satisfies restricting connector 'SEG ip'/);
    expect(w.explanation).toMatch(
      /^stage 2 \(Restrict the Partner inbound connector to the gateway\) weakens path\.shared-gateway-ip \(closed → open\): path\.shared-gateway-ip ends "inbox", decided by CON-5 \[I\]/,
    );
  });

  test('only at the stage that opens it: a later stage that leaves it open is not reported again', () => {
    expect(checked.stages.find((s) => s.stage === 3)?.paths.find((p) => p.id === SHARED)?.status).toBe(
      'open',
    );
    expect(plan.weakenings.map((w) => w.stage)).toEqual([2]);
  });

  test('refusal semantics are unchanged: nothing legitimate breaks, so nothing is refused and every stage is run', () => {
    expect(plan.refusal).toBeUndefined();
    expect(plan.laterRefusals).toEqual([]);
    expect(checked.stages.map((s) => s.stage)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(checked.after.find((p) => p.id === SHARED)?.status).toBe('open');
  });

  test('plan.md has a section for it, and the stage says it weakens protection', () => {
    const files = renderPlanFiles(checked);
    const md = files['plan.md']!;
    const section = md.slice(md.indexOf('## Stages that weaken protection'), md.indexOf('## Paths before'));
    expect(section).toMatch(/^## Stages that weaken protection\n/);
    expect(section).toMatch(/### Stage 2\n\nstage 2 \(Restrict .*\) weakens path\.shared-gateway-ip/);
    expect(section).toMatch(
      /- path\.shared-gateway-ip: closed → open; inbox at post-acceptance \(decided by CON-5 \\\[I\\\]/,
    );
    expect(md).toMatch(
      /## Stage 2: Restrict the Partner inbound connector to the gateway\n\n.*\n\n\*\*Weakens protection:\*\* path\.shared-gateway-ip closed → open/,
    );
    expect(md).not.toMatch(/## Stage 3: .*\n\n.*\n\n\*\*Weakens/);
    // Not refused: the script is handed over, with the warning in its description and no stop.
    const script = files['stage-2.ps1']!;
    expect(script.slice(0, script.indexOf('#>'))).toMatch(
      /WARNING: this stage weakens protection\. stage 2 /,
    );
    expect(script).not.toMatch(/throw 'mxlock: stage 2 is refused/);
    expect(renderStageScript(checked, plan.stages[3]!)).not.toMatch(/weakens protection/);
  });
});

describe('no weakening is reported when no attack or residual path loses its protection', () => {
  test.each([
    ['TLS required on the second connector, without restricting it', { 2: [REQUIRE_TLS] }],
    ['RejectDirectSend only', { 3: [REJECT_DIRECT_SEND] }],
    ['no change at all', {}],
  ] as const)('%s', (_name, byStage) => {
    const checked = check(stagesWith(byStage));
    expect(checked.plan.weakenings).toEqual([]);
    expect(renderPlanFiles(checked)['plan.md']).not.toMatch(/weaken/i);
  });
});

test('a stage judged after a refusal is checked too, against the state it was judged on, naming the refused stage', () => {
  // Gateway known by IP and a certificate unique to the tenant: the other customer on the gateway IP is refused by
  // the certificate lock-down before the plan.
  const unique = makeGateway({
    name: 'SEG',
    ips: ['203.0.113.10'],
    certificate: '*.gw.example',
    certificateUnique: true,
  });
  // Stage 1 re-targets the lock-down to another certificate: the gateway's own mail breaks (5.7.51), so it is refused.
  const wrongCert = setChange(
    1,
    'InboundConnector',
    'SEG cert',
    { TlsSenderCertificateName: '*.gw.example' },
    { TlsSenderCertificateName: '*.other.example' },
  );
  const checked = checkStages({
    snapshot,
    profile: EMPTY_PROFILE,
    gateway: unique,
    stages: stagesWith({ 1: [wrongCert], 2: [IP_RESTRICT] }),
  });
  expect(checked.before.find((p) => p.id === SHARED)?.status).toBe('closed');
  expect(checked.plan.refusal?.stage).toBe(1);
  expect(
    checked.plan.weakenings.map((w) => [
      w.stage,
      w.without,
      w.paths.map((p) => `${p.id} ${p.before} → ${p.after}`),
    ]),
  ).toEqual([
    // The refused stage weakens too: whoever holds the other certificate would get in.
    [1, [], [`${SHARED} closed → open`]],
    [2, [1], [`${SHARED} closed → open`]],
  ]);
  expect(checked.plan.weakenings[1]!.explanation).toMatch(
    /\(judged on its own, with refused stage 1 left out\)/,
  );
});
