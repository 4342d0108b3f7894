/**
 * Template for a check's tests: `node scripts/new-check.mjs <step> <check-id>` copies it beside the other tests of the
 * step as `<check-id>.test.ts`. Replace the placeholder case with the check's own: one row per decision, each asserting
 * the status and the evidence that names the object and property.
 */
import { describe, expect, test } from 'vitest';
import { check } from '../../src/checks/_template.js';
import { hardenedData } from '../fixtures/checks/seg-tenant.js';
import { evidenceText, run } from './helpers.js';

describe('step.check-id', () => {
  test('unknown, with the reason, when the export it reads is missing', () => {
    const out = run(check, { data: hardenedData(), omit: ['Get-OrganizationConfig'] });
    expect(out.status).toBe('unknown');
    expect(evidenceText(out)).toContain('Get-OrganizationConfig');
  });
});
