import { describe, expect, test } from 'vitest';
import { check } from '../../../src/checks/step3/rule.filtering-bypass.js';
import type { SnapshotObjects } from '../../../src/snapshot/types.js';
import { evidenceText, run, type ContextInput } from '../helpers.js';
import { GATEWAY_IPS, hardened, safetyNetRule, taggingRule } from '../../fixtures/checks/seg-tenant.js';

type Rule = Partial<SnapshotObjects['Get-TransportRule']>;
const SKIP_LINKS = 'X-MS-Exchange-Organization-SkipSafeLinksProcessing';
const SKIP_ATTACHMENTS = 'X-MS-Exchange-Organization-SkipSafeAttachmentProcessing';

const withRule = (over: Rule): ContextInput =>
  hardened({
    data: {
      'Get-TransportRule': [
        safetyNetRule(),
        taggingRule({
          Name: 'Skip for SEG',
          FromScope: undefined,
          SetHeaderName: SKIP_LINKS,
          SetHeaderValue: '1',
          ...over,
        }),
      ],
    },
  });

describe('rule.filtering-bypass', () => {
  test.each<[string, ContextInput, string, string]>([
    ['no header-setting rule', hardened(), 'pass', '2 transport rule(s), none sets a header that skips'],
    [
      'Safe Links skipped for everyone',
      withRule({}),
      'fail',
      `rule 'Skip for SEG': SetHeaderName = '${SKIP_LINKS}' (State = Enabled, Mode = Enforce): matching mail skips Safe Links`,
    ],
    [
      'Safe Attachments skipped, header name in another case (the service matches it case-insensitively)',
      withRule({ SetHeaderName: SKIP_ATTACHMENTS.toLowerCase() }),
      'fail',
      'matching mail skips Safe Attachments, so its attachments are never detonated',
    ],
    [
      'keyed on the gateway IPs',
      withRule({ SenderIpRanges: [...GATEWAY_IPS] }),
      'fail',
      "keyed on the gateway IPs (SenderIpRanges [203.0.113.10, 203.0.113.11, 198.51.100.0/28]), which the gateway's other customers share",
    ],
    [
      'keyed on an own sender domain without a guard',
      withRule({ SenderDomainIs: ['contoso.com'] }),
      'fail',
      "keyed on SenderDomainIs 'contoso.com' with no SenderIpRanges and no Authentication-Results check",
    ],
    [
      'a rule writing the anti-spam verdict header',
      withRule({ SetHeaderName: 'X-Forefront-Antispam-Report', SetHeaderValue: 'SFV:SKN' }),
      'warn',
      "writes EOP's own anti-spam verdict header",
    ],
    [
      'a Clutter bypass only (not a filtering bypass)',
      withRule({ SetHeaderName: 'X-MS-Exchange-Organization-BypassClutter', SetHeaderValue: 'true' }),
      'pass',
      'only keeps matching mail out of Clutter sorting',
    ],
    [
      'an unrelated header',
      withRule({ SetHeaderName: 'X-ETR', SetHeaderValue: 'Bypass for partner' }),
      'pass',
      'none sets a header that skips',
    ],
    ['disabled', withRule({ State: 'Disabled' }), 'info', 'is not enforced now (disabled or in audit mode)'],
    ['audit mode', withRule({ Mode: 'Audit' }), 'info', 'takes effect the day it is enabled'],
    ['State unreadable (unmapped integer)', withRule({ State: 3 as never }), 'unknown', 'State = #3'],
    [
      'the header is not in the export',
      withRule({
        SetHeaderName: undefined,
        Actions: ['Microsoft.Exchange.MessagingPolicies.Rules.Tasks.SetHeaderAction'],
      }),
      'unknown',
      "rule 'Skip for SEG': SetHeaderAction listed in Actions but SetHeaderName is not in the export",
    ],
  ])('%s', (_n, input, status, evidence) => {
    const out = run(check, input);
    expect(out.status).toBe(status);
    expect(evidenceText(out)).toContain(evidence);
  });

  test('critical when an enforced bypass is keyed on a spoofable own domain, high otherwise', () => {
    expect(run(check, withRule({ SenderDomainIs: ['contoso.com'] })).severity).toBe('critical');
    expect(
      run(check, withRule({ SenderDomainIs: ['contoso.com'], SenderIpRanges: [...GATEWAY_IPS] })).severity,
    ).toBe(undefined);
    expect(check.severity).toBe('high');
    // An Authentication-Results check guards it too (ORCA 118-4's rule, shared with rule.scl-bypass-spoofable).
    const guarded = run(
      check,
      withRule({
        SenderDomainIs: ['contoso.com'],
        HeaderContainsMessageHeader: 'Authentication-Results',
        HeaderContainsWords: ['dmarc=pass'],
      }),
    );
    expect(guarded.status).toBe('fail');
    expect(guarded.severity).toBe(undefined);
  });

  test('remediation removes every bypass rule, quoted, and points at the advanced delivery policy', () => {
    const out = run(check, withRule({ Name: "Skip 'sim' links" }));
    expect(out.remediation?.powershell).toContain("Remove-TransportRule -Identity 'Skip ''sim'' links'");
    expect(out.remediation?.powershell).toContain('advanced delivery policy');
    expect(out.remediation?.portal).toContain('Mail flow → Rules');
  });

  test('a fail outranks a disabled one; both are named', () => {
    const out = run(
      check,
      hardened({
        data: {
          'Get-TransportRule': [
            taggingRule({ Name: 'A', SetHeaderName: SKIP_LINKS }),
            taggingRule({ Name: 'B', Priority: 2, State: 'Disabled', SetHeaderName: SKIP_ATTACHMENTS }),
          ],
        },
      }),
    );
    expect(out.status).toBe('fail');
    expect(evidenceText(out)).toContain("rule 'A'");
    expect(evidenceText(out)).toContain("rule 'B' is not enforced now");
  });

  test('without accepted domains, a sender-keyed bypass says the own-domain question is open', () => {
    const input = withRule({ SenderDomainIs: ['contoso.com'] });
    delete input.data?.['Get-AcceptedDomain'];
    const out = run(check, input);
    expect(out.status).toBe('fail');
    expect(out.severity).toBe(undefined);
    expect(evidenceText(out)).toContain('Get-AcceptedDomain.json was not exported');
  });

  test('unknown when Get-TransportRule was not exported', () => {
    const input = hardened();
    delete input.data?.['Get-TransportRule'];
    const out = run(check, input);
    expect(out.status).toBe('unknown');
    expect(evidenceText(out)).toContain('Get-TransportRule.json was not exported');
  });
});
