/**
 * Template for a new check: copy to `src/checks/<step>/<check-id>.ts`, fill in, add to the step's index.ts.
 * Rules: pure (no I/O), `unknown` with the reason when data is missing, evidence names object and property.
 * Declare in `reads` every export and property the check reads (directly or through ctx.tenant) and in `checklist` the
 * final-checklist row it rests on, if any: inventory.snapshot-complete and the checklist are derived from them, and
 * test/checks/declarations.test.ts fails when the code reads what is not declared.
 */
import type { Check } from './types.js';

export const check: Check = {
  id: 'step.check-id',
  step: 0,
  title: 'What a passing tenant looks like, in one line',
  severity: 'medium',
  references: ['eop-model.md RULE-ID', 'https://learn.microsoft.com/…'],
  remediation: { powershell: '# exact PowerShell', portal: 'Portal > path > to > setting' },
  reads: { 'Get-OrganizationConfig': ['RejectDirectSend'] }, // every export and property evaluate reads
  checklist: 'checklist.reject-direct-send', // the final-checklist row it rests on; omit when none
  evaluate(ctx) {
    const org = ctx.tenant.org;
    if (!org) return { status: 'unknown', evidence: ['Get-OrganizationConfig was not exported'] };
    return { status: 'pass', evidence: [] };
  },
};
