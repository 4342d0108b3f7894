import { describe, expect, test } from 'vitest';
import {
  ANTI_PHISH,
  CONTENT_FILTER,
  commentSafe,
  isOwnSender,
  note,
  outcomeOf,
  reviewPolicies,
  type Note,
  type NoteLevel,
} from '../../../src/checks/step4/shared.js';
import { customPolicy, makeCtx } from '../ctx4.js';

describe('outcomeOf', () => {
  test.each<[NoteLevel[], string]>([
    [['ok'], 'pass'],
    [['ok', 'info'], 'info'],
    [['ok', 'unknown', 'info'], 'unknown'],
    [['unknown', 'warn'], 'warn'],
    [['warn', 'fail', 'unknown'], 'fail'],
  ])('%j → %s', (levels, status) => {
    const notes = levels.map((l, i) => note(l, `n${i}`));
    expect(outcomeOf(notes).status).toBe(status);
    expect(outcomeOf(notes).evidence).toEqual(levels.map((_, i) => `n${i}`));
  });

  test('no notes is unknown, never pass', () => {
    expect(outcomeOf([]).status).toBe('unknown');
  });
});

describe('commentSafe', () => {
  test.each([
    // Line breaks and other invisible characters are shown, so nothing can end the comment line (psComment).
    ['evil.com\nRemove-Mailbox -Identity x', 'evil.com[U+000A]Remove-Mailbox -Identity x'],
    ['a\r\nb', 'a[U+000D][U+000A]b'],
    ['a\u2028b\u0085c', 'a[U+2028]b[U+0085]c'],
    ['x #> y', 'x # > y'],
    ['plain.example', 'plain.example'],
  ])('%j', (input, expected) => {
    expect(commentSafe(input)).toBe(expected);
  });
});

describe('isOwnSender', () => {
  const ctx = makeCtx();
  test.each([
    ['contoso.com', true],
    ['CONTOSO.COM', true],
    ['*.contoso.com', true],
    ['mail.contoso.com', true],
    ['ceo@fabrikam.com', true],
    ['contoso.onmicrosoft.com', true],
    ['relay.contoso.net', true],
    ['contoso.com.evil.example', false],
    ['partner.example', false],
    ['someone@partner.example', false],
    ['', false],
  ])('%s', (value, own) => {
    expect(isOwnSender(ctx, value)).toBe(own);
  });
});

describe('reviewPolicies', () => {
  const assessSpoof = ({
    policy,
    label,
  }: {
    policy: { EnableSpoofIntelligence?: boolean | undefined };
    label: string;
  }): Note[] => [note(policy.EnableSpoofIntelligence === false ? 'fail' : 'ok', label)];

  test('default first, then custom policies labelled custom; a custom fail becomes warn', () => {
    const ctx = makeCtx({
      patch: {
        'Get-AntiPhishPolicy': customPolicy('Get-AntiPhishPolicy', 'Exec', {
          EnableSpoofIntelligence: false,
        }),
      },
    });
    const r = reviewPolicies(ctx, ANTI_PHISH, assessSpoof);
    expect(r.notes).toEqual([
      { level: 'ok', text: "anti-phish policy 'Office365 AntiPhish Default'" },
      { level: 'warn', text: "custom anti-phish policy 'Exec'" },
    ]);
    expect(r.flagged.map((s) => s.name)).toEqual(['Exec']);
  });

  test('sticky notes stay fail on a custom policy', () => {
    const ctx = makeCtx({ patch: { 'Get-AntiPhishPolicy': customPolicy('Get-AntiPhishPolicy', 'Exec') } });
    const r = reviewPolicies(ctx, ANTI_PHISH, ({ isDefault, label }) => [
      note(isDefault ? 'ok' : 'fail', label, true),
    ]);
    expect(r.notes.map((n) => n.level)).toEqual(['ok', 'fail']);
  });

  test('no policy marked default: unknown, and every policy is reviewed as custom', () => {
    const ctx = makeCtx({
      patch: {
        'Get-HostedContentFilterPolicy': [
          { props: { IsDefault: false, Name: 'Strict', Identity: 'Strict' } },
          customPolicy('Get-HostedContentFilterPolicy', 'Other'),
        ],
      },
    });
    const r = reviewPolicies(ctx, CONTENT_FILTER, ({ label }) => [note('ok', label)]);
    expect(r.notes[0]).toEqual({
      level: 'unknown',
      text: 'Get-HostedContentFilterPolicy.json: no anti-spam policy is marked IsDefault = true, so the default policy cannot be told apart',
    });
    expect(r.notes.slice(1).map((n) => n.text)).toEqual([
      "custom anti-spam policy 'Strict'",
      "custom anti-spam policy 'Other'",
    ]);
  });

  test('content filter: the policy named Default counts as default when IsDefault is absent', () => {
    const ctx = makeCtx({
      patch: {
        'Get-HostedContentFilterPolicy': [
          { props: { IsDefault: undefined } },
          customPolicy('Get-HostedContentFilterPolicy', 'Other'),
        ],
      },
    });
    const r = reviewPolicies(ctx, CONTENT_FILTER, ({ label }) => [note('ok', label)]);
    expect(r.notes.map((n) => n.text)).toEqual([
      "anti-spam policy 'Default'",
      "custom anti-spam policy 'Other'",
    ]);
  });

  test.each([
    [{ omit: ['Get-AntiPhishPolicy' as const] }, 'Get-AntiPhishPolicy.json was not exported'],
    [
      { set: { 'Get-AntiPhishPolicy': [] } },
      'Get-AntiPhishPolicy.json holds no policy, but the default anti-phish policy always exists: the export is incomplete',
    ],
  ])('missing data is unknown: %j', (opts, text) => {
    const r = reviewPolicies(makeCtx(opts), ANTI_PHISH, () => [note('ok', 'x')]);
    expect(r.notes).toEqual([{ level: 'unknown', text }]);
  });
});

