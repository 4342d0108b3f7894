/** `mxlock trace` / `mxlock events` end to end (main() in process, test/support/cli.ts): DESIGN §3.4 JSON, terminal, exit codes. */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mxlock, REPO } from '../support/cli.js';

const FIX = join(REPO, 'test', 'fixtures', 'logs');
const WIDE_OPEN = ['--export', join(REPO, 'examples', 'wide-open')];
const HALF_DONE = ['--export', join(REPO, 'examples', 'half-done')];

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'mxlock-trace-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('mxlock trace', () => {
  test('impact replay: a printer sending as an own domain is listed as would break, at the lock-down stage', async () => {
    const r = await mxlock('trace', join(FIX, 'printer-wide-open.csv'), ...WIDE_OPEN, '--format', 'json');
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout);
    // DESIGN §3.4 keys.
    expect(j).toMatchObject({ schemaVersion: 1, rows: 3 });
    expect(j.inbound).toMatchObject({ viaGateway: 1, viaDeclaredSource: 0, direct: 2, rejected: 0 });
    expect(j.directSources).toEqual([
      {
        ip: '192.0.2.77',
        senderDomain: 'contoso.com',
        count: 2,
        firstSeen: '2025-09-01T08:00:01Z',
        lastSeen: '2025-09-01T09:00:00Z',
      },
    ]);
    expect(j.directSendInventory).toEqual([
      expect.objectContaining({ sender: 'printer@contoso.com', ip: '192.0.2.77', count: 2 }),
    ]);
    const printer = j.impact.find((i: { sender: string }) => i.sender === 'printer@contoso.com');
    expect(printer).toMatchObject({ ip: '192.0.2.77', count: 2, wouldBe: 'refused at stage 2', stage: 2 });
    expect(printer.reply).toMatch(/^550 5\.7\.51/);
    // Only refused flows are in impact[]; the gateway's flow, which the simulator cannot settle after stage 5 (the
    // sender's authentication is not in the export's DNS), is counted apart with its reason: unknown, not safe.
    expect(j.impact).toHaveLength(1);
    expect(j.impactUncertain).toEqual([
      expect.objectContaining({
        stage: 5,
        flows: 1,
        rows: 1,
        reason: expect.stringMatching(/composite authentication/),
      }),
    ]);
    expect(j.impactUncertain[0].examples[0]).toMatchObject({
      sender: 'news@partner.example',
      ip: '203.0.113.10',
    });
    expect(j.directSendSourcesYaml).toContain('senders: ["printer@contoso.com"]');
    // Progress is for a terminal only: never in the JSON, and not on a non-TTY stderr.
    expect(r.stderr).not.toMatch(/reading/);

    const t = await mxlock('trace', join(FIX, 'printer-wide-open.csv'), ...WIDE_OPEN);
    expect(t.code).toBe(1);
    const flat = t.stdout.replace(/\s+/g, ' ');
    expect(flat).toContain(
      'would break: printer@contoso.com from 192.0.2.77 to contoso.com (2): refused at stage 2',
    );
    expect(flat).toMatch(/5\.7\.68.*5\.7\.51.*their absence here proves nothing/);
    expect(flat).toContain(
      'may break: 1 flow(s), 1 row(s), uncertain after stage 5, e.g. news@partner.example',
    );
    for (const line of t.stdout.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
  });

  test('impact replay of many flows: each entry names the flow the simulator refused (results matched to flows)', async () => {
    // 30 gateway flows from 30 partner domains and 12 printers sending as the own domain from their own addresses:
    // only the printers are refused (at the lock-down stage), whatever their place among the flows.
    const lines = ['"Received","SenderAddress","RecipientAddress","Subject","Status","FromIP"'];
    const printers: string[] = [];
    for (let i = 0; i < 42; i++) {
      const printer = i % 7 === 3 || i >= 36;
      const sender = printer ? `printer${i}@contoso.com` : `news@partner${i}.example`;
      const ip = printer ? `192.0.2.${100 + i}` : '203.0.113.10';
      if (printer) printers.push(`${sender} ${ip}`);
      lines.push(
        [
          `9/1/2025 8:${String(i).padStart(2, '0')}:00 AM`,
          sender,
          'alice@contoso.com',
          'Scan',
          'Delivered',
          ip,
        ]
          .map((v) => `"${v}"`)
          .join(','),
      );
    }
    const file = join(tmp, 'many-flows.csv');
    await writeFile(file, lines.join('\r\n') + '\r\n');
    const r = await mxlock('trace', file, ...WIDE_OPEN, '--format', 'json');
    const j = JSON.parse(r.stdout);
    expect(j.replay.flows).toBe(42);
    expect(j.impact.map((i: { sender: string; ip: string }) => `${i.sender} ${i.ip}`).sort()).toEqual(
      printers.sort(),
    );
    for (const i of j.impact) expect(i).toMatchObject({ wouldBe: 'refused at stage 2', stage: 2 });
    expect(j.impactUncertain.reduce((n: number, g: { flows: number }) => n + g.flows, 0)).toBe(
      42 - printers.length,
    );
  });

  test('several files in several layouts add up; --no-impact skips the replay', async () => {
    const r = await mxlock(
      'trace',
      join(FIX, 'message-trace-v2.csv'),
      join(FIX, 'historical-summary-utf16le-nobom.csv'),
      ...HALF_DONE,
      '--no-impact',
      '--format',
      'json',
    );
    const j = JSON.parse(r.stdout);
    expect(j.rows).toBe(12);
    expect(j.inbound).toMatchObject({ viaGateway: 3, viaDeclaredSource: 1, direct: 3, rejected: 3 });
    expect(j.files.map((f: { layout: string; encoding: string }) => [f.layout, f.encoding])).toEqual([
      ['message-trace', 'utf-8'],
      ['historical-summary', 'utf-16le'],
    ]);
    expect(j.impact).toEqual([]);
    expect(j.replay).toBeNull();
  });

  test('exit 1 when the only news is a flow the plan may refuse (uncertain is not safe)', async () => {
    // One newsletter through the gateway: no direct delivery, nothing refused for certain, but after stage 5 the
    // simulator cannot tell (the sender's authentication is not in the export's DNS).
    const file = join(tmp, 'gateway-only.csv');
    await writeFile(
      file,
      '"Received","SenderAddress","RecipientAddress","Subject","Status","ToIP","FromIP","Size","MessageTraceId"\r\n' +
        '"2025-09-01T09:05:00+00:00","news@partner.example","alice@contoso.com","Hello","Delivered","","203.0.113.10","1000","c20e0f7a-f06b-41df-fe33-08d9da155ac3"\r\n',
    );
    const r = await mxlock('trace', file, ...WIDE_OPEN, '--format', 'json');
    const j = JSON.parse(r.stdout);
    expect(j.inbound).toMatchObject({ direct: 0, unknownSource: 0 });
    expect(j.impact).toEqual([]);
    expect(j.impactUncertain).toHaveLength(1);
    expect(r.code).toBe(1);
  });

  test('an unknown layout: exit 2, the file, the columns found and the layouts known', async () => {
    const r = await mxlock('trace', join(FIX, 'unknown-layout.csv'), ...HALF_DONE);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /unknown-layout\.csv: not a log layout mxlock knows\. Columns found: Name, Value/,
    );
    expect(r.stderr).not.toMatch(/unexpected error/);
  });

  test('hostile values are escaped in the terminal', async () => {
    const file = join(tmp, 'hostile.csv');
    await writeFile(
      file,
      '"Received","SenderAddress","RecipientAddress","Status","FromIP"\r\n' +
        '"2025-09-01T08:00:00Z","evil\u001b[2J\u202e@contoso.com","alice@contoso.com","Delivered","192.0.2.9"\r\n',
    );
    const r = await mxlock('trace', file, ...WIDE_OPEN, '--no-impact');
    expect(r.stdout).not.toContain('\u001b');
    expect(r.stdout).not.toContain('\u202e');
    expect(r.stdout).toContain('evil\\x1b[2j\\u202e@contoso.com'); // addresses are compared lower case
  });
});

