import { describe, expect, test } from 'vitest';
import { compileConfig } from '../../src/model/config.js';
import { classify } from '../../src/model/paths.js';
import { simulate } from '../../src/model/simulate.js';
import { buildTenant } from '../../src/model/tenant.js';
import { recordedAuthOracle } from '../../src/dns/oracle.js';
import type { Attempt, AuthVerdict } from '../../src/model/types.js';
import { baseData, configOf, DNS_MX_SEG, safetyNet, snapshotOf, type Data } from './helpers.js';

const PASS: AuthVerdict = { spf: 'pass', dkim: 'pass', dmarc: 'pass', dmarcPolicy: 'reject', notes: [] };
const direct: Attempt = {
  clientIp: '198.18.7.7',
  tls: true,
  certNames: [],
  mailFrom: 'x@sender.example',
  headerFrom: 'x@sender.example',
  rcpts: ['user@contoso.com'],
  adversarial: true,
  auth: PASS,
};
type Rule = NonNullable<Data['Get-TransportRule']>[number];
const withRules = (...rules: Rule[]): Data => ({ ...baseData(), 'Get-TransportRule': rules });

function configAt(data: Data, now: Date | undefined) {
  const snap = snapshotOf(data, DNS_MX_SEG);
  return compileConfig({
    tenant: buildTenant(snap),
    tablSpoof: undefined,
    mxPointsToEop: false,
    mxBasis: 'test',
    auth: recordedAuthOracle(snap.dns),
    ...(now ? { now } : {}),
  });
}

describe('TR-3: State, Mode and the activation window', () => {
  test('Mode not exported: the rule may be an audit rule → uncertain, never mitigated', () => {
    const { Mode: _m, ...rule } = safetyNet();
    const r = simulate(configOf(withRules(rule), { dns: DNS_MX_SEG }), direct);
    expect(classify('attack', r)).toBe('uncertain');
  });

  test('State not exported → uncertain', () => {
    const { State: _s, ...rule } = safetyNet();
    expect(classify('attack', simulate(configOf(withRules(rule), { dns: DNS_MX_SEG }), direct))).toBe(
      'uncertain',
    );
  });

  const NOW = new Date('2026-11-28T00:00:00Z');
  test.each<[string, Partial<Rule>, Date | undefined, string]>([
    ['no dates, no clock: acts', {}, undefined, 'mitigated'],
    ['activation in the past', { ActivationDate: '2026-01-01T00:00:00.000Z' }, NOW, 'mitigated'],
    ['activation in the future: not yet acting', { ActivationDate: '2027-01-01T00:00:00.000Z' }, NOW, 'open'],
    ['expiry in the future', { ExpiryDate: '2027-01-01T00:00:00.000Z' }, NOW, 'mitigated'],
    ['expired', { ExpiryDate: '2026-06-01T00:00:00.000Z' }, NOW, 'open'],
    ['expiring exactly now', { ExpiryDate: NOW.toISOString() }, NOW, 'open'],
    [
      'inside the window',
      { ActivationDate: '2026-01-01T00:00:00.000Z', ExpiryDate: '2027-01-01T00:00:00.000Z' },
      NOW,
      'mitigated',
    ],
    [
      'a date but no clock: undecided',
      { ActivationDate: '2026-01-01T00:00:00.000Z' },
      undefined,
      'uncertain',
    ],
  ])('%s → %s', (_name, over, now, status) => {
    const r = simulate(configAt(withRules(safetyNet(over)), now), direct);
    expect(classify('attack', r)).toBe(status);
  });
});

describe('TR-4: conditions and exceptions the export does not carry', () => {
  test('a listed condition whose property is missing is undecided, not dropped', () => {
    // Dropping SenderIpRanges would make this "reject everything": a false "mitigated".
    const rule = safetyNet({
      FromScope: undefined,
      ExceptIfSenderIpRanges: undefined,
      Conditions: ['Microsoft.Exchange.MessagingPolicies.Rules.Tasks.SenderIpRangesPredicate'],
    });
    const r = simulate(configOf(withRules(rule), { dns: DNS_MX_SEG }), direct);
    expect(classify('attack', r)).toBe('uncertain');
    expect(r.uncertainties.join(' ')).toMatch(/SenderIpRanges is not in the export/);
  });

  test('a listed exception whose property is missing is undecided, not dropped', () => {
    const rule = safetyNet({
      ExceptIfSenderIpRanges: undefined,
      Exceptions: ['Microsoft.Exchange.MessagingPolicies.Rules.Tasks.SenderIpRangesPredicate'],
    });
    const r = simulate(configOf(withRules(rule), { dns: DNS_MX_SEG }), direct);
    expect(classify('attack', r)).toBe('uncertain');
  });

  test('ExceptIfSentToScope cannot be read from the export → undecided', () => {
    const rule = safetyNet({
      Exceptions: ['Microsoft.Exchange.MessagingPolicies.Rules.Tasks.SentToScopePredicate'],
    });
    expect(classify('attack', simulate(configOf(withRules(rule), { dns: DNS_MX_SEG }), direct))).toBe(
      'uncertain',
    );
  });

  test('a header exception with its patterns missing is undecided for a non-adversarial sender', () => {
    const rule = safetyNet({
      ExceptIfHeaderMatchesMessageHeader: 'X-Gateway',
      ExceptIfHeaderMatchesPatterns: undefined,
    });
    const r = simulate(configOf(withRules(rule), { dns: DNS_MX_SEG }), {
      ...direct,
      adversarial: false,
      headers: { 'X-Gateway': 'scanned' },
    });
    expect(classify('legitimate', r)).toBe('uncertain');
  });

  test('the same header exception with patterns: decided', () => {
    const rule = safetyNet({
      ExceptIfHeaderMatchesMessageHeader: 'X-Gateway',
      ExceptIfHeaderMatchesPatterns: ['^scanned$'],
    });
    const r = simulate(configOf(withRules(rule), { dns: DNS_MX_SEG }), {
      ...direct,
      adversarial: false,
      headers: { 'x-gateway': 'scanned' },
    });
    expect(classify('legitimate', r)).toBe('preserved');
  });
});