/**
 * Which policy applies is decided by the policy rules (eop-model §6.3 [D] S24: custom by priority, then the default):
 * a custom policy whose enabled rule covers every own domain is the policy for everyone, one whose rules are all
 * disabled applies to nobody.
 */
describe('reviewPolicies: custom policies and their rules', () => {
  const spoofOff = customPolicy('Get-AntiPhishPolicy', 'Exec', { EnableSpoofIntelligence: false });
  const assess = ({
    policy,
    label,
  }: {
    policy: { EnableSpoofIntelligence?: boolean | undefined };
    label: string;
  }) => [note(policy.EnableSpoofIntelligence === false ? 'fail' : 'ok', label)];
  const rule = (props: Record<string, unknown>) => ({
    Name: 'Exec rule',
    AntiPhishPolicy: 'Exec',
    State: 'Enabled',
    Priority: 0,
    ...props,
  });

  test.each<[string, Record<string, unknown>[], string, string]>([
    [
      'an enabled rule for every own domain keeps the failure a fail',
      [rule({ RecipientDomainIs: ['contoso.com', 'fabrikam.com', 'relay.contoso.net'] })],
      'fail',
      "custom anti-phish policy 'Exec' (its rule 'Exec rule' applies it to every own domain, so it replaces the default policy)",
    ],
    [
      'a rule for some recipients stays a warn',
      [rule({ RecipientDomainIs: ['contoso.com'] })],
      'warn',
      "custom anti-phish policy 'Exec'",
    ],
    [
      'an every-domain rule narrowed to a group stays a warn',
      [
        rule({
          RecipientDomainIs: ['contoso.com', 'fabrikam.com', 'relay.contoso.net'],
          SentToMemberOf: ['execs'],
        }),
      ],
      'warn',
      "custom anti-phish policy 'Exec'",
    ],
    [
      'a policy whose rules are all disabled applies to nobody',
      [rule({ State: 'Disabled', RecipientDomainIs: ['contoso.com'] })],
      'info',
      "custom anti-phish policy 'Exec' (its rule is disabled, so the policy applies to nobody now)",
    ],
  ])('%s', (_n, rules, level, text) => {
    const ctx = makeCtx({ patch: { 'Get-AntiPhishPolicy': spoofOff }, set: { 'Get-AntiPhishRule': rules } });
    const r = reviewPolicies(ctx, ANTI_PHISH, assess);
    expect(r.notes[1]).toEqual({ level, text });
  });

  test('a rule State that cannot be read keeps the warn', () => {
    const ctx = makeCtx({
      patch: { 'Get-AntiPhishPolicy': spoofOff },
      set: { 'Get-AntiPhishRule': [rule({ State: 7, RecipientDomainIs: ['contoso.com'] })] },
    });
    expect(reviewPolicies(ctx, ANTI_PHISH, assess).notes[1]?.level).toBe('warn');
  });

  test('anti-spam rules name their policy in HostedContentFilterPolicy', () => {
    const ctx = makeCtx({
      patch: {
        'Get-HostedContentFilterPolicy': customPolicy('Get-HostedContentFilterPolicy', 'Sales', {
          BulkThreshold: 9,
        }),
      },
      set: {
        'Get-HostedContentFilterRule': [
          { Name: 'Sales rule', HostedContentFilterPolicy: 'Sales', State: 'Disabled', Priority: 0 },
        ],
      },
    });
    const r = reviewPolicies(ctx, CONTENT_FILTER, ({ label, policy }) => [
      note((policy.BulkThreshold ?? 0) > 6 ? 'fail' : 'ok', label),
    ]);
    expect(r.notes[1]?.level).toBe('info');
  });
});
