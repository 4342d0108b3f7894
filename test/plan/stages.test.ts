/**
 * The stage list (src/plan/planner.ts STAGES): one module per stage, run in stage order over one context. A stage
 * drafts only for itself, so moving a draft between modules cannot silently move a change to another stage.
 */
import { describe, expect, test } from 'vitest';
import { resolveStages } from '../../src/plan/drafts.js';
import { planChanges, planContext, STAGES } from '../../src/plan/planner.js';
import type { ResolvedGateway } from '../../src/common/gateway.js';
import { EMPTY_PROFILE, type Profile } from '../../src/profile/schema.js';
import { makeGateway } from '../checks/helpers.js';
import { partner, tenant } from './builders.js';

const CERT_GATEWAY = makeGateway({ name: 'Example SEG', ips: ['203.0.113.10'], certificate: '*.gw.example' });
const PRINTER: Profile = {
  ...EMPTY_PROFILE,
  directSendSources: [{ name: 'HQ printer', ips: ['192.0.2.50'], senders: ['scanner@contoso.com'] }],
};

/**
 * Drafts in every stage: a declared source with no connector (stage 0 creates one, stage 2 restricts it), the
 * certificate lock-down in place with a second connector restricted to the gateway's shared IPs beside it (stage 2
 * disables it), and default anti-phishing and anti-spam policies.
 */
function input(gateway: ResolvedGateway = CERT_GATEWAY) {
  return {
    snapshot: tenant(
      [
        partner('SEG', { TlsSenderCertificateName: '*.gw.example', RestrictDomainsToCertificate: true }),
        partner('Old SEG', { RestrictDomainsToIPAddresses: true }),
      ],
      {
        'Get-AntiPhishPolicy': [{ Name: 'Office365 AntiPhish Default', IsDefault: true }],
        'Get-HostedContentFilterPolicy': [{ Name: 'Default', IsDefault: true, BulkThreshold: 7 }],
      },
    ),
    profile: PRINTER,
    gateway,
  };
}

describe('the stage list', () => {
  test('lists stages 0 to 5 once each, in the order they run', () => {
    expect(STAGES.map((s) => s.no)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  test('each stage drafts for its own number only', () => {
    const made = planContext(input());
    if (!made.ok) throw new Error(made.blocked);
    const { ctx } = made;
    const byStage = STAGES.map((stage) => {
      const from = ctx.drafts.length;
      stage.draft(ctx);
      return { no: stage.no, drafted: ctx.drafts.slice(from).map((d) => d.stage) };
    });
    // Every stage drafts something in this tenant, so the check below is not vacuous.
    for (const { no, drafted } of byStage) {
      expect(drafted.length, `stage ${no}`).toBeGreaterThan(0);
      expect(new Set(drafted), `stage ${no}`).toEqual(new Set([no]));
    }
  });

  test('the plan is the stages run in order over one context', () => {
    const made = planContext(input());
    if (!made.ok) throw new Error(made.blocked);
    for (const stage of STAGES) stage.draft(made.ctx);
    const stages = resolveStages(STAGES, made.ctx.drafts, input().snapshot, made.ctx.notes);
    expect(planChanges(input()).stages).toEqual(stages);
    // Stage 2's decision reaches stage 5: the connector it disables gets no Enhanced Filtering.
    const titles = stages.flatMap((s) => s.changes.map((c) => `${s.no} ${c.title}`));
    expect(titles).toContain(
      "2 Disable 'Old SEG', which restricts by IP (203.0.113.10) beside the lock-down",
    );
    expect(titles.filter((t) => t.startsWith('5 Enhanced Filtering'))).toEqual([
      "5 Enhanced Filtering on 'SEG' for the gateway's IPs",
    ]);
  });

  test('a refusal comes with the warnings said before the stages', () => {
    // A certificate lock-down the profile does not tie to the gateway: refused after the gateway's cautions are said.
    const gateway = makeGateway({
      name: 'Example SEG',
      ips: ['203.0.113.10'],
      cautions: ['inferred from MX'],
    });
    const made = planContext({ ...input(), gateway });
    expect(made.ok).toBe(false);
    if (made.ok) return;
    expect(made.blocked).toMatch(/^'SEG' restricts every sender domain to the certificate \*\.gw\.example/);
    expect(made.warnings).toEqual(['gateway: inferred from MX']);
    expect(planChanges({ ...input(), gateway })).toEqual({
      stages: [],
      warnings: made.warnings,
      blocked: made.blocked,
    });
  });

  test('a draft for a stage the list lacks is a programming error, not a lost change', () => {
    const made = planContext(input());
    if (!made.ok) throw new Error(made.blocked);
    STAGES[3]!.draft(made.ctx);
    expect(() =>
      resolveStages(STAGES.slice(0, 3), made.ctx.drafts, input().snapshot, made.ctx.notes),
    ).toThrow(/stage 3, which the stage list lacks/);
  });
});
