import { describe, expect, test } from 'vitest';
import { check } from '../../../src/checks/step3/rule.safety-net-coverage.js';
import type { SnapshotObjects } from '../../../src/snapshot/types.js';
import { evidenceText, run, type ContextInput } from '../helpers.js';
import {
  GATEWAY_CERT,
  GATEWAY_IPS,
  hardened,
  safetyNetRule,
  taggingRule,
} from '../../fixtures/checks/seg-tenant.js';

type Rule = Partial<SnapshotObjects['Get-TransportRule']>;
const rules = (...r: Rule[]): ContextInput => hardened({ data: { 'Get-TransportRule': r } });
const net = (over: Rule = {}) => rules(safetyNetRule(over));
const routeOnly = {
  RejectMessageEnhancedStatusCode: undefined,
  RejectMessageReasonText: undefined,
  RouteMessageOutboundConnector: 'To SEG',
};
const HYBRID = { hybrid: { ips: ['192.0.2.10'] } };

describe('rule.safety-net-coverage', () => {
  test.each<[string, ContextInput, string]>([
    [
      'the guide rule',
      net(),
      'ExceptIfSenderIpRanges covers every gateway IP (203.0.113.10, 203.0.113.11, 198.51.100.0/28)',
    ],
    [
      'hybrid declared, AuthAs exception present',
      { ...net(), profile: HYBRID },
      'excepts X-MS-Exchange-Organization-AuthAs Internal',
    ],
    [
      'hybrid declared, hybrid IPs excepted instead',
      {
        ...net({
          ExceptIfHeaderMatchesMessageHeader: undefined,
          ExceptIfHeaderMatchesPatterns: undefined,
          ExceptIfSenderIpRanges: [...GATEWAY_IPS, '192.0.2.10'],
        }),
        profile: HYBRID,
      },
      'excepts every hybrid IP (192.0.2.10)',
    ],
    [
      'routes to an existing outbound connector',
      hardened({
        data: {
          'Get-TransportRule': [safetyNetRule(routeOnly)],
          'Get-OutboundConnector': [{ Name: 'To SEG', Enabled: true }],
        },
      }),
      'covers every gateway IP',
    ],
  ])('pass: %s', (_n, input, evidence) => {
    const out = run(check, input);
    expect(out.status).toBe('pass');
    expect(evidenceText(out)).toContain(evidence);
  });

  test.each<[string, ContextInput, string]>([
    [
      'a gateway range missing from the exceptions',
      net({ ExceptIfSenderIpRanges: ['203.0.113.10', '203.0.113.11'] }),
      'gateway IP 198.51.100.0/28 is not in ExceptIfSenderIpRanges',
    ],
    [
      'an exception on a header the sender can write',
      net({ ExceptIfHeaderContainsMessageHeader: 'X-Gateway-Scanned', ExceptIfHeaderContainsWords: ['yes'] }),
      "ExceptIfHeaderContainsMessageHeader = 'X-Gateway-Scanned': an attacker can write this header",
    ],
    [
      'an exception on Authentication-Results',
      net({
        ExceptIfHeaderMatchesMessageHeader: 'Authentication-Results',
        ExceptIfHeaderMatchesPatterns: ['dmarc=pass'],
      }),
      "ExceptIfHeaderMatchesMessageHeader = 'Authentication-Results'",
    ],
    [
      'the meeting-forward header exception (S51) is forgeable',
      net({
        ExceptIfMessageTypeMatches: undefined,
        ExceptIfHeaderContainsMessageHeader: 'X-MS-Exchange-MeetingForward-Message',
        ExceptIfHeaderContainsWords: ['Forward'],
      }),
      'use -ExceptIfMessageTypeMatches Calendaring instead',
    ],
    [
      'routes to a missing outbound connector',
      net(routeOnly),
      "routes to outbound connector 'To SEG', which does not exist",
    ],
    [
      'routes to a disabled outbound connector',
      hardened({
        data: {
          'Get-TransportRule': [safetyNetRule(routeOnly)],
          'Get-OutboundConnector': [{ Name: 'To SEG', Enabled: false }],
        },
      }),
      'which is disabled',
    ],
  ])('fail: %s', (_n, input, evidence) => {
    const out = run(check, input);
    expect(out.status).toBe('fail');
    expect(evidenceText(out)).toContain(evidence);
  });

  test.each<[string, ContextInput, string]>([
    [
      'an exception range that is no known source',
      net({ ExceptIfSenderIpRanges: [...GATEWAY_IPS, '192.0.2.0/24'] }),
      'ExceptIfSenderIpRanges entry 192.0.2.0/24 is neither a gateway, hybrid nor declared-source address',
    ],
    [
      'an invalid exception range',
      net({ ExceptIfSenderIpRanges: [...GATEWAY_IPS, 'gateway'] }),
      "entry 'gateway' is not a valid address or range",
    ],
    [
      'no calendaring exception',
      net({ ExceptIfMessageTypeMatches: undefined }),
      'no calendaring / meeting-forward exception',
    ],
    [
      'hybrid declared without an AuthAs exception',
      {
        ...net({ ExceptIfHeaderMatchesMessageHeader: undefined, ExceptIfHeaderMatchesPatterns: undefined }),
        profile: HYBRID,
      },
      'hybrid is declared but the rule has no exception on header X-MS-Exchange-Organization-AuthAs',
    ],
    [
      'a narrowing condition',
      net({ RecipientDomainIs: ['contoso.com'] }),
      'also requires RecipientDomainIs [contoso.com]',
    ],
  ])('warn: %s', (_n, input, evidence) => {
    const out = run(check, input);
    expect(out.status).toBe('warn');
    expect(evidenceText(out)).toContain(evidence);
  });

  test.each<[string, ContextInput, string]>([
    [
      'gateway IPs unknown',
      { ...net(), gateway: { certificate: GATEWAY_CERT } },
      'gateway IPs unknown, cannot verify ExceptIfSenderIpRanges',
    ],
    [
      'routing target not verifiable',
      (() => {
        const h = net(routeOnly);
        delete h.data?.['Get-OutboundConnector'];
        return h;
      })(),
      'Get-OutboundConnector.json was not exported',
    ],
  ])('unknown: %s', (_n, input, evidence) => {
    const out = run(check, input);
    expect(out.status).toBe('unknown');
    expect(evidenceText(out)).toContain(evidence);
  });

  test('remediation sets the whole exception list in one command', () => {
    const out = run(check, net({ ExceptIfSenderIpRanges: ['203.0.113.10'] }));
    const ps = out.remediation?.powershell ?? '';
    expect(ps.match(/-ExceptIfSenderIpRanges/g)).toHaveLength(1);
    expect(ps).toContain(
      "Set-TransportRule -Identity 'BLOCK - Direct EOP Ingress (Bypass SEG)' -ExceptIfSenderIpRanges '203.0.113.10','203.0.113.11','198.51.100.0/28'",
    );
  });

  // Direct Send and every other anonymous message carries AuthAs Anonymous (eop-model §7.3 [D] S38, field-notes 7): an
  // exception that matches it exempts exactly the mail the net exists for.
  test.each<[string, ContextInput, string]>([
    [
      'the AuthAs exception matches Anonymous',
      { ...net({ ExceptIfHeaderMatchesPatterns: ['Anonymous'] }), profile: HYBRID },
      "ExceptIfHeaderMatchesMessageHeader = 'X-MS-Exchange-Organization-AuthAs' with 'Anonymous' matches anonymous mail",
    ],
    [
      'the AuthAs exception is a catch-all pattern',
      net({ ExceptIfHeaderMatchesPatterns: ['.*'] }),
      "with '.*' matches anonymous mail",
    ],
    [
      'the AuthAs word exception lists Anonymous',
      net({
        ExceptIfHeaderMatchesMessageHeader: undefined,
        ExceptIfHeaderMatchesPatterns: undefined,
        ExceptIfHeaderContainsMessageHeader: 'X-MS-Exchange-Organization-AuthAs',
        ExceptIfHeaderContainsWords: ['Internal', 'Anonymous'],
      }),
      'matches anonymous mail',
    ],
    [
      'an exception on the sender domain, which the sender chooses',
      net({ ExceptIfSenderDomainIs: ['contoso.com'] }),
      'ExceptIfSenderDomainIs [contoso.com]: the sender chooses its own address',
    ],
    [
      'an exception on sender addresses',
      net({ ExceptIfFrom: ['scanner@contoso.com'] }),
      'ExceptIfFrom [scanner@contoso.com]: the sender chooses its own address',
    ],
    [
      'an exception on words in the sender address',
      net({ ExceptIfFromAddressContainsWords: ['noreply'] }),
      'ExceptIfFromAddressContainsWords [noreply]',
    ],
  ])('fail (exception defeats the net): %s', (_n, input, evidence) => {
    const out = run(check, input);
    expect(out.status).toBe('fail');
    expect(evidenceText(out)).toContain(evidence);
  });

  test.each<[string, ContextInput, string]>([
    [
      'an exception mxlock does not model',
      net({
        Exceptions: [
          'Microsoft.Exchange.MessagingPolicies.Rules.Tasks.SenderIpRangesPredicate',
          'Microsoft.Exchange.MessagingPolicies.Rules.Tasks.HeaderMatchesPredicate',
          'Microsoft.Exchange.MessagingPolicies.Rules.Tasks.MessageTypeMatchesPredicate',
          'Microsoft.Exchange.MessagingPolicies.Rules.Tasks.SubjectContainsPredicate',
        ],
      }),
      'exception SubjectContainsPredicate is not evaluated by mxlock',
    ],
    [
      'a condition mxlock does not model',
      net({
        Conditions: [
          'Microsoft.Exchange.MessagingPolicies.Rules.Tasks.FromScopePredicate',
          'Microsoft.Exchange.MessagingPolicies.Rules.Tasks.AttachmentSizeOverPredicate',
        ],
      }),
      'also requires AttachmentSizeOverPredicate',
    ],
    [
      'an exception for some recipient domains',
      net({ ExceptIfRecipientDomainIs: ['fabrikam.com'] }),
      'ExceptIfRecipientDomainIs [fabrikam.com]: direct mail to these domains is not caught',
    ],
    [
      'a declared Direct Send source that is not excepted',
      {
        ...net(),
        profile: {
          directSendSources: [{ name: 'HQ scanners', ips: ['192.0.2.50'], senders: ['s@contoso.com'] }],
        },
      },
      "declared Direct Send source 'HQ scanners' (192.0.2.50) is not in ExceptIfSenderIpRanges",
    ],
  ])('warn: %s', (_n, input, evidence) => {
    const out = run(check, input);
    expect(out.status).toBe('warn');
    expect(evidenceText(out)).toContain(evidence);
  });

  test('the known exception predicates of the guide rule raise nothing', () => {
    const out = run(
      check,
      net({
        Conditions: ['Microsoft.Exchange.MessagingPolicies.Rules.Tasks.FromScopePredicate'],
        Exceptions: [
          'Microsoft.Exchange.MessagingPolicies.Rules.Tasks.SenderIpRangesPredicate',
          'Microsoft.Exchange.MessagingPolicies.Rules.Tasks.HeaderMatchesPredicate',
          'Microsoft.Exchange.MessagingPolicies.Rules.Tasks.MessageTypeMatchesPredicate',
        ],
      }),
    );
    expect(out.status).toBe('pass');
  });

  test('a declared source is added to the one exception-list command', () => {
    const out = run(check, {
      ...net(),
      profile: {
        directSendSources: [{ name: 'HQ scanners', ips: ['192.0.2.50'], senders: ['s@contoso.com'] }],
      },
    });
    expect(out.remediation?.powershell).toContain(
      "Set-TransportRule -Identity 'BLOCK - Direct EOP Ingress (Bypass SEG)' -ExceptIfSenderIpRanges '203.0.113.10','203.0.113.11','198.51.100.0/28','192.0.2.50'",
    );
  });

  test('removing a forgeable header exception clears its values too', () => {
    const out = run(
      check,
      net({ ExceptIfHeaderContainsMessageHeader: 'X-Gateway-Scanned', ExceptIfHeaderContainsWords: ['yes'] }),
    );
    expect(out.remediation?.powershell).toContain(
      "Set-TransportRule -Identity 'BLOCK - Direct EOP Ingress (Bypass SEG)' -ExceptIfHeaderContainsMessageHeader $null -ExceptIfHeaderContainsWords $null",
    );
  });

  test('not-applicable without a safety net', () => {
    expect(run(check, rules(taggingRule())).status).toBe('not-applicable');
  });
});
