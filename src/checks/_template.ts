/**
 * Template for a new check: copy to `src/checks/<step>/<check-id>.ts`, fill in, add to the step's index.ts.
 * Rules: pure (no I/O), `unknown` with the reason when data is missing, evidence names object and property.
 */
import type { Check } from './types.js';

export const check: Check = {
  id: 'step.check-id',
  step: 0,
  title: 'What a passing tenant looks like, in one line',
  severity: 'medium',
  references: ['eop-model.md RULE-ID', 'https://learn.microsoft.com/…'],
  remediation: { powershell: '# exact PowerShell', portal: 'Portal > path > to > setting' },
  evaluate(ctx) {
    const org = ctx.tenant.org;
    if (!org) return { status: 'unknown', evidence: ['Get-OrganizationConfig was not exported'] };
    return { status: 'pass', evidence: [] };
  },
};
