/** `mxlock probe` end to end: the real command line against loopback SMTP peers; JSON, terminal, transcript, exit codes. */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { domainOf } from '../../src/common/domains.js';
import { REPLY_5_7_51, REPLY_5_7_68 } from '../../src/model/rcpt.js';
import { mxlock, REPO } from '../support/cli.js';
import {
  makeCert,
  removeCert,
  startEopLab,
  startRawLab,
  type EopLab,
  type TestCert,
} from '../support/smtp-lab.js';

let cert: TestCert;
let tmp: string;
beforeAll(async () => {
  cert = await makeCert();
  tmp = await mkdtemp(join(tmpdir(), 'mxlock-probe-'));
});
afterAll(async () => {
  await removeCert(cert);
  await rm(tmp, { recursive: true, force: true });
});

/** RejectDirectSend and a lock-down on every domain: a closed tenant. */
const locked = (mailFrom: string): string =>
  domainOf(mailFrom) === 'contoso.com' ? REPLY_5_7_68 : REPLY_5_7_51;

async function withLab<T>(
  decide: (mailFrom: string, rcpt: string) => string | undefined,
  run: (lab: EopLab) => Promise<T>,
): Promise<T> {
  const lab = await startEopLab(cert, decide);
  try {
    return await run(lab);
  } finally {
    await lab.close();
  }
}

const lab = (l: EopLab) => ['--host', '127.0.0.1', '--port', String(l.port), '--ca-file', cert.certPath];

describe('mxlock probe', () => {
  test('--format json follows DESIGN §3.4, --transcript writes every attempt, an open path exits 1', async () => {
    await withLab(
      (from, rcpt) => (domainOf(rcpt) === 'contoso.onmicrosoft.com' ? undefined : locked(from)),
      async (l) => {
        const transcript = join(tmp, 'transcript.txt');
        const r = await mxlock(
          'probe',
          'contoso.com',
          ...lab(l),
          '--tenant',
          'contoso.onmicrosoft.com',
          '--format',
          'json',
          '--transcript',
          transcript,
        );
        expect(r.stderr).not.toMatch(/unexpected error/);
        expect(r.code).toBe(1);
        const j = JSON.parse(r.stdout);
        expect(j.schemaVersion).toBe(1);
        expect(j.endpoint).toBe(`127.0.0.1:${l.port}`);
        expect(Object.keys(j.attempts[0]).slice(0, 5)).toEqual([
          'path',
          'stage',
          'reply',
          'classification',
          'transcript',
        ]);
        expect(j.attempts.map((a: { classification: string }) => a.classification)).toEqual([
          'rejected-direct-send',
          'rejected-connector',
          'rejected-connector',
          'rejected-connector',
          'accepted',
        ]);
        expect(l.commands).not.toContain('DATA');
        const text = await readFile(transcript, 'utf8');
        expect(text).toMatch(
          /^## path\.direct-send-own-domain over IPv4 \(127\.0\.0\.1\): rejected-direct-send$/m,
        );
        expect(text).toContain('C: RCPT TO:<user@contoso.onmicrosoft.com>');
        expect(text).toContain(`S: ${REPLY_5_7_68}`);
        // Written once; a second run will not overwrite it without --force (write-output.ts rules).
        const again = await mxlock('probe', 'contoso.com', ...lab(l), '--transcript', transcript);
        expect(again.code).toBe(2);
        expect(again.stderr).toMatch(/already exists; use --force/);
      },
    );
  });

  test('a closed tenant exits 0, and the terminal report fits 80 columns', async () => {
    await withLab(locked, async (l) => {
      const r = await mxlock('probe', 'contoso.com', ...lab(l), '--tenant', 'contoso.onmicrosoft.com');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^path\.direct-send-own-domain over IPv4 {2}CLOSED {2}rejected-direct-send$/m);
      expect(r.stdout).toMatch(/5 attempts: 0 open, 0 uncertain, 0 disagreeing/);
      for (const line of r.stdout.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
    });
  });

  test('--export compares with the simulator: the wide-open example predicts open, a locked endpoint disagrees', async () => {
    await withLab(locked, async (l) => {
      const r = await mxlock(
        'probe',
        'contoso.com',
        ...lab(l),
        '--export',
        join(REPO, 'examples', 'wide-open'),
        '--offline',
        '--format',
        'json',
      );
      expect(r.code).toBe(1);
      const j = JSON.parse(r.stdout);
      expect(j.summary.disagreements).toBe(5);
      expect(j.attempts[0].prediction).toMatchObject({
        status: 'open',
        comparison: 'disagrees',
        explanation: expect.stringMatching(/the endpoint refused it/),
      });
    });
  });

  test('a server that never answers: each attempt ends at --timeout, reported as a timeout', async () => {
    const raw = await startRawLab(() => undefined);
    try {
      const r = await mxlock(
        'probe',
        'contoso.com',
        '--host',
        '127.0.0.1',
        '--port',
        String(raw.port),
        '--timeout',
        '200',
        '--format',
        'json',
      );
      expect(r.code).toBe(1);
      const j = JSON.parse(r.stdout);
      expect(j.attempts).toHaveLength(4);
      for (const a of j.attempts) {
        expect(a).toMatchObject({
          classification: 'error',
          stage: 'connect',
          reply: null,
          status: 'uncertain',
        });
        expect(a.problem.kind).toBe('timeout');
      }
      expect(j.notes.join(' ')).toMatch(/--tenant/);
    } finally {
      await raw.close();
    }
  });

  test.each([
    [['--rcpt', 'alice@contoso.com\r\nDATA'], /--rcpt "alice@contoso\.com\\r\\nDATA"/],
    [['--port', '70000'], /--port expects a whole number from 1 to 65535/],
    [['--profile', 'x.yaml'], /need --export/],
    [['--tenant', 'contoso.com'], /onmicrosoft\.com/],
    [['--insecure-tls', '--ca-file', 'x.pem'], /give one/],
  ])('usage error %j exits 2 with a clear message', async (args, message) => {
    const r = await mxlock('probe', 'contoso.com', '--host', '127.0.0.1', '--port', '9', ...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/unexpected error/);
  });

  test('--ca-file that is not a certificate is refused, naming the file', async () => {
    const bad = join(tmp, 'not-a-cert.pem');
    await writeFile(bad, 'hello');
    const r = await mxlock('probe', 'contoso.com', '--host', '127.0.0.1', '--port', '9', '--ca-file', bad);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--ca-file ${bad}: holds no PEM certificate`);
  });
});
