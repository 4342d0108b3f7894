/**
 * collection.json beside an export (written by `mxlock collect`): read only to say why an export file is missing. A
 * damaged manifest is a warning, never an error, and its messages are escaped for display.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { readCollectionErrors } from '../../src/snapshot/collection.js';
import { readExport } from '../../src/snapshot/read.js';
import { REPO, mxlock } from '../support/cli.js';

const file = (value: unknown) => ({
  path: '/x/collection.json',
  bytes: Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
});

const manifest = (cmdlets: Record<string, unknown>) => ({
  schemaVersion: 1,
  tool: { name: 'mxlock', version: '0.1.0' },
  tenant: 'northwind.onmicrosoft.com',
  finishedAt: '2026-12-07T08:00:00.000Z',
  cmdlets,
});

describe('readCollectionErrors', () => {
  test('keeps the failed cmdlets with their message, escaped and bounded; ok ones and unknown names are left out', () => {
    const read = readCollectionErrors(
      file(
        manifest({
          'Get-ArcConfig': {
            status: 'error',
            error: 'forbidden',
            message: '403 Forbidden\u202e: grant\nthe role',
          },
          'Get-TransportConfig': { status: 'error', error: 'cmdlet', message: 'x'.repeat(1000) },
          'Get-InboundConnector': { status: 'ok', objects: 2, calls: 1, pages: 1, retries: 0 },
          'Get-Nonsense': { status: 'error', error: 'cmdlet', message: 'ignored' },
        }),
      ),
    );
    expect('collection' in read).toBe(true);
    if (!('collection' in read)) return;
    expect(read.collection.at).toBe('2026-12-07T08:00:00.000Z');
    expect(Object.keys(read.collection.errors).sort()).toEqual(['Get-ArcConfig', 'Get-TransportConfig']);
    const arc = read.collection.errors['Get-ArcConfig']!;
    expect(arc).toMatch(/^403 Forbidden/);
    expect(arc).not.toMatch(/[\u202e\n]/);
    expect(read.collection.errors['Get-TransportConfig']!.length).toBeLessThanOrEqual(301);
  });

  test.each([
    ['not JSON', '{"schemaVersion": 1, "cmdlets": {', /collection\.json.*ignored/],
    ['another tool’s file', { hello: 'world' }, /not an mxlock collection manifest/],
    ['a later schema', { schemaVersion: 2, cmdlets: {} }, /not an mxlock collection manifest/],
  ])('%s: a warning naming the file, not an error', (_what, value, warning) => {
    const read = readCollectionErrors(file(value));
    expect(read).toEqual({ warning: expect.stringMatching(warning) });
  });
});

describe('an export with collection.json', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mxlock-collection-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(join(REPO, 'examples', 'hardened'), dir, { recursive: true });
  rmSync(join(dir, 'Get-ArcConfig.json'));
  writeFileSync(
    join(dir, 'collection.json'),
    JSON.stringify(
      manifest({
        'Get-ArcConfig': { status: 'error', error: 'forbidden', message: '403 Forbidden: no role' },
      }),
    ),
  );

  test('the reader keeps the error; the missing export is still missing', async () => {
    const snapshot = await readExport(dir);
    expect(snapshot.missing).toEqual(['Get-ArcConfig']);
    expect(snapshot.collection?.errors['Get-ArcConfig']).toBe('403 Forbidden: no role');
  });

  test('inventory.snapshot-complete says why the file is missing', async () => {
    const run = await mxlock('assess', dir, '--offline', '--format', 'json', '--fail-on', 'none');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as { findings: { id: string; evidence: string[] }[] };
    const inventory = report.findings.find((f) => f.id === 'inventory.snapshot-complete');
    expect(inventory?.evidence.join('\n')).toContain(
      'Get-ArcConfig.json was not exported (mxlock collect at 2026-12-07T08:00:00.000Z: 403 Forbidden: no role)',
    );
  });
});
