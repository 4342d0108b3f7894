/**
 * SPF conformance cases written from the text of RFC 7208, each citing its section, evaluated by
 * `checkHostSpf` against a real DNS server on loopback.
 *
 * Not implemented, with the reason:
 * - §6.2 the explanation string of exp= is not produced: mxlock reports results, it does not bounce mail.
 * - §2.3 the HELO identity check is the caller's choice (pass sender "postmaster@<helo>"); no separate flow.
 * - §4.6.4 the optional overall DNS time limit (MAY): each query has a timeout instead.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { liveResolver } from '../../src/dns/live.js';
import { checkHostSpf, checkHostSteps } from '../../src/dns/spf/evaluate.js';
import { runSync, type Answer, type Question } from '../../src/dns/steps.js';
import { startDnsServer, type TestDnsServer, LOOPBACK_DNS_TIMEOUT_MS } from '../support/dns-server.js';
// The zone and cases are shared with the mailauth differential test (test/dns/mailauth-differential.test.ts).
import { CASES, TIMEOUTS, ZONE } from '../support/spf-rfc7208-zone.js';

let server: TestDnsServer;
beforeAll(async () => {
  server = await startDnsServer(ZONE);
  for (const name of TIMEOUTS) server.setFault(name, { timeout: true });
});
afterAll(async () => {
  await server.close();
});

describe('RFC 7208 conformance (checkHostSpf over loopback DNS)', () => {
  test.each(CASES.map((c) => [`${c.section} ${c.what}`, c] as const))('%s', async (_name, c) => {
    const resolve = liveResolver({ servers: [server.server], timeoutMs: LOOPBACK_DNS_TIMEOUT_MS, tries: 1 });
    const r = await checkHostSpf(resolve, {
      ip: c.ip ?? '192.0.2.1',
      domain: c.domain,
      sender: c.sender ?? `user@${c.domain}`,
    });
    expect(r.result, r.trace.join('\n')).toBe(c.result);
  });

  test('lookup and void counts are reported', async () => {
    const resolve = liveResolver({ servers: [server.server], timeoutMs: LOOPBACK_DNS_TIMEOUT_MS, tries: 1 });
    const r = await checkHostSpf(resolve, { ip: '192.0.2.99', domain: 'ten.test', sender: 'x@ten.test' });
    expect(r.lookups).toBe(10);
    const v = await checkHostSpf(resolve, { ip: '192.0.2.1', domain: 'void2.test', sender: 'x@void2.test' });
    expect(v.voidLookups).toBe(2);
    expect(v.matched).toEqual({ domain: 'void2.test', term: 'ip4:192.0.2.1' });
  });
});

/**
 * The same zone in memory, answered as the loopback server answers it (absent name NXDOMAIN, absent type NODATA,
 * TXT character-strings joined, a faulty name timing out): the synchronous driver's side of the comparison.
 */
function memoryAnswer(q: Question): Answer {
  const name = q.name.toLowerCase().replace(/\.$/, '');
  if (TIMEOUTS.includes(name)) return { kind: 'timeout' };
  const entry = ZONE[name];
  if (!entry) return { kind: 'nxdomain' };
  const records =
    q.type === 'TXT'
      ? entry.TXT?.map((t) => (Array.isArray(t) ? t.join('') : t))
      : q.type === 'MX' || q.type === 'A' || q.type === 'AAAA' || q.type === 'PTR' || q.type === 'CNAME'
        ? entry[q.type]
        : undefined;
  return records && records.length > 0 ? { kind: 'answer', records } : { kind: 'nodata' };
}

describe('one evaluator, two drivers: synchronous in memory = asynchronous over loopback DNS', () => {
  test.each(CASES.map((c) => [`${c.section} ${c.what}`, c] as const))('%s', async (_name, c) => {
    const resolve = liveResolver({ servers: [server.server], timeoutMs: LOOPBACK_DNS_TIMEOUT_MS, tries: 1 });
    const input = { ip: c.ip ?? '192.0.2.1', domain: c.domain, sender: c.sender ?? `user@${c.domain}` };
    const logged = server.log.length;
    const overDns = await checkHostSpf(resolve, input);
    const askedOverDns = server.log.slice(logged).map((q) => q.replace(/\/(udp|tcp)$/, ''));
    const asked: string[] = [];
    const inMemory = runSync(checkHostSteps(input), (q) => {
      asked.push(`${q.name.toLowerCase()}/${q.type}`);
      return memoryAnswer(q);
    });
    // Everything: result, trace, counts and the deciding term.
    expect(inMemory).toEqual({ done: true, value: overDns });
    expect(inMemory.done && inMemory.value.result).toBe(c.result);
    // The same questions, in the same order.
    expect(asked).toEqual(askedOverDns);
  });
});
