/**
 * `mxlock headers` end to end (main() in process; standard input through the bundle): terminal and DESIGN §3.4 JSON,
 * exit codes, input errors.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cliBinary, mxlock, REPO } from '../support/cli.js';

const FIXTURES = join(REPO, 'test', 'fixtures', 'headers');
const TENANT = ['--export', join(REPO, 'examples', 'half-done'), '--profile', join(FIXTURES, 'mxlock.yaml')];

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'mxlock-headers-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('mxlock headers: each fixture in terminal and JSON', () => {
  test.each([
    ['gateway-ef.eml', 0, 'via-gateway', 'applied', 'not-overridden', 'an IP of Proofpoint'],
    ['gateway-no-ef.eml', 0, 'via-gateway', 'not-applied', 'not-overridden', "the gateway's own IP"],
    ['direct-send.eml', 1, 'bypass', 'not-applied', 'not-overridden', 'IsAnonymousDirectSend: True'],
    ['ghost-sender.eml', 1, 'bypass', 'not-applied', 'overridden', 'Ghost-Sender pattern'],
    ['hybrid-internal.eml', 0, 'internal', 'unknown', 'not-overridden', 'HybridOnPrem'],
    ['outlook-pasted.txt', 0, 'via-gateway', 'applied', 'not-overridden', '198.51.100.3'],
  ] as const)('%s: exit %i, %s', async (file, code, verdict, ef, enforcement, reason) => {
    const json = await mxlock('headers', join(FIXTURES, file), ...TENANT, '--format', 'json');
    expect(json.stderr).toBe('');
    expect(json.code).toBe(code);
    const j = JSON.parse(json.stdout);
    expect(j).toMatchObject({ schemaVersion: 1, verdict, enhancedFiltering: ef, enforcement });
    // DESIGN §3.4 keys, in order, then the added ones.
    expect(Object.keys(j).slice(0, 5)).toEqual([
      'schemaVersion',
      'verdict',
      'enhancedFiltering',
      'enforcement',
      'reasons',
    ]);
    for (const key of ['hops', 'antispam', 'authentication']) expect(j).toHaveProperty(key);
    expect(Object.keys(j.hops[0])).toEqual(expect.arrayContaining(['from', 'by', 'ip', 'time']));
    expect(Object.keys(j.authentication)).toEqual(
      expect.arrayContaining(['spf', 'dkim', 'dmarc', 'compauth']),
    );
    expect(j.reasons.join('\n')).toContain(reason);

    const term = await mxlock('headers', join(FIXTURES, file), ...TENANT);
    expect(term.code).toBe(code);
    expect(term.stdout).toContain(`Verdict: ${verdict.toUpperCase()}`);
    expect(term.stdout).toContain(`Enhanced Filtering: ${ef}`);
    expect(term.stdout.replace(/\s+/g, ' ')).toContain(reason);
    for (const line of term.stdout.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
  });

  test('Outlook paste: encoded words decoded, CRLF and tabs unfolded, the missing blank line noted', async () => {
    const r = await mxlock('headers', join(FIXTURES, 'outlook-pasted.txt'), ...TENANT, '--format', 'json');
    const j = JSON.parse(r.stdout);
    expect(j.message).toMatchObject({
      from: 'Jürgen Müller <juergen@lieferant.example>',
      subject: 'Rechnung für November',
    });
    expect(j.notes.join('\n')).toMatch(/no blank line after the header fields/);
    expect(j.hops.find((h: { intoExchangeOnline: boolean }) => h.intoExchangeOnline).ip).toBe('198.51.100.3');
  });

  test('an mbox gives {"schemaVersion":1,"messages":[…]}, one result per message; exit 1 for the bypass in it', async () => {
    const r = await mxlock('headers', join(FIXTURES, 'several.mbox'), ...TENANT, '--format', 'json');
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout);
    expect(Object.keys(j)).toEqual(['schemaVersion', 'messages']);
    expect(j.messages.map((m: { verdict: string }) => m.verdict)).toEqual([
      'via-gateway',
      'bypass',
      'via-gateway',
    ]);
    expect(j.messages[2].otherOrganizations.map((o: { header: string }) => o.header)).toEqual([
      'X-Forefront-Antispam-Report',
      'X-Forefront-Antispam-Report-Untrusted',
      'X-Microsoft-Antispam-Untrusted',
    ]);
    const term = await mxlock('headers', join(FIXTURES, 'several.mbox'), ...TENANT);
    expect(term.stdout).toContain('Message 3 of 3');
    expect(term.stdout).toContain("Not this tenant's verdict: X-Forefront-Antispam-Report-Untrusted");
  });

  test('without --export or --profile what cannot be judged is unknown (exit 1), and says why', async () => {
    const r = await mxlock('headers', join(FIXTURES, 'gateway-ef.eml'), '--format', 'json');
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout);
    expect(j.verdict).toBe('unknown');
    expect(j.reasons.join('\n')).toMatch(/gateway's IPs are unknown/);
  });

  test('standard input with -', () => {
    const r = spawnSync(process.execPath, [cliBinary(), 'headers', '-', ...TENANT, '--format', 'json'], {
      input: spawnSync('cat', [join(FIXTURES, 'ghost-sender.eml')]).stdout,
      env: { ...process.env, NO_COLOR: '1' },
    });
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout.toString()).enforcement).toBe('overridden');
  });

  test('control and bidi characters from the message are escaped in the terminal', async () => {
    const r = await mxlock('headers', join(FIXTURES, 'hostile.eml'), ...TENANT);
    expect(r.code).toBe(1);
    // eslint-disable-next-line no-control-regex -- the characters that must not reach the terminal
    expect(r.stdout).not.toMatch(/[\u001b\u0007\u202e]/);
    expect(r.stdout).toContain('\\x1b]8;;https://evil.example\\x07');
    expect(r.stdout).toContain('\\u202eexe.fdp');
    // The passing results header carried in below EOP's is shown, never read as EOP's verdict.
    expect(r.stdout).toMatch(/A lower Authentication-Results without authserv-id/);
    expect(r.stdout).toMatch(/compauth=fail\s+reason=000/);
  });

  test('--out writes the report; the input is never written over', async () => {
    const out = join(tmp, 'report.json');
    const r = await mxlock(
      'headers',
      join(FIXTURES, 'gateway-ef.eml'),
      ...TENANT,
      '--format',
      'json',
      '--out',
      out,
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(await readFile(out, 'utf8')).verdict).toBe('via-gateway');
    const over = await mxlock(
      'headers',
      join(FIXTURES, 'gateway-ef.eml'),
      ...TENANT,
      '--out',
      join(FIXTURES, 'gateway-ef.eml'),
      '--force',
    );
    expect(over.code).toBe(2);
    expect(over.stderr).toMatch(/a file this run reads/);
  });
});

describe('mxlock headers: input errors name the file (exit 2)', () => {
  test.each([
    ['not-headers.txt', /not-headers\.txt: no header field found/],
    [
      'no-such-file.eml',
      /no-such-file\.eml: cannot read the message file: no such file or folder; check the path/,
    ],
  ])('%s', async (file, message) => {
    const r = await mxlock('headers', join(FIXTURES, file));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/unexpected error/);
  });

  test('a folder is refused before it is read', async () => {
    const r = await mxlock('headers', FIXTURES);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /cannot read the message file: it is a folder, not a file; give the path of a file/,
    );
  });
});