describe('SenderAddressLocation (S20): which sender SenderDomainIs reads', () => {
  const bypass = (location: string | undefined): Rule => ({
    Name: 'bypass',
    Priority: 0,
    State: 'Enabled',
    Mode: 'Enforce',
    SenderDomainIs: ['contoso.com'],
    SetSCL: -1,
    ...(location ? { SenderAddressLocation: location } : {}),
  });
  // Authentication computed from DNS: the own domain's p=reject makes both spoofs fail DMARC.
  const { auth: _auth, ...unauthenticated } = direct;
  const headerSpoof: Attempt = { ...unauthenticated, headerFrom: 'ceo@contoso.com' };
  const envelopeOnly: Attempt = { ...unauthenticated, mailFrom: 'ceo@contoso.com' };

  test.each<[string | undefined, Attempt, boolean]>([
    [undefined, headerSpoof, true], // Header is the default
    ['Header', headerSpoof, true],
    ['Header', envelopeOnly, false],
    ['Envelope', headerSpoof, false],
    ['Envelope', envelopeOnly, true],
    ['HeaderOrEnvelope', headerSpoof, true],
    ['HeaderOrEnvelope', envelopeOnly, true],
  ])('%s: the SCL -1 bypass applies → %s', (location, attempt, applies) => {
    const cfg = configOf(withRules(bypass(location)), { dns: DNS_MX_SEG, mxPointsToEop: true });
    const r = simulate(cfg, attempt);
    expect(r.outcomes.some((o) => o.decisions.some((d) => d.rule === 'TR-SCL'))).toBe(applies);
  });
});

describe('TR-1 actions (§4.3)', () => {
  const A = 'Microsoft.Exchange.MessagingPolicies.Rules.Tasks.';
  const rule = (over: Partial<Rule>): Rule => ({
    Name: 'r',
    Priority: 0,
    State: 'Enabled',
    Mode: 'Enforce',
    FromScope: 'NotInOrganization',
    Conditions: [`${A}FromScopePredicate`],
    ...over,
  });

  test('RejectMessageAction without reason text or code: the default NDR line [C] S47', () => {
    const r = simulate(
      configOf(withRules(rule({ Actions: [`${A}RejectMessageAction`] })), { dns: DNS_MX_SEG }),
      direct,
    );
    expect(r.outcomes).toEqual([
      expect.objectContaining({
        disposition: 'ndr',
        reply: '550 5.7.1 TRANSPORT.RULES.RejectMessage; the message was rejected by organization policy',
      }),
    ]);
  });

  test.each<[string, Partial<Rule>, string]>([
    ['reason text only: code 5.7.1', { RejectMessageReasonText: 'Go away' }, '550 5.7.1 Go away'],
    [
      'code only: default text',
      { RejectMessageEnhancedStatusCode: '5.7.900' },
      '550 5.7.900 Delivery not authorized, message refused',
    ],
  ])('reject with %s', (_name, over, reply) => {
    const r = simulate(
      configOf(withRules(rule({ Actions: [`${A}RejectMessageAction`], ...over })), { dns: DNS_MX_SEG }),
      direct,
    );
    expect(r.outcomes[0]).toMatchObject({ disposition: 'ndr', reply });
  });

  test.each<[string, string[], string]>([
    ['DeleteMessageAction', [`${A}DeleteMessageAction`], 'mitigated'],
    ['QuarantineAction', [`${A}QuarantineAction`], 'mitigated'],
    ['PrependSubjectAction: no effect on delivery', [`${A}PrependSubjectAction`], 'open'],
    [
      'an action mxlock does not model (moderation): undecided',
      [`${A}ModerateMessageByUserAction`],
      'uncertain',
    ],
  ])('%s: %j → %s', (_name, actions, status) => {
    const r = simulate(configOf(withRules(rule({ Actions: actions })), { dns: DNS_MX_SEG }), direct);
    expect(classify('attack', r)).toBe(status);
  });
});

describe('ExceptIfSentToScope', () => {
  test('an exception for mail sent inside the organisation excludes internal recipients', async () => {
    const { ruleMatches } = await import('../../src/model/rules.js');
    const rule = {
      name: 'r',
      priority: 0,
      raw: {
        Name: 'r',
        FromScope: 'NotInOrganization',
        ExceptIfSentToScope: 'InOrganization',
        Exceptions: ['Microsoft.Exchange.MessagingPolicies.Rules.Tasks.SentToScopePredicate'],
      },
      senderIps: undefined,
      exceptSenderIps: undefined,
    };
    const msg = {
      clientIp: '198.18.7.7',
      mailFrom: 'x@sender.example',
      headerFrom: 'x@sender.example',
      rcpts: ['user@contoso.com'],
      authAs: 'Anonymous' as const,
      headers: new Map<string, string>(),
      adversarial: true,
      isAccepted: (d: string | undefined) => d === 'contoso.com',
    };
    expect(ruleMatches(rule as never, msg as never).truth).toBe(false);
    expect(ruleMatches(rule as never, { ...msg, rcpts: ['someone@elsewhere.example'] } as never).truth).toBe(
      true,
    );
  });
});
