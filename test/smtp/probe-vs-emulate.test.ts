/**
 * Issue 11 acceptance: for every bundled example, `probe` against `emulate` of that example reproduces the simulator's
 * path statuses over real loopback SMTP, before and after the plan, with STARTTLS (the emulator's certificate is
 * generated in memory at start). Both sides are built from the same export the way the CLI builds them
 * (`configurationOfExport` for the probe's prediction, `exportTenant` for the emulator, as `emulate` builds it), so a
 * disagreement means the emulator and the simulator answer one attempt differently, or the probe misreads a reply.
 * The CLI run at the end saves the transcript with --transcript.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { exportTenant } from '../../src/smtp/export-tenant.js';
import { startEmulator, type Emulator, type EmulatorLogEntry } from '../../src/smtp/emulator.js';
import { configurationOfExport, runProbe } from '../../src/smtp/probe.js';
import { mxlock } from '../support/cli.js';

const EXAMPLES = join(import.meta.dirname, '..', '..', 'examples');
const NOW = new Date('2026-11-28T00:00:00Z');
const noDns = () => Promise.reject(new Error('no DNS in this test: the endpoint is given'));
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** The emulator of an example as exported, or after the plan's runnable stages (as `emulate --after-plan`). */
async function emulatorOf(
  dir: string,
  afterPlan: boolean,
  log?: (entry: EmulatorLogEntry) => void,
): Promise<Emulator> {
  const { snapshot, profile, gateway, zone } = await exportTenant(dir, {
    offline: true,
    afterPlan,
    now: NOW,
  });
  return startEmulator({ snapshot, profile, gateway, zone, now: NOW, ...(log ? { log } : {}) });
}

describe.each(['hardened', 'half-done', 'wide-open'])('examples/%s', (name) => {
  const dir = join(EXAMPLES, name);
  test.each([false, true])(
    'probe against emulate (after the plan: %s) agrees with the simulator',
    async (afterPlan) => {
      const configuration = await configurationOfExport(dir, { offline: true, afterPlan, now: NOW });
      const events: EmulatorLogEntry[] = [];
      const emu = await emulatorOf(dir, afterPlan, (e) => events.push(e));
      try {
        const domain = configuration.acceptedDomains[0]!;
        const report = await runProbe({
          domain,
          host: '127.0.0.1',
          port: emu.port,
          tenant: configuration.initialDomain,
          timeoutMs: 10_000,
          tls: { insecure: true },
          resolve: noDns,
          configuration,
          now: NOW,
        });
        // Every standard attack attempt was made, over STARTTLS, and none sent DATA.
        expect(report.attempts.map((a) => a.path).sort()).toEqual(
          configuration.attackPaths.map((p) => p.id).sort(),
        );
        for (const a of report.attempts) {
          expect(a.tls, a.path).toBe(true);
          expect(a.dataSent, a.path).toBe(false);
          expect(a.classification, `${a.path}: ${a.transcript.join(' | ')}`).not.toBe('error');
        }
        // The endpoint's answer agrees with the prediction for each attempt, and gives the path the simulator's status.
        const simulated = configuration.predict(configuration.attackPaths);
        for (const a of report.attempts) {
          expect(a.prediction?.comparison, `${a.path}: ${a.prediction?.explanation}`).toBe('agrees');
          const sim = simulated.find((p) => p.id === a.path);
          expect(
            a.status,
            `${a.path}: probe ${a.reply} vs simulator ${sim?.outcome.reply ?? sim?.outcome.disposition}`,
          ).toBe(sim?.status);
        }
        expect(report.summary.disagreements).toBe(0);
        // The emulator's own log: a RCPT decision for every attempt, and no DATA in any session (no --send).
        expect(events.filter((e) => e.event === 'rcpt').length).toBeGreaterThanOrEqual(
          report.attempts.length,
        );
        expect(events.filter((e) => e.event === 'data')).toEqual([]);
      } finally {
        await emu.close();
      }
    },
  );
});

test('the CLI probe against the emulator of examples/wide-open saves its transcript and exits 1 on the open paths', async () => {
  const dir = join(EXAMPLES, 'wide-open');
  const out = mkdtempSync(join(tmpdir(), 'mxlock-probe-emu-'));
  dirs.push(out);
  const emu = await emulatorOf(dir, false);
  try {
    const transcript = join(out, 'transcript.txt');
    const r = await mxlock(
      'probe',
      'contoso.com',
      '--host',
      '127.0.0.1',
      '--port',
      String(emu.port),
      '--tenant',
      'contoso.onmicrosoft.com',
      '--insecure-tls',
      '--export',
      dir,
      '--offline',
      '--transcript',
      transcript,
    );
    expect(r.stderr).not.toMatch(/unexpected error/);
    expect(r.code).toBe(1);
    const text = readFileSync(transcript, 'utf8');
    expect(text).toMatch(/C: STARTTLS/);
    expect(text).toMatch(/C: RCPT TO:<[^>]+@contoso\.com>/);
    expect(text).not.toMatch(/C: DATA/);
  } finally {
    await emu.close();
  }
});
