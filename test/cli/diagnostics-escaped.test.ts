/**
 * Issue 10 item 7: control and bidi characters from input are shown escaped in every diagnostic on stderr: errors
 * (the "(found …)" part), warnings, init's report of what it inferred. One function, common/text.ts linesSafe.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { linesSafe } from '../../src/common/text.js';
import { mxlock } from '../support/cli.js';

const HOSTILE = 'evil\u202Egpj.exe\u001b[31m';
const raw = (s: string) => s.includes('\u202E') || s.includes('\u001b');

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'mxlock-diag-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('linesSafe', () => {
  test('escapes each line and keeps the line breaks between them', () => {
    expect(linesSafe(`a${'\u001b'}b\nc\u202Ed`)).toBe('a\\x1bb\nc\\u202ed');
  });
});

describe('the commands', () => {
  test('an export error quotes the bad value escaped ("found …")', async () => {
    const dir = join(tmp, 'bad-export');
    await mkdir(dir);
    await writeFile(
      join(dir, 'Get-InboundConnector.json'),
      JSON.stringify([{ Name: 'x', RequireTls: HOSTILE }]),
    );
    const r = await mxlock('assess', dir, '--offline');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('RequireTls');
    expect(raw(r.stderr)).toBe(false);
    expect(r.stderr).toContain('\\u202e');
  });

  test("init's report of the inferred gateway shows a hostile connector name escaped", async () => {
    const dir = join(tmp, 'init-export');
    await mkdir(dir);
    await writeFile(
      join(dir, 'Get-AcceptedDomain.json'),
      JSON.stringify([{ DomainName: 'contoso.com', Default: true }]),
    );
    await writeFile(
      join(dir, 'Get-InboundConnector.json'),
      JSON.stringify([
        {
          Name: HOSTILE,
          Enabled: true,
          ConnectorType: 'Partner',
          SenderDomains: ['smtp:*;1'],
          SenderIPAddresses: ['203.0.113.10'],
          RestrictDomainsToIPAddresses: true,
        },
      ]),
    );
    const r = await mxlock('init', dir);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('evil\\u202egpj.exe\\x1b[31m');
    expect(raw(r.stderr)).toBe(false);
  });
});
