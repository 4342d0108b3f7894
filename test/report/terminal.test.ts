import { describe, expect, test } from 'vitest';
import { STEP_TITLES } from '../../src/report/model.js';
import { renderTerminal } from '../../src/report/terminal.js';
import { displayWidth } from '../../src/report/text.js';
import { HOSTILE, LONG_URL, sampleReport } from '../fixtures/report/sample-report.js';
import { RAW_CONTROL, stripAnsi } from './helpers.js';

const plain = (width = 80) => renderTerminal(sampleReport(), { color: false, width });
const lines = (text: string) => text.split('\n');
/** Wrapped text joined back into one line per paragraph, to look for strings regardless of where they wrapped. */
const unwrapped = (text: string) => text.replace(/\n\s*/g, ' ');

/** One PowerShell token: quoted strings (quotes doubled inside) and bare words, no unquoted space. */
const PS_TOKEN = /^(?:'(?:[^']|'')*'|[^\s']+)+$/;

/**
 * A line may exceed the width only when it holds a single token that must not be split: a URL, or one PowerShell
 * token (with its ` continuation mark).
 */
function overlong(text: string, width: number): string[] {
  return lines(stripAnsi(text)).filter((l) => {
    if (displayWidth(l) <= width) return false;
    const body = l.trim().replace(/^- /, '');
    if (/^https?:\/\/\S+$/.test(body)) return false;
    return !PS_TOKEN.test(body.replace(/ `$/, ''));
  });
}

describe('renderTerminal: layout', () => {
  test('the verdict comes first, then paths, findings and the checklist', () => {
    const out = lines(plain());
    const at = (s: string) => out.findIndex((l) => l.startsWith(s));
    expect(out[0]).toBe('mxlock 0.1.0: gateway bypass assessment of contoso.onmicrosoft.com');
    expect(at('VERDICT')).toBe(2);
    expect(out[3]).toBe('  Gateway bypass     OPEN');
    expect(out[4]).toBe('  Legitimate flows   broken');
    expect(out[5]).toMatch(/^ {2}Direct Send of an own domain reaches the inbox/);
    expect(at('PATHS (7)')).toBeGreaterThan(at('VERDICT'));
    expect(at('FINDINGS (17)')).toBeGreaterThan(at('PATHS'));
    expect(out[at('FINDINGS (17)') + 1]).toBe(
      '  4 fail, 2 warn, 1 unknown, 1 waived, 1 info, 2 not-applicable, 6 pass',
    );
    expect(at('FINAL CHECKLIST (1 done, 6 open, 3 unknown)')).toBeGreaterThan(at('FINDINGS'));
  });

  test('paths: attack before residual before legitimate, each with status, id, outcome and the first evidence lines', () => {
    const out = plain();
    const headers = lines(out).filter((l) => /^ {2}[A-Z]+ +path\./.test(l));
    expect(headers.map((l) => l.trim().split(/\s+/)[0])).toEqual([
      'OPEN',
      'MITIGATED',
      'CLOSED',
      'UNCERTAIN',
      'OPEN',
      'BROKEN',
      'PRESERVED',
    ]);
    expect(headers[0]).toBe('  OPEN       path.direct-send-own-domain [attack]');
    expect(headers[4]).toBe('  OPEN       path.shared-gateway-ip [residual]');
    const text = unwrapped(out);
    expect(text).toContain(
      'outcome: inbox (stage post-acceptance), reply: 250 2.6.0 Queued mail for delivery',
    );
    expect(text).toContain('outcome: rejected (stage rcpt), reply: 550 5.7.68 TenantInboundAttribution;');
    expect(text).toContain('- DS-2 [D] RejectDirectSend is false');
    // Five evidence lines: three shown, the rest pointed to.
    expect(text).toContain('(2 more evidence lines in --format json)');
    expect(text).not.toContain('reply banner');
  });

  test('findings grouped by step in order, non-passing first, passing as one compact line', () => {
    const out = lines(plain());
    const stepLines = out.filter((l) => Object.values(STEP_TITLES).includes(l));
    expect(stepLines).toEqual([0, 1, 2, 3, 4, 5, 6].map((s) => STEP_TITLES[s as keyof typeof STEP_TITLES]));
    const step2 = out.slice(out.indexOf(STEP_TITLES[2]), out.indexOf(STEP_TITLES[3]));
    const heads = step2.filter((l) => /^ {2}\S/.test(l)).map((l) => l.trim().split(/\s+/)[0]);
    expect(heads).toEqual(['FAIL', 'UNKNOWN', 'pass', 'pass', 'pass']);
    expect(step2).toContain('  FAIL     critical  connector.lockdown-disabled');
    expect(step2).toContain('  pass     connector.lockdown-missing: Title of connector.lockdown-missing');
    // A passing finding is exactly one line, cut to the width.
    const compact = step2.filter((l) => l.startsWith('  pass'));
    expect(compact).toHaveLength(3);
    for (const l of compact) expect(displayWidth(l)).toBeLessThanOrEqual(80);
    const step3 = out.slice(out.indexOf(STEP_TITLES[3]), out.indexOf(STEP_TITLES[4]));
    expect(step3.filter((l) => /^ {2}\S/.test(l)).map((l) => l.trim().split(/\s+/)[0])).toEqual([
      'WAIVED',
      'n/a',
      'n/a',
    ]);
  });

  test('remediation PowerShell only for fail and warn', () => {
    const out = plain();
    const block = (id: string) => {
      const all = lines(out);
      const start = all.findIndex((l) => l.endsWith(` ${id}`));
      const end = all.findIndex((l, i) => i > start && /^ {2}\S/.test(l));
      return all.slice(start, end === -1 ? undefined : end).join('\n');
    };
    expect(block('direct-send.reject-flag')).toContain(
      '    PowerShell:\n      Set-OrganizationConfig -RejectDirectSend $true',
    );
    expect(block('direct-send.reject-flag')).toContain(
      '    Portal: Exchange admin center > Settings > Mail flow',
    );
    expect(block('audit.unified-audit-log')).toContain(
      'Set-AdminAuditLogConfig -UnifiedAuditLogIngestionEnabled $true',
    );
    // unknown: evidence (the reason) but no commands.
    expect(block('connector.lockdown-gateway-coverage')).toContain('- the profile declares no gateway IPs');
    expect(block('connector.lockdown-gateway-coverage')).not.toContain('PowerShell:');
    expect(block('rule.safety-net-missing')).toContain(
      '- waived (was fail): accepted until the connector change',
    );
  });

  test('long PowerShell is wrapped with backtick continuations', () => {
    const out = lines(plain());
    const i = out.findIndex((l) => l.trimStart().startsWith('Set-InboundConnector'));
    expect(out[i]).toBe('      Set-InboundConnector `');
    expect(out[i + 1]).toBe(
      `          -Identity 'O''Brien''s "SEG" connector $(Remove-Item C:\\ -Recurse)' \``,
    );
  });

  test('the checklist shows done, open and unknown rows', () => {
    const out = lines(plain());
    const rows = out.filter((l) => /^ {2}\[[x ?]\] /.test(l));
    expect(rows).toHaveLength(10);
    expect(rows.map((r) => r.slice(2, 5))).toEqual([
      '[ ]',
      '[x]',
      '[ ]',
      '[ ]',
      '[?]', // the safety net: its missing-rule finding is waived, which is not done
      '[ ]',
      '[ ]',
      '[?]',
      '[?]',
      '[ ]',
    ]);
    expect(rows[8]).toMatch(/^ {2}\[\?\] Tests performed/);
  });
});

describe('renderTerminal: width', () => {
  test.each([80, 60, 100, 120])('no line is wider than %i columns except unbreakable URLs', (width) => {
    const out = plain(width);
    expect(overlong(out, width)).toEqual([]);
    expect(lines(out).some((l) => l.trim() === LONG_URL)).toBe(true);
  });

  test('an absurd width is clamped so hanging indents still leave room', () => {
    expect(overlong(renderTerminal(sampleReport(), { color: false, width: 10 }), 40)).toEqual([]);
  });

  test('a long unbroken tenant token is split, not allowed to overflow', () => {
    const report = sampleReport();
    report.verdict.summary = 'x'.repeat(300);
    expect(overlong(renderTerminal(report, { color: false }), 80)).toEqual([]);
  });
});

describe('renderTerminal: colour', () => {
  test('no escape codes at all with color=false', () => {
    expect(plain()).not.toContain('\u001b');
  });

  test('colour codes with color=true, and nothing else changes', () => {
    const coloured = renderTerminal(sampleReport(), { color: true, width: 80 });
    expect(coloured).toContain('\u001b[31m');
    expect(stripAnsi(coloured)).toBe(plain());
  });
});

describe('renderTerminal: hostile tenant strings', () => {
  test('no raw ESC, CR, C1 or bidi control reaches the terminal', () => {
    const out = plain();
    expect(out).not.toMatch(RAW_CONTROL);
    expect(out).not.toContain('\r');
    expect(stripAnsi(renderTerminal(sampleReport(), { color: true }))).not.toMatch(RAW_CONTROL);
  });

  test('every hostile string stays recognisable', () => {
    const text = unwrapped(plain());
    expect(text).toContain(`O'Brien's "SEG" connector`);
    expect(text).toContain(`'O''Brien''s "SEG" connector $(Remove-Item C:\\ -Recurse)'`);
    expect(text).toContain(HOSTILE.backticks);
    expect(text).toContain('line one\\r\\nline two\\nline three');
    expect(text).toContain(HOSTILE.script);
    expect(text).toContain('$(Remove-Item C:\\ -Recurse)');
    expect(text).toContain(HOSTILE.table);
    expect(text).toContain('\\x1b[31mred alert\\x1b[0m');
    expect(text).toContain('invoice\\u202efdp.exe');
  });
});
