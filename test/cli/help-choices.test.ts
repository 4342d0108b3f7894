/**
 * Issue 10 item 10: `--help` never lists a value the command then refuses. Every `(choices: …)` of every command's
 * --help is read from the help text itself (so a choice added later is tested too) and run on an example export.
 */
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { mxlock, REPO } from '../support/cli.js';

const EXAMPLE = join(REPO, 'examples', 'hardened');

/** A run of each command that needs nothing but the example export (offline, recorded DNS); the choice is appended. */
const BASE: Readonly<Record<string, readonly string[]>> = {
  assess: ['assess', EXAMPLE, '--offline', '--fail-on', 'none'],
  simulate: ['simulate', EXAMPLE, '--offline'],
  diff: ['diff', EXAMPLE, EXAMPLE, '--offline'],
  dns: ['dns', 'contoso.com', '--zone', join(EXAMPLE, 'dns.json')],
  // --script needs no tenant and no network; the cloud and the summary format are accepted before it prints.
  collect: ['collect', '--script'],
  headers: ['headers', join(REPO, 'test', 'fixtures', 'headers', 'gateway-ef.eml')],
  dmarc: ['dmarc', join(REPO, 'test', 'fixtures', 'dmarc', 'rfc9990.xml'), '--export', EXAMPLE],
  trace: ['trace', join(REPO, 'test', 'fixtures', 'logs', 'message-trace-v2.csv'), '--export', EXAMPLE],
  events: ['events', join(REPO, 'test', 'fixtures', 'logs', 'email-events.csv'), '--export', EXAMPLE],
  // Nothing listens on loopback port 1: every attempt ends "connection refused" at once (exit 1).
  probe: [
    'probe',
    'contoso.com',
    '--host',
    '127.0.0.1',
    '--port',
    '1',
    '--tenant',
    'contoso.onmicrosoft.com',
  ],
};

/**
 * Commands that run until stopped (a server): the choice is given with an out-of-range --port, so the run ends at that
 * check, after commander has accepted (or refused) the choice. The only error must then be the port's.
 */
const UNTIL_STOPPED: Readonly<Record<string, readonly string[]>> = {
  emulate: ['emulate', EXAMPLE, '--offline', '--port', '70000'],
};

/** The command names under "Commands:" of `mxlock --help` (help itself aside). */
function commandsOf(help: string): string[] {
  const section = help.split(/^Commands:$/m)[1]?.split(/\n\n/)[0] ?? '';
  return [...section.matchAll(/^ {2}([a-z][\w-]*)/gm)].map((m) => m[1]!).filter((name) => name !== 'help');
}

/** Each option entry of a command's --help, its wrapped lines joined: `[flag, choices]` for those with choices. */
function choicesOf(help: string): [string, string[]][] {
  const section = help.split(/^Options:$/m)[1]?.split(/\n\n/)[0] ?? '';
  const entries = section.split(/\n(?= {2}-)/).map((e) => e.replace(/\s+/g, ' ').trim());
  const out: [string, string[]][] = [];
  for (const entry of entries) {
    const flag = /--[\w-]+/.exec(entry)?.[0];
    const list = /\(choices: ((?:"[^"]*"(?:, )?)+)/.exec(entry)?.[1];
    if (flag && list) out.push([flag, [...list.matchAll(/"([^"]*)"/g)].map((m) => m[1]!)]);
  }
  return out;
}

describe('every choice --help lists is accepted (issue 10 item 10)', () => {
  test('the help parser finds the choices it must find', async () => {
    const help = await mxlock('assess', '--help');
    const found = Object.fromEntries(choicesOf(help.stdout));
    expect(found['--format']).toContain('json');
    expect(found['--fail-on']).toEqual(['critical', 'high', 'medium', 'low', 'info', 'none']);
    expect(found['--benchmark']).toEqual(['cis-m365', 'scuba', 'orca']);
    expect(commandsOf((await mxlock('--help')).stdout)).toEqual([
      'assess',
      'init',
      'collect',
      'simulate',
      'plan',
      'dns',
      'headers',
      'dmarc',
      'emulate',
      'probe',
      'kql',
      'diff',
      'trace',
      'events',
    ]);
  });

  test('each command, each listed value: run, and not refused (exit 0 or 1, no usage error)', async () => {
    const runs: string[] = [];
    for (const command of commandsOf((await mxlock('--help')).stdout)) {
      const choices = choicesOf((await mxlock(command, '--help')).stdout);
      if (choices.length === 0) continue;
      const server = UNTIL_STOPPED[command];
      if (server) {
        for (const [flag, values] of choices)
          for (const value of values) {
            const run = await mxlock(...server, flag, value);
            runs.push(`${command} ${flag} ${value}`);
            expect(run.code, `mxlock ${command} ${flag} ${value}`).toBe(2);
            expect(run.stderr.trim(), `mxlock ${command} ${flag} ${value}`).toMatch(
              /^mxlock: --port [^\n]*$/,
            );
          }
        continue;
      }
      // A command that lists choices needs a base run here: a new one fails until it has one.
      expect(BASE[command], `no base run for "mxlock ${command}" in this test`).toBeDefined();
      for (const [flag, values] of choices)
        for (const value of values) {
          const run = await mxlock(...BASE[command]!, flag, value);
          runs.push(`${command} ${flag} ${value}`);
          expect(
            {
              exit: run.code,
              stderr: run.stderr.split('\n').filter((l) => /invalid|not available|unexpected error/i.test(l)),
            },
            `mxlock ${command} ${flag} ${value}`,
          ).toEqual({ exit: expect.any(Number) as number, stderr: [] });
          expect(run.code, `mxlock ${command} ${flag} ${value}: ${run.stderr}`).not.toBe(2);
        }
    }
    // The listed formats of the three commands that have them, and every --fail-on severity.
    expect(runs).toContain('assess --format sarif');
    expect(runs).toContain('assess --fail-on info');
    expect(runs).toContain('simulate --format json');
    expect(runs).toContain('dns --format json');
    expect(runs).toContain('headers --format json');
    expect(runs).toContain('dmarc --format json');
    expect(runs).toContain('probe --format json');
    expect(runs).toContain('emulate --uncertain refuse');
    expect(runs).toContain('collect --environment gcchigh');
  }, 120_000);
});
