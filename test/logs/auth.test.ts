/**
 * EmailEvents AuthenticationDetails as the impact replay's authentication verdict (logs/auth.ts): carried over where it
 * holds after hardening, left to the recorded DNS where it does not (SPF of a relayed message, EF-1; a DMARC failure
 * that composite authentication passed, eop-model §6.2; a result that is no verdict).
 */
import { describe, expect, test } from 'vitest';
import { authObserver } from '../../src/logs/auth.js';
import type { Flow } from '../../src/logs/classify.js';
import { zoneFromJson } from '../../src/common/zone.js';

const zone = zoneFromJson({
  '_dmarc.partner.example': { TXT: ['v=DMARC1; p=reject'] },
  '_dmarc.weak.example': { TXT: ['v=DMARC1; p=none'] },
});

const flow = (source: Flow['source'], auth: string, headerFrom = 'news@partner.example'): Flow => ({
  ip: '203.0.113.10',
  sender: 'bounce@mailer.example',
  recipient: 'alice@fabrikam.com',
  source,
  count: 1,
  headerFrom,
  auth,
});

const A = (spf: string, dkim: string, dmarc: string, compauth = 'fail') =>
  JSON.stringify({ SPF: spf, DKIM: dkim, DMARC: dmarc, CompAuth: compauth });

describe('authObserver', () => {
  const observe = authObserver(zone);

  test.each([
    // [source, details, header From, verdict carried (spf dkim dmarc policy) or null]
    ['declared', A('pass', 'none', 'pass'), undefined, 'pass none pass reject'],
    ['declared', A('fail', 'none', 'fail'), undefined, 'fail none fail reject'],
    ['other', A('softfail', 'fail', 'fail'), 'x@weak.example', 'softfail fail fail none'],
    ['other', A('pass', 'pass', 'bestguesspass'), 'x@nodmarc.example', 'pass pass none absent'],
    ['other', '{"spf":"PASS","dkim":"Pass","dmarc":"Pass"}', undefined, 'pass pass pass reject'],
    ['other', A('weird', 'policy', 'fail'), undefined, 'unknown fail fail reject'],
    // Through the gateway only a DKIM-based pass holds on any route.
    ['gateway', A('fail', 'pass', 'pass'), undefined, 'fail pass pass reject'],
    ['gateway', A('pass', 'none', 'pass'), undefined, null],
    ['gateway', A('fail', 'none', 'fail'), undefined, null],
    // Composite authentication passed a DMARC failure (ARC): not modelled.
    ['declared', A('fail', 'fail', 'fail', 'pass'), undefined, null],
    // No verdict, or nothing readable.
    ['declared', A('pass', 'pass', 'temperror'), undefined, null],
    ['declared', '{"SPF":"pass"}', undefined, null],
    ['declared', 'not json', undefined, null],
  ] as const)('%s %s (%s)', (source, details, headerFrom, want) => {
    const o = observe(flow(source, details, headerFrom));
    if (want === null) {
      expect(o.use).toBeUndefined();
      expect(o.why).toMatch(/computed from the recorded DNS$/);
    } else {
      expect(o.use).toBeDefined();
      const v = o.use!;
      expect(`${v.spf} ${v.dkim} ${v.dmarc} ${v.dmarcPolicy}`).toBe(want);
      expect(v.notes[0]).toMatch(/^observed by EOP \(EmailEvents AuthenticationDetails: /);
    }
  });

  test('no AuthenticationDetails (the other layouts): nothing observed, nothing said', () => {
    const { headerFrom: _h, auth: _a, ...plain } = flow('other', '');
    expect(observe(plain)).toEqual({ use: undefined, why: undefined });
    expect(observe(flow('other', ''))).toEqual({ use: undefined, why: undefined });
  });

  test('without recorded DNS the published policy is unknown, never none', () => {
    const o = authObserver(undefined)(flow('declared', A('fail', 'none', 'fail')));
    expect(o.use?.dmarcPolicy).toBe('unknown');
  });
});
