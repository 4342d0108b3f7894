/**
 * `mxlock emulate` as a user runs it: the bundled CLI in a child process, listening until SIGTERM, talked to over
 * loopback with STARTTLS; its --log file, its --help, its refusals of bad flags.
 */
import { spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cliBinary, mxlock, REPO } from '../support/cli.js';
import { opensslCertificate, SmtpTestClient } from '../support/smtp-client.js';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'mxlock-emulate-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

interface Running {
  port: number;
  stop: () => Promise<{ code: number | null; stdout: string; stderr: string }>;
}

/** Starts `mxlock emulate … --port 0` and resolves with the port it prints. */
function start(...args: string[]): Promise<Running> {
  const child = spawn(process.execPath, [cliBinary(), 'emulate', ...args, '--port', '0'], {
    cwd: REPO,
    env: { ...process.env, NO_COLOR: '1' },
  });
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      const m = /listening on 127\.0\.0\.1:(\d+)/.exec(stdout);
      if (m)
        resolve({
          port: Number(m[1]),
          stop: async () => {
            child.kill('SIGTERM');
            const code = await exited;
            return { code, stdout, stderr };
          },
        });
    });
    void exited.then((code) => reject(new Error(`emulate exited ${code} before listening: ${stderr}`)));
  });
}

async function rcpt(port: number, from: string, to: string, cert?: { cert: string; key: string }) {
  const c = await SmtpTestClient.connect(port);
  await c.command('EHLO cli.test');
  const secure = await c.starttls(cert ?? {});
  const served = secure.getPeerX509Certificate();
  await c.command('EHLO cli.test');
  await c.command(`MAIL FROM:<${from}>`);
  const reply = await c.command(`RCPT TO:<${to}>`);
  await c.quit();
  return { reply, served };
}

describe('mxlock emulate', () => {
  test('answers as the simulator for the export, logs JSON lines to --log, stops on SIGTERM with 0', async () => {
    const log = join(tmp, 'decisions.jsonl');
    const emu = await start(join(REPO, 'examples', 'hardened'), '--offline', '--log', log);
    const { reply, served } = await rcpt(emu.port, 'ceo@northwindtraders.com', 'user@northwindtraders.com');
    expect(reply).toMatch(/^550 5\.7\.51 TenantInboundAttribution;/);
    // The certificate made in memory at start.
    expect(served?.subject).toBe('CN=emulator.mxlock.invalid');
    const r = await emu.stop();
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/accepted mail is discarded/);
    const entries = (await readFile(log, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { event: string; reply?: string; rules?: { rule: string }[] });
    const decided = entries.find((e) => e.event === 'rcpt')!;
    expect(decided.reply).toBe(reply);
    expect(decided.rules!.map((x) => x.rule)).toContain('CON-5');
    expect(r.stderr).not.toMatch(/"event"/);
  });

  test('--after-plan: the wide-open tenant refuses own-domain Direct Send; the log goes to stderr', async () => {
    const before = await start(join(REPO, 'examples', 'wide-open'), '--offline');
    expect((await rcpt(before.port, 'ceo@contoso.com', 'user@contoso.com')).reply).toBe('250 Accepted');
    await before.stop();
    const after = await start('--export', join(REPO, 'examples', 'wide-open'), '--offline', '--after-plan');
    expect((await rcpt(after.port, 'ceo@contoso.com', 'user@contoso.com')).reply).toMatch(
      /^550 5\.7\.(51|68) /,
    );
    const r = await after.stop();
    expect(r.stdout).toMatch(/after the plan/);
    expect(r.stderr).toMatch(/"event":"rcpt"/);
  });

  test('--tls-cert/--tls-key are served; --as judges the session as that address', async () => {
    const pair = opensslCertificate('mx.lab.test');
    await writeFile(join(tmp, 'c.pem'), pair.cert);
    await writeFile(join(tmp, 'k.pem'), pair.key);
    const emu = await start(
      join(REPO, 'examples', 'hardened'),
      '--offline',
      '--tls-cert',
      join(tmp, 'c.pem'),
      '--tls-key',
      join(tmp, 'k.pem'),
      '--as',
      '192.0.2.50',
    );
    const { reply, served } = await rcpt(
      emu.port,
      'scanner@northwindtraders.com',
      'user@northwindtraders.com',
    );
    expect(served?.fingerprint256).toBe(new X509Certificate(pair.cert).fingerprint256);
    expect(reply).toBe('250 Accepted');
    await emu.stop();
  });

  test('--help teaches the rehearsal and says mail is discarded', async () => {
    const r = await mxlock('emulate', '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/mxlock probe .*--host 127\.0\.0\.1 --port 2525/);
    expect(r.stdout).toMatch(/--after-plan/);
    expect(r.stdout).toMatch(/DISCARDED/);
  });

  test.each([
    [['--offline', '--tls-cert', 'x.pem'], /--tls-cert and --tls-key go together/],
    [['--offline', '--port', '70000'], /--port expects a number from 0 to 65535/],
    [['--offline', '--as', 'gateway\u001b[31m'], /--as expects an IP address, got "gateway\\x1b\[31m"/],
    [['--offline', '--host', 'localhost'], /--host expects an IP address/],
    [['--offline', '--max-connections', '0'], /--max-connections expects a whole number/],
  ])('bad flags are usage errors (exit 2): %j', async (args, message) => {
    const r = await mxlock('emulate', join(REPO, 'examples', 'hardened'), ...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  test('--tls-cert that is not PEM, and --log over an existing file or through a link, are refused', async () => {
    await writeFile(join(tmp, 'not.pem'), 'hello');
    const notPem = await mxlock(
      'emulate',
      join(REPO, 'examples', 'hardened'),
      '--offline',
      '--tls-cert',
      join(tmp, 'not.pem'),
      '--tls-key',
      join(tmp, 'not.pem'),
    );
    expect(notPem.code).toBe(2);
    expect(notPem.stderr).toMatch(/--tls-cert \S*not\.pem: holds no PEM certificate/);

    await writeFile(join(tmp, 'old.log'), 'keep me');
    const existing = await mxlock(
      'emulate',
      join(REPO, 'examples', 'hardened'),
      '--offline',
      '--log',
      join(tmp, 'old.log'),
    );
    expect(existing.code).toBe(2);
    expect(existing.stderr).toMatch(/already exists; use --force/);
    expect(await readFile(join(tmp, 'old.log'), 'utf8')).toBe('keep me');

    await symlink(join(tmp, 'old.log'), join(tmp, 'link.log'));
    const linked = await mxlock(
      'emulate',
      join(REPO, 'examples', 'hardened'),
      '--offline',
      '--log',
      join(tmp, 'link.log'),
      '--force',
    );
    expect(linked.code).toBe(2);
    expect(linked.stderr).toMatch(/symbolic link/);
  });
});
