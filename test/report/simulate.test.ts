/**
 * The rule a simulate cell names is the one behind the reply it stands for. In examples/half-done RejectDirectSend is
 * on and 'Scanners - HQ' restricts fabrikam.com, so own-domain Direct Send is refused at RCPT for two reasons, CON-5
 * and DS-2, with CON-5's 5.7.51 (the first in §9 order, model/rcpt.ts): the cell must say CON-5, not DS-2.
 */
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { assessExport } from '../../src/assess-export.js';
import { simulatePaths } from '../../src/assess.js';
import { resolveGateway } from '../../src/profile/infer.js';
import { EMPTY_PROFILE } from '../../src/profile/schema.js';
import { decidingRule } from '../../src/report/simulate.js';

const NOW = new Date('2026-11-28T00:00:00Z');

test('a refusal at RCPT with several reasons names the rule whose reply is shown', async () => {
  const r = await assessExport(join(import.meta.dirname, '..', '..', 'examples', 'half-done'), {
    offline: true,
    now: NOW,
  });
  const paths = simulatePaths(r.snapshot, r.profile ?? EMPTY_PROFILE, resolveGateway(r.profile, r.snapshot), {
    zone: r.zone,
    now: NOW,
  });
  const p = paths.find((x) => x.id === 'path.direct-send-own-domain');
  expect(p?.outcome.reply).toMatch(/^550 5\.7\.51 /);
  expect(p?.evidence.some((e) => e.startsWith('DS-2 [D]'))).toBe(true);
  expect(decidingRule(p!)).toBe('CON-5 [D]');
});
