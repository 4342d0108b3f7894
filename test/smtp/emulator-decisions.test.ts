/** The one mapping from the simulator's outcomes to the emulator's SMTP replies (src/smtp/emulator-decisions.ts). */
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { configFor } from '../../src/assess.js';
import { assessExport } from '../../src/assess-export.js';
import { resolveGateway } from '../../src/profile/infer.js';
import type { Snapshot } from '../../src/snapshot/types.js';
import {
  dataDecision,
  rcptDecision,
  splitReply,
  UNDOCUMENTED_REFUSAL,
  type SessionFacts,
} from '../../src/smtp/emulator-decisions.js';
import { REPO } from '../support/cli.js';

let hardened: Snapshot;
beforeAll(async () => {
  hardened = (await assessExport(join(REPO, 'examples', 'hardened'), { offline: true })).snapshot;
});

const cfgOf = (s: Snapshot) => configFor(s, resolveGateway(undefined, s), {});
const attacker: SessionFacts = {
  clientIp: '127.0.0.1',
  tls: true,
  certNames: [],
  mailFrom: 'a@sender.example',
};

describe('splitReply', () => {
  test('a reply line splits into code and text; anything else is the undocumented refusal', () => {
    expect(splitReply('550 5.7.64 TenantAttribution; Relay Access Denied')).toEqual({
      code: 550,
      text: '5.7.64 TenantAttribution; Relay Access Denied',
    });
    expect(splitReply('unknown')).toBe(UNDOCUMENTED_REFUSAL);
    expect(splitReply(undefined)).toBe(UNDOCUMENTED_REFUSAL);
  });
});

describe('rcptDecision', () => {
  test('a model that cannot decide (no Get-InboundConnector) is answered by --uncertain, and says so', () => {
    const { 'Get-InboundConnector': _dropped, ...rest } = hardened.data;
    const cfg = cfgOf({ ...hardened, data: rest });
    const accept = rcptDecision(cfg, attacker, 'user@northwindtraders.com');
    expect(accept).toMatchObject({ reply: { code: 250 }, accepted: true, uncertain: true });
    expect(accept.uncertainties.join('\n')).toMatch(/Get-InboundConnector was not exported/);
    expect(accept.uncertainties.join('\n')).toMatch(/answered as accepted \(the worse case/);
    const refuse = rcptDecision(cfg, attacker, 'user@northwindtraders.com', 'refuse');
    expect(refuse).toMatchObject({ accepted: false, uncertain: true });
    expect(refuse.reply.text).toMatch(/^5\.7\.51 TenantInboundAttribution/);
    expect(refuse.rules.map((r) => r.rule)).toEqual(['CON-5']);
  });

  test('a refusal whose reply Microsoft does not document (CON-6 RequireTls, OQ-6) is said to be one', () => {
    const connectors = (hardened.data['Get-InboundConnector'] ?? []).map((c) =>
      c.Name === 'Scanners - HQ (IP)' ? { ...c, RequireTls: true } : c,
    );
    const cfg = cfgOf({ ...hardened, data: { ...hardened.data, 'Get-InboundConnector': connectors } });
    const plain = rcptDecision(
      cfg,
      { clientIp: '192.0.2.50', tls: false, certNames: [], mailFrom: 'scanner@northwindtraders.com' },
      'user@northwindtraders.com',
    );
    expect(plain.reply).toEqual(UNDOCUMENTED_REFUSAL);
    expect(plain.rules.map((r) => r.rule)).toContain('CON-6');
  });
});

describe('dataDecision', () => {
  test('no valid From: is 550 5.7.512 with the reason; a valid one is 250 naming the dispositions and rules', () => {
    const cfg = cfgOf(hardened);
    const scanner: SessionFacts = {
      ...attacker,
      clientIp: '192.0.2.50',
      mailFrom: 'scanner@northwindtraders.com',
    };
    const rcpts = ['user@northwindtraders.com'];
    const bad = dataDecision(cfg, scanner, rcpts, {
      from: { problem: 'the message has 2 From: headers' },
      receivedIps: [],
      headers: {},
    });
    expect(bad.reply).toEqual({
      code: 550,
      text: '5.7.512 Access denied, message must be RFC 5322 section 3.6.2 compliant',
    });
    expect(bad.rules[0]!.text).toMatch(/^the message has 2 From: headers/);
    const good = dataDecision(cfg, scanner, rcpts, {
      from: { address: 'scanner@northwindtraders.com' },
      receivedIps: [],
      headers: { From: 'scanner@northwindtraders.com' },
    });
    expect(good.accepted).toBe(true);
    const dispositions = [...new Set(good.outcomes.map((o) => o.disposition))];
    expect(good.reply.text).toBe(
      `2.6.0 Queued mail for delivery; mxlock emulate: ${dispositions.join(' or ')} (${[...new Set(good.rules.map((r) => r.rule))].join(' ')}); message discarded`,
    );
  });
});
