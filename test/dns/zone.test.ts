/**
 * dns.json's `error` extension (DESIGN §3.1 plus README "dns.json"): a lookup that failed when the zone was recorded is
 * unknown to every reader of the zone — `lookup`, the replaying resolver and the simulator's oracle — never NXDOMAIN.
 */
import { describe, expect, test } from 'vitest';
import { recordedSpf } from '../../src/dns/oracle.js';
import { query, recordedResolver } from '../../src/dns/resolver.js';
import { DnsJsonSchema, lookup, zoneFromJson } from '../../src/common/zone.js';
import { InputError } from '../../src/errors.js';
import { snapshotOf } from '../profile/snapshot-of.js';

const zone = zoneFromJson(
  DnsJsonSchema.parse({
    'contoso.com': { TXT: ['v=spf1 include:spf.fabrikam.com -all'], MX: [], error: { A: 'SERVFAIL' } },
    'spf.fabrikam.com': { error: { TXT: 'timeout' } },
    'refused.example': { error: { MX: 'EREFUSED' } },
  }),
);

describe('a recorded failure', () => {
  test.each([
    ['spf.fabrikam.com', 'TXT', 'unavailable', 'timeout'],
    ['refused.example', 'MX', 'unavailable', 'error'],
    ['contoso.com', 'A', 'unavailable', 'servfail'],
    // Beside a failure, a type recorded empty is NODATA and one with records answers.
    ['contoso.com', 'MX', 'nodata', 'nodata'],
    ['contoso.com', 'TXT', 'answer', 'answer'],
    // Only failures recorded for the name: whether it exists is unknown, so its other types are too.
    ['spf.fabrikam.com', 'MX', 'unavailable', 'error'],
    ['absent.example', 'TXT', 'nxdomain', 'nxdomain'],
  ] as const)('%s %s: lookup %s, replay %s', async (name, type, looked, replayed) => {
    expect(lookup(zone, name, type).kind).toBe(looked);
    expect((await query(recordedResolver(zone), name, type)).kind).toBe(replayed);
  });

  test('lookup says which lookup failed and how', () => {
    expect(lookup(zone, 'refused.example', 'MX')).toEqual({
      kind: 'unavailable',
      reason: 'DNS failure: MX refused.example: EREFUSED',
    });
  });

  test("the simulator's SPF over the zone: an include whose TXT timed out is a temperror, not a missing record", () => {
    const r = recordedSpf(zone, { ip: '192.0.2.1', domain: 'contoso.com', sender: 'a@contoso.com' });
    expect(r.result).toBe('temperror');
    expect(r.trace.join('\n')).toMatch(/spf\.fabrikam\.com: TXT lookup failed \(timeout\)/);
  });
});

describe('the dns.json reader', () => {
  test.each([
    [
      { 'contoso.com': { error: { TXT: 'it broke' } } },
      /\["contoso\.com"\]\["error"\]\["TXT"\]: expected "timeout", "SERVFAIL"/,
    ],
    [{ 'contoso.com': { error: { SPF: 'timeout' } } }, /\["contoso\.com"\]\["error"\]/],
  ])('a bad error entry is an input error naming the file and the field (%j)', (dns, message) => {
    let caught: unknown;
    try {
      snapshotOf({ dns });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(InputError);
    expect((caught as Error).message).toMatch(/^contoso-export\/snapshot\.json#dns: /);
    expect((caught as Error).message).toMatch(message);
  });
});
