/** `mxlock assess` as a user runs it: the real entry point in a child process, exit codes, stdout vs stderr. */
import { cp, mkdtemp, readFile, rm, writeFile, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mxlock, mxlockProcess, REPO } from '../support/cli.js';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'mxlock-cli-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function exampleCopy(name: string): Promise<string> {
  const dir = join(tmp, `${name}-${Math.random().toString(36).slice(2)}`);
  await cp(join(REPO, 'examples', name), dir, { recursive: true });
  return dir;
}

describe('mxlock assess', () => {
  test.each([
    ['wide-open', 1, 'OPEN'],
    ['half-done', 1, 'OPEN'],
    ['hardened', 0, 'CLOSED'],
  ])('examples/%s: exit %i, verdict first on stdout', async (name, code, verdict) => {
    const r = await mxlock('assess', join(REPO, 'examples', name), '--offline');
    expect(r.code).toBe(code);
    const lines = r.stdout.split('\n');
    const verdictLine = lines.findIndex((l) => l.includes('Gateway bypass'));
    expect(verdictLine).toBeGreaterThan(-1);
    expect(lines[verdictLine]).toContain(verdict);
    expect(verdictLine).toBeLessThan(lines.findIndex((l) => l.startsWith('PATHS')));
    expect(lines.findIndex((l) => l.startsWith('PATHS'))).toBeLessThan(
      lines.findIndex((l) => l.startsWith('FINDINGS')),
    );
    expect(lines.findIndex((l) => l.startsWith('FINDINGS'))).toBeLessThan(
      lines.findIndex((l) => l.startsWith('FINAL CHECKLIST')),
    );
    expect(r.stdout).not.toContain('\u001b'); // not a TTY: no colour
    expect(r.stderr).toContain('using profile');
  });

  test('--format json follows DESIGN §3.3 and is deterministic', async () => {
    const a = await mxlock('assess', join(REPO, 'examples', 'half-done'), '--offline', '--format', 'json');
    const b = await mxlock('assess', join(REPO, 'examples', 'half-done'), '--offline', '--format', 'json');
    expect(a.stdout).toBe(b.stdout);
    const report = JSON.parse(a.stdout);
    expect(Object.keys(report)).toEqual([
      'schemaVersion',
      'tool',
      'tenant',
      'gateway',
      'verdict',
      'paths',
      'findings',
      'checklist',
    ]);
    expect(report.schemaVersion).toBe(1);
    expect(report.tenant).toEqual({
      initialDomain: 'fabrikam.onmicrosoft.com',
      acceptedDomains: ['fabrikam.com', 'fabrikam.mail.onmicrosoft.com', 'fabrikam.onmicrosoft.com'],
    });
    expect(Object.keys(report.paths[0])).toEqual(['id', 'kind', 'status', 'outcome', 'evidence']);
    expect(Object.keys(report.findings[0])).toEqual([
      'id',
      'status',
      'severity',
      'step',
      'title',
      'evidence',
      'remediation',
      'references',
      'benchmarks',
    ]);
    const ids: string[] = report.findings.map((f: { id: string }) => f.id);
    expect(ids).toEqual([...ids].sort());
  });

  test('--timestamp adds generatedAt', async () => {
    const r = await mxlock(
      'assess',
      join(REPO, 'examples', 'hardened'),
      '--offline',
      '--format',
      'json',
      '--timestamp',
    );
    expect(JSON.parse(r.stdout).generatedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  test('--out writes the file and keeps stdout empty; --fail-on none exits 0 on an open tenant', async () => {
    const out = join(tmp, 'report.sarif');
    const r = await mxlock(
      'assess',
      join(REPO, 'examples', 'wide-open'),
      '--offline',
      '--format',
      'sarif',
      '--out',
      out,
      '--fail-on',
      'none',
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(JSON.parse(await readFile(out, 'utf8')).version).toBe('2.1.0');
  });

  test('without Get-InboundConnector.json the verdict is never closed and the report says what is missing', async () => {
    const dir = await exampleCopy('hardened');
    await unlink(join(dir, 'Get-InboundConnector.json'));
    const r = await mxlock('assess', dir, '--offline', '--format', 'json');
    const report = JSON.parse(r.stdout);
    expect(report.verdict.bypass).not.toBe('closed');
    expect(report.verdict.summary).toContain('Get-InboundConnector.json');
    const complete = report.findings.find((f: { id: string }) => f.id === 'inventory.snapshot-complete');
    expect(complete.status).toBe('fail');
    expect(complete.evidence.join(' ')).toContain('Get-InboundConnector.json was not exported');
    for (const id of ['connector.lockdown-missing', 'connector.require-tls', 'ef.configured']) {
      expect(report.findings.find((f: { id: string }) => f.id === id).status).toBe('unknown');
    }
  });

  test('a property of the wrong type: exit 2, file and property path in the message, nothing on stdout', async () => {
    const dir = await exampleCopy('hardened');
    const file = join(dir, 'Get-OrganizationConfig.json');
    await writeFile(file, JSON.stringify([{ Name: 'northwind', RejectDirectSend: 'maybe' }]));
    const r = await mxlock('assess', dir, '--offline');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('Get-OrganizationConfig.json');
    expect(r.stderr).toContain('[0].RejectDirectSend');
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace without --debug
  });

  test('a file that is not JSON: exit 2 naming the file and the line', async () => {
    const dir = await exampleCopy('hardened');
    await writeFile(join(dir, 'Get-TransportRule.json'), '[\n  {"Name": "x",\n  oops\n]');
    const r = await mxlock('assess', dir, '--offline');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Get-TransportRule\.json: not valid JSON at line 3/);
  });

  test('a bad profile: exit 2 with line and column', async () => {
    const dir = await exampleCopy('hardened');
    await writeFile(join(dir, 'mxlock.yaml'), 'gateway:\n  ips: [203.0.113.10, not-an-ip]\n');
    const r = await mxlock('assess', dir, '--offline');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/mxlock\.yaml:2:\d+: gateway\.ips\[1\]/);
  });

  test('an export folder that does not exist: exit 2', async () => {
    const r = await mxlock('assess', join(tmp, 'nope'), '--offline');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      ': cannot read the export folder or snapshot.json: no such file or folder; check the path',
    );
  });

  test('an unknown format or severity is a usage error (exit 2)', async () => {
    expect((await mxlock('assess', join(REPO, 'examples', 'hardened'), '--format', 'pdf')).code).toBe(2);
    expect((await mxlock('assess', join(REPO, 'examples', 'hardened'), '--fail-on', 'severe')).code).toBe(2);
  });

  test('--help teaches: options, examples and exit codes', async () => {
    const r = await mxlock('assess', '--help');
    expect(r.code).toBe(0);
    for (const s of ['--offline', '--format', '--fail-on', 'Examples:', 'Exit codes'])
      expect(r.stdout).toContain(s);
  });

  test('--version prints the package version (the fast path of main.ts: a process)', async () => {
    const r = await mxlockProcess('--version');
    const pkg = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8'));
    expect(r.stdout.trim()).toBe(pkg.version);
  });
});

describe('mxlock assess --benchmark (issue 13 item 5)', () => {
  const HALF_DONE = join(REPO, 'examples', 'half-done');

  test('json: only findings mapped to the framework, only its ids; same exit code as the whole report', async () => {
    const whole = await mxlock('assess', HALF_DONE, '--offline', '--format', 'json');
    const cis = await mxlock('assess', HALF_DONE, '--offline', '--format', 'json', '--benchmark', 'cis-m365');
    expect(cis.code).toBe(whole.code);
    const all = (
      JSON.parse(whole.stdout) as { findings: { id: string; benchmarks: { framework: string }[] }[] }
    ).findings;
    const report = JSON.parse(cis.stdout) as {
      benchmark: string;
      findings: { id: string; benchmarks: { framework: string; id: string; version: string }[] }[];
    };
    expect(report.benchmark).toBe('cis-m365');
    expect(report.findings.map((f) => f.id)).toEqual(
      all.filter((f) => f.benchmarks.some((b) => b.framework === 'cis-m365')).map((f) => f.id),
    );
    expect(report.findings.find((f) => f.id === 'direct-send.reject-flag')?.benchmarks).toEqual([
      { framework: 'cis-m365', id: '6.5.5', version: '6.0.0' },
    ]);
    for (const f of report.findings) for (const b of f.benchmarks) expect(b.framework).toBe('cis-m365');
  });

  test.each([
    ['md', 'SCuBA MS.EXO.3.1v1'],
    ['sarif', 'scuba:MS.EXO.3.1v1'],
    ['terminal', 'SCuBA MS.EXO.3.1v1'],
  ])('%s carries the ids', async (format, expected) => {
    const r = await mxlock('assess', HALF_DONE, '--offline', '--format', format, '--benchmark', 'scuba');
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.stdout).toContain(expected);
    expect(r.stdout).not.toContain('ORCA108');
  });

  test('an unknown framework is a usage error (exit 2) naming the choices', async () => {
    const r = await mxlock('assess', HALF_DONE, '--offline', '--benchmark', 'nist');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('cis-m365');
  });
});
