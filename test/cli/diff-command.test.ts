/**
 * `mxlock diff` end to end through the built bundle (issue 12 acceptance): half-done → hardened reports the
 * improvements and exits 0; the reverse exits 1 naming the regressions. DESIGN §3.4 JSON, 80 columns, input errors.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mxlock, REPO } from '../support/cli.js';

const HALF_DONE = join(REPO, 'examples', 'half-done');
const HARDENED = join(REPO, 'examples', 'hardened');

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'mxlock-diff-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

interface Entry {
  kind: string;
  id: string;
  before: string;
  after: string;
}

const ids = (list: Entry[]) => list.map((e) => e.id);

describe('mxlock diff', () => {
  test('half-done → hardened: the improvements, no regression, exit 0 (DESIGN §3.4 JSON)', async () => {
    const r = await mxlock('diff', HALF_DONE, HARDENED, '--offline', '--format', 'json');
    expect(r.stderr).not.toMatch(/unexpected/);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.schemaVersion).toBe(1);
    expect(j.regressions).toEqual([]);
    for (const e of j.improvements as Entry[])
      expect(Object.keys(e).slice(0, 4)).toEqual(['kind', 'id', 'before', 'after']);
    expect(j.improvements).toContainEqual({
      kind: 'path',
      id: 'verdict.bypass',
      before: 'open',
      after: 'closed',
    });
    expect(j.improvements).toContainEqual({
      kind: 'path',
      id: 'path.spoof-header-own-domain',
      before: 'open (attack)',
      after: 'closed (attack)',
    });
    expect(j.improvements).toContainEqual({
      kind: 'object',
      id: 'object.lockdown-connector.restriction',
      before: 'none',
      after: 'certificate',
    });
    expect(j.improvements).toContainEqual({
      kind: 'finding',
      id: 'rule.safety-net-mode',
      before: 'fail (medium)',
      after: 'pass',
    });
    expect(ids(j.changes)).toContain('object.transport-rule:External sender tag');
  });

  test('hardened → half-done: exit 1, the regressions named in the terminal report at 80 columns', async () => {
    const r = await mxlock('diff', HARDENED, HALF_DONE, '--offline');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^\d+ regressions, 0 improvements/m);
    for (const id of [
      'verdict.bypass: closed -> open',
      'path.foreign-domain-direct: closed (attack) -> open (attack)',
      'object.lockdown-connector.restriction: certificate -> none',
      'connector.lockdown-sender-scope: pass -> fail (high)',
    ])
      expect(r.stdout).toContain(id);
    for (const line of r.stdout.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
    const j = JSON.parse((await mxlock('diff', HARDENED, HALF_DONE, '--offline', '--format', 'json')).stdout);
    expect(j.improvements).toEqual([]);
    expect(ids(j.regressions)).toEqual(
      expect.arrayContaining([
        'rule.safety-net-mode',
        'path.null-sender-direct',
        'object.lockdown-connector',
      ]),
    );
  });

  test('an export against itself: nothing moved, exit 0', async () => {
    const r = await mxlock('diff', HARDENED, HARDENED, '--offline', '--format', 'json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect([...j.regressions, ...j.improvements, ...j.changes]).toEqual([]);
  });

  test('RejectDirectSend turned off in a copy of the hardened export: a regression, exit 1', async () => {
    const copy = join(tmp, 'rds-off');
    await cp(HARDENED, copy, { recursive: true });
    const file = join(copy, 'Get-OrganizationConfig.json');
    const text = await readFile(file, 'utf8');
    expect(text).toContain('"RejectDirectSend":true');
    await writeFile(file, text.replace('"RejectDirectSend":true', '"RejectDirectSend":false'));
    const r = await mxlock('diff', HARDENED, copy, '--offline', '--format', 'json');
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout);
    expect(j.regressions).toContainEqual({
      kind: 'object',
      id: 'object.reject-direct-send',
      before: 'true',
      after: 'false',
    });
    expect(ids(j.regressions)).toContain('direct-send.reject-flag');
  });

  test('input errors exit 2 naming the file; --out never writes into either export', async () => {
    const missing = await mxlock('diff', HARDENED, join(tmp, 'nope'), '--offline');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(join(tmp, 'nope'));
    expect(missing.stderr).not.toMatch(/unexpected/);
    const into = await mxlock(
      'diff',
      HALF_DONE,
      HARDENED,
      '--offline',
      '--out',
      join(HARDENED, 'drift.json'),
    );
    expect(into.code).toBe(2);
    expect(into.stderr).toMatch(/export folder this run reads/);
    const out = join(tmp, 'drift.json');
    const written = await mxlock('diff', HARDENED, HALF_DONE, '--offline', '--format', 'json', '--out', out);
    expect(written.code).toBe(1);
    expect(JSON.parse(await readFile(out, 'utf8')).regressions.length).toBeGreaterThan(0);
  });
});
