/** Reply classification (DESIGN §3.4) and the validation of everything the probe writes on the wire. */
import { describe, expect, test } from 'vitest';
import { REPLY_5_7_51, REPLY_5_7_64, REPLY_5_7_68 } from '../../src/model/rcpt.js';
import { addressLiteral, addressProblem, ehloProblem, hostProblem } from '../../src/smtp/probe-input.js';
import { classifyReply, problemAdvice, replyCodes } from '../../src/smtp/probe-reply.js';

describe('classifyReply', () => {
  // The simulator's own replies classify as the controls that send them: the probe and the prediction agree on terms.
  test.each([
    [REPLY_5_7_68, 'rejected-direct-send', undefined],
    [REPLY_5_7_51, 'rejected-connector', undefined],
    [REPLY_5_7_64, 'rejected-relay', undefined],
    ['550 5.7.54 SMTP; Unable to relay recipient in non-accepted domain', 'rejected-relay', undefined],
    ['550 5.4.1 Recipient address rejected: Access denied. AS(201806281)', 'rejected-recipient', undefined],
    [
      '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup',
      'rejected-recipient',
      undefined,
    ],
    ['250 2.1.5 Recipient OK', 'accepted', undefined],
    ['451 4.7.500 Server busy. Please try again later', 'error', 'temporary'],
    [
      '450 4.7.25 Service unavailable, sending IPv6 address must have reverse DNS record',
      'error',
      'temporary',
    ],
    ['550 5.7.606 Access denied, banned sending IP [192.0.2.1]', 'error', 'rejected-other'],
    ['550 5.2.1 contoso.com does not accept email over IPv6', 'error', 'rejected-other'],
    ['550 Requested action not taken', 'error', 'rejected-other'],
    ['hello', 'error', 'protocol'],
  ])('%s → %s', (reply, classification, problem) => {
    const m = classifyReply(reply);
    expect(m.classification).toBe(classification);
    expect(m.problem).toBe(problem);
    expect(m.meaning.length).toBeGreaterThan(10);
  });

  test('accepted says the path is open at the SMTP stage and that a transport rule may still act', () => {
    expect(classifyReply('250 2.1.5 Recipient OK').meaning).toMatch(/open at the SMTP stage.*transport rule/);
  });

  test('replyCodes reads the code and the enhanced status code', () => {
    expect(replyCodes(REPLY_5_7_68)).toEqual({ code: 550, enhanced: '5.7.68' });
    expect(replyCodes('250 OK')).toEqual({ code: 250 });
    expect(replyCodes('')).toBeUndefined();
  });

  test('port 25 blocked is explained with what to do', () => {
    expect(problemAdvice('port-blocked', 25)).toMatch(/port 25.*(ISP|cloud)/);
  });
});

describe('validation of what goes on the wire', () => {
  test.each([
    ['alice@contoso.com', undefined],
    ["o'brien+tag@contoso.com", undefined],
    ['alice@contoso.com\r\nDATA', /local part|domain/],
    ['alice\r\nRSET@contoso.com', /local part/],
    ['alice@contoso.com>\r\nRCPT TO:<x@y.z', /local part|domain/],
    ['"quoted"@contoso.com', /local part/],
    ['alice @contoso.com', /local part/],
    ['alice@contoso', /domain: not a fully qualified name/],
    [`${'a'.repeat(65)}@contoso.com`, /64 octets/],
    [
      `a@${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.${'e'.repeat(60)}.${'f'.repeat(9)}.com`,
      /octets/,
    ],
    ['@contoso.com', /local@domain/],
    ['alice@', /local@domain/],
  ])('address %j', (address, problem) => {
    const p = addressProblem(address);
    if (problem === undefined) expect(p).toBeUndefined();
    else expect(p).toMatch(problem);
  });

  test.each([
    ['contoso-com.mail.protection.outlook.com', true],
    ['127.0.0.1', true],
    ['::1', true],
    ['evil.example\r\nMAIL', false],
    ['a_b.example.com', false],
    ['localhost', false],
    ['x.123', false],
  ])('host %j allowed: %s', (host, ok) => {
    expect(hostProblem(host) === undefined).toBe(ok);
  });

  test('EHLO takes a host name or an address literal', () => {
    expect(ehloProblem('[127.0.0.1]')).toBeUndefined();
    expect(ehloProblem('[IPv6:2001:db8::1]')).toBeUndefined();
    expect(ehloProblem('[not-an-ip]')).toBeDefined();
    expect(ehloProblem('probe.example.net\r\nMAIL FROM:<>')).toBeDefined();
    expect(addressLiteral('::ffff:127.0.0.1')).toBe('[127.0.0.1]');
    expect(addressLiteral('2001:db8::1')).toBe('[IPv6:2001:db8::1]');
  });
});
