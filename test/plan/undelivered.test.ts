/**
 * A declared source the plan cannot admit is never an exit 0 (issue 10 item 4). In examples/half-done RejectDirectSend
 * is already on and 'Scanners - HQ' restricts fabrikam.com, so a declared IPv6 printer is refused before the plan
 * (CON-5 [D], DS-2 [D]); SenderIPAddresses takes IPv4 only (§2.2 [D] S8), so no stage admits it either. No stage breaks
 * it, so none is refused: the plan lists it as undelivered, plan.md says so, and `plan` and `simulate --after-plan`
 * exit 1. The example's own declared scanner stays delivered and unlisted.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { planNeedsAttention, renderPlanFiles } from '../../src/plan/index.js';
import { mxlock } from '../support/cli.js';
import { planExportOffline } from './builders.js';

const EXAMPLE = join(import.meta.dirname, '..', '..', 'examples', 'half-done');
const NOW = new Date('2026-11-28T00:00:00Z');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function exampleWith(sources: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'mxlock-undelivered-'));
  dirs.push(dir);
  cpSync(EXAMPLE, dir, { recursive: true });
  const profile = readFileSync(join(dir, 'mxlock.yaml'), 'utf8');
  writeFileSync(
    join(dir, 'mxlock.yaml'),
    profile.replace(/directSendSources:\n/, `directSendSources:\n${sources}`),
  );
  return dir;
}

const V6_PRINTER = '  - name: v6 printer\n    ips: ["2001:db8::25"]\n    senders: [printer@fabrikam.com]\n';

describe('a declared source broken before and after the plan', () => {
  test('is listed as undelivered with its outcome and what to do; the delivered source is not', async () => {
    const { checked } = await planExportOffline(exampleWith(V6_PRINTER), NOW);
    const { plan } = checked;
    expect(checked.before.find((p) => p.id === 'path.declared-source:v6 printer')?.status).toBe('broken');
    expect(plan.refusal).toBeUndefined();
    expect(plan.undelivered.map((u) => u.id)).toEqual(['path.declared-source:v6 printer']);
    const [u] = plan.undelivered;
    expect(u!.outcome.reply).toMatch(/^550 5\.7\.51/);
    expect(u!.rules).toContain('CON-5 [D]');
    expect(u!.explanation).toMatch(/broken before the plan and stays broken after every runnable stage/);
    expect(u!.explanation).toMatch(/no stage of the plan admits it/);
    expect(planNeedsAttention(plan)).toBe(true);
    const md = renderPlanFiles(checked)['plan.md'];
    expect(md).toMatch(
      /## Declared sources the plan does not deliver\n[\s\S]*path\.declared-source:v6 printer/,
    );
  });

  test('the example as shipped delivers its declared scanner: nothing undelivered', async () => {
    const { checked } = await planExportOffline(exampleWith(''), NOW);
    expect(checked.after.find((p) => p.id === 'path.declared-source:HQ scanners')?.status).toBe('preserved');
    expect(checked.plan.undelivered).toEqual([]);
  });

  test('plan and simulate --after-plan exit 1 and say NOT DELIVERED / not delivered', async () => {
    const dir = exampleWith(V6_PRINTER);
    const plan = await mxlock('plan', dir, '--offline', '--out', join(dir, 'out'));
    expect(plan.code).toBe(1);
    expect(plan.stdout).toMatch(/^NOT DELIVERED: path\.declared-source:v6 printer /m);
    const sim = await mxlock('simulate', dir, '--offline', '--after-plan', '--format', 'json');
    expect(sim.code).toBe(1);
    expect(sim.stdout).toMatch(/not delivered: path\.declared-source:v6 printer/);
  });
});