describe('mxlock events', () => {
  test('EmailEvents: Connectors empty + Inbound + not from the gateway is direct', async () => {
    const r = await mxlock(
      'events',
      join(FIX, 'email-events.csv'),
      ...HALF_DONE,
      '--format',
      'json',
      '--no-impact',
    );
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ command: 'events', rows: 5 });
    expect(j.inbound).toMatchObject({ viaGateway: 1, direct: 2, rejected: 1 });
    expect(j.directSendInventory.map((e: { sender: string }) => e.sender)).toEqual(['printer@fabrikam.com']);
  });

  test('impact replay: EmailEvents authentication decides a DKIM-signed partner flow and a spoof of it apart', async () => {
    // The half-done tenant, with partner.example publishing p=reject and an SPF that does not list the gateway.
    const exp = join(tmp, 'half-done-partner');
    await cp(join(REPO, 'examples', 'half-done'), exp, { recursive: true });
    const dns = JSON.parse(await readFile(join(exp, 'dns.json'), 'utf8'));
    dns['partner.example'] = { TXT: ['v=spf1 ip4:198.18.0.0/24 -all'] };
    dns['_dmarc.partner.example'] = { TXT: ['v=DMARC1; p=reject'] };
    await writeFile(join(exp, 'dns.json'), JSON.stringify(dns));
    const run = async (file: string) => {
      const r = await mxlock('events', file, '--export', exp, '--format', 'json');
      return JSON.parse(r.stdout);
    };
    const byFlow = (j: { impact: { sender: string; wouldBe: string }[] }) =>
      j.impact.map((i) => `${i.sender}: ${i.wouldBe}`);
    const csv = await run(join(FIX, 'email-events-auth.csv'));
    // The spoof failed DMARC: after stage 5 (Enhanced Filtering on the gateway's connector, EF-3) EOP honours
    // partner.example's p=reject (SPOOF-6.3, 5.7.509). The newsletter passed DKIM, so DMARC passes (SPOOF-6.2): kept.
    expect(byFlow(csv)).toEqual(['billing@partner.example: refused at stage 5']);
    expect(csv.impact[0]).toMatchObject({
      ip: '203.0.113.10',
      reply: expect.stringMatching(/^550 5\.7\.509 .*\[partner\.example\] does not pass DMARC/),
      rules: expect.arrayContaining(['EF-3', 'SPOOF-6.3']),
      authentication: expect.stringMatching(
        /^observed through the gateway \(SPF fail, DKIM none, DMARC fail/,
      ),
    });
    expect(csv.notes).toContain(
      "2 flow(s) relayed by the gateway have no DKIM pass in EmailEvents: their authentication after Enhanced Filtering (which makes EOP check the original sender's address, EF-1) is computed from the recorded DNS, not taken from the log",
    );
    // The hunting API's JSON (lower-case keys in AuthenticationDetails) decides the same.
    const hunting = await run(join(FIX, 'email-events-auth-hunting.json'));
    expect(hunting.impact).toEqual(csv.impact);
    expect(hunting.impactUncertain).toEqual(csv.impactUncertain);
    // Without AuthenticationDetails the simulator has only the DNS: the newsletter would be refused too.
    const text = await readFile(join(FIX, 'email-events-auth.csv'), 'utf8');
    const bare = join(tmp, 'events-no-auth.csv');
    await writeFile(bare, text.replace(/,"\{[^\r\n]*\}"(?=\r\n)/g, ',""'));
    expect(byFlow(await run(bare))).toEqual([
      'news@partner.example: refused at stage 5',
      'billing@partner.example: refused at stage 5',
    ]);
  });
});
