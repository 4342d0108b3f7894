import { describe, expect, test } from 'vitest';
import { mdCode, mdFence, mdReference, mdText, renderMarkdown } from '../../src/report/markdown.js';
import { STEP_TITLES } from '../../src/report/model.js';
import { HOSTILE, sampleReport } from '../fixtures/report/sample-report.js';
import { RAW_CONTROL } from './helpers.js';

const md = () => renderMarkdown(sampleReport());

/** Splits a table row into cells at the pipes Markdown sees: those not escaped by a backslash. */
function cells(row: string): string[] {
  const out: string[] = [];
  let cell = '';
  for (let i = 0; i < row.length; i++) {
    const ch = row[i] ?? '';
    if (ch === '\\') {
      cell += ch + (row[i + 1] ?? '');
      i++;
    } else if (ch === '|') {
      out.push(cell.trim());
      cell = '';
    } else cell += ch;
  }
  out.push(cell.trim());
  return out.slice(1, -1); // the leading and trailing pipes
}

/** The fenced code blocks (fence, body) and the text outside them. */
function splitFences(text: string): { blocks: { fence: string; body: string[] }[]; outside: string[] } {
  const blocks: { fence: string; body: string[] }[] = [];
  const outside: string[] = [];
  let open: { fence: string; body: string[] } | undefined;
  for (const line of text.split('\n')) {
    const fence = /^(`{3,})/.exec(line)?.[1];
    if (open) {
      if (fence !== undefined && fence.length >= open.fence.length && line.trim() === fence) {
        blocks.push(open);
        open = undefined;
      } else open.body.push(line);
    } else if (fence !== undefined) open = { fence, body: [] };
    else outside.push(line);
  }
  expect(open).toBeUndefined();
  return { blocks, outside };
}

/** Text outside code: fenced blocks and the plain-identifier code spans mdCode writes removed. */
function prose(text: string): string {
  return splitFences(text)
    .outside.join('\n')
    .replace(/(?<!\\)`[A-Za-z0-9._:/@-]+`/g, '');
}

describe('renderMarkdown: structure', () => {
  test('title, verdict and context', () => {
    const lines = md().split('\n');
    expect(lines[0]).toBe('# mxlock assessment: contoso.onmicrosoft.com');
    expect(lines[2]).toBe('**Gateway bypass: OPEN** · **Legitimate flows: broken**');
    expect(lines[4]).toMatch(/^> Direct Send of an own domain reaches the inbox/);
    expect(lines).toContain(
      '**Gateway:** Example SEG \\\\x1b\\[31mred alert\\\\x1b\\[0m (from the profile) · IPs: 203.0.113.10, 203.0.113.11, 198.51.100.0/28 · certificate: \\*.mail-gateway.example.com',
    );
  });

  test('paths table: one row per path, five cells each, attack paths first', () => {
    const lines = md().split('\n');
    const start = lines.indexOf('| Status | Path | Kind | Outcome | Evidence |');
    expect(start).toBeGreaterThan(0);
    expect(lines[start + 1]).toBe('|---|---|---|---|---|');
    const rows = lines.slice(start + 2, start + 9);
    expect(lines[start + 9]).toBe('');
    for (const row of rows) expect(cells(row)).toHaveLength(5);
    expect(rows.map((r) => cells(r)[2])).toEqual([
      'attack',
      'attack',
      'attack',
      'attack',
      'residual',
      'legitimate',
      'legitimate',
    ]);
    expect(cells(rows[0] ?? '')).toEqual([
      '**open**',
      '`path.direct-send-own-domain`<br>Direct Send: own domain in MAIL FROM and From:, straight to EOP from an internet IP',
      'attack',
      'inbox (stage post-acceptance)<br>reply: 250 2.6.0 Queued mail for delivery',
      expect.stringContaining('DS-2 \\[D\\] RejectDirectSend is false'),
    ]);
  });

  test('findings: a section per step in order, a table row per finding, details only for non-passing ones', () => {
    const text = md();
    const lines = text.split('\n');
    const stepHeadings = lines.filter((l) => l.startsWith('### '));
    expect(stepHeadings).toEqual(Object.values(STEP_TITLES).map((t) => `### ${t}`));
    const tableRows = lines.filter((l) =>
      /^\| (\*\*fail\*\*|fail|warn|unknown|waived|info|pass|not-applicable) \|/.test(l),
    );
    expect(tableRows).toHaveLength(17);
    for (const row of tableRows) expect(cells(row)).toHaveLength(5);
    const details = lines.filter((l) => l.startsWith('#### '));
    expect(details).toEqual([
      '#### WARN · medium · `inventory.direct-send-sources`',
      '#### FAIL · high · `direct-send.reject-flag`',
      '#### FAIL · critical · `connector.lockdown-disabled`',
      '#### UNKNOWN · high · `connector.lockdown-gateway-coverage`',
      '#### WAIVED · high · `rule.safety-net-missing`',
      '#### FAIL · medium · `antiphish.honor-dmarc`',
      '#### WARN · medium · `dns.dmarc-policy`',
      '#### INFO · info · `ef.configured`',
      '#### FAIL · low · `audit.unified-audit-log`',
    ]);
    expect(text).toContain('```powershell\nSet-OrganizationConfig -RejectDirectSend $true\n```');
    // unknown: no commands.
    const unknown = text.slice(text.indexOf('#### UNKNOWN'), text.indexOf('### Step 3'));
    expect(unknown).not.toContain('```');
  });

  test('the checklist is a task list', () => {
    const rows = md()
      .split('\n')
      .filter((l) => /^- \[[x ]\] /.test(l));
    expect(rows).toHaveLength(10);
    // The safety-net row rests on a waived finding: an accepted risk, not a done item.
    expect(rows.filter((r) => r.startsWith('- [x] '))).toHaveLength(1);
    expect(rows[4]).toMatch(/^- \[ \] \*\*unknown:\*\* Transport rule \(safety net\)/);
    expect(rows[1]).toBe(
      '- [x] Configuration backup taken: Get-OrganizationConfig, Get-InboundConnector, Get-TransportRule exported',
    );
    expect(rows[8]).toMatch(/^- \[ \] \*\*unknown:\*\* Tests performed/);
    expect(rows[0]).toMatch(/^- \[ \] \*\*open:\*\* Direct Send sources inventoried/);
  });
});

describe('renderMarkdown: hostile tenant strings', () => {
  test('no raw HTML outside code: only the <br> the reporter writes', () => {
    const text = prose(md());
    expect(text).not.toContain('<script');
    // The only markup the reporter itself writes with angle brackets: <br>, URL autolinks, the summary's blockquote.
    expect(text).toContain(
      'References: eop-model.md DS-2 · <https://learn.microsoft.com/exchange/reject-direct-send>',
    );
    const markup = /<br>|<https:\/\/[^\s<>]+>|^> /gm;
    expect(text.replace(markup, '')).not.toMatch(/[<>]/);
    expect(text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  test('no unescaped pipe inside any table cell', () => {
    const lines = md().split('\n');
    const tables = lines.filter((l) => l.startsWith('|'));
    let columns = 0;
    let rows = 0;
    for (const row of tables) {
      if (row.startsWith('|---')) continue;
      if (row.startsWith('| Status |')) {
        columns = cells(row).length;
        continue;
      }
      expect(cells(row)).toHaveLength(columns);
      rows++;
    }
    expect(rows).toBe(7 + 17);
    expect(md()).toContain('\\| table \\| breaker \\|');
  });

  test('Markdown syntax in values is escaped; newlines become <br>', () => {
    const text = prose(md());
    expect(text).toContain('line one<br>line two<br>line three');
    expect(text).toContain(`\\$(Remove-Item C:\\\\ -Recurse)`);
    expect(text).toContain('run \\`\\`\\`\\`sh and \\`whoami\\`');
    // Every $ and backtick outside code is escaped (GitHub math, code spans).
    expect(text).not.toMatch(/(?<!\\)\$/);
    expect(text).not.toMatch(/(?<!\\)`/);
  });

  test('control and bidi characters are visible escapes; no raw CR', () => {
    const text = md();
    expect(text).not.toMatch(RAW_CONTROL);
    expect(text).not.toContain('\r');
    expect(text).toContain('\\\\x1b\\[31mred alert\\\\x1b\\[0m');
    expect(text).toContain('invoice\\\\u202efdp.exe');
  });

  test('PowerShell in fences longer than any backtick run inside', () => {
    const { blocks } = splitFences(md());
    expect(blocks.length).toBe(4);
    for (const block of blocks) {
      for (const line of block.body) expect(line).not.toMatch(new RegExp(`^\`{${block.fence.length},}`));
      const longest = Math.max(
        0,
        ...block.body.map((l) => Math.max(0, ...(l.match(/`+/g) ?? []).map((r) => r.length))),
      );
      expect(block.fence.length).toBeGreaterThan(longest);
    }
    const lockdown = blocks.find((b) => b.body.some((l) => l.startsWith('Set-InboundConnector')));
    expect(lockdown?.fence).toBe('`````');
    expect(lockdown?.body[0]).toBe(`# Enable the lock-down connector ${HOSTILE.backticks}`);
    expect(lockdown?.body[1]).toContain(
      `-Identity 'O''Brien''s "SEG" connector $(Remove-Item C:\\ -Recurse)'`,
    );
  });
});

describe('escaping helpers', () => {
  test.each([
    ['bullet at the start', '- item', '\\- item'],
    ['heading at the start', '## title', '#\\# title'],
    ['ordered marker at the start', '1. first', '1\\. first'],
    ['IP addresses are left alone', '203.0.113.10', '203.0.113.10'],
    ['hyphen inside text', 'a-b - c', 'a-b - c'],
    ['emphasis and links', '*x* _y_ [z](u)', '\\*x\\* \\_y\\_ \\[z\\](u)'],
    ['HTML', '<img src=x onerror=alert(1)>', '&lt;img src=x onerror=alert(1)&gt;'],
    ['entities stay literal', '&lt;', '&amp;lt;'],
    ['CRLF', 'a\r\nb', 'a<br>b'],
    ['lone CR is visible', 'a\rb', 'a\\\\rb'],
  ])('mdText: %s', (_name, input, expected) => {
    expect(mdText(input)).toBe(expected);
  });

  test.each([
    ['plain URL', 'https://learn.microsoft.com/a_b?x=1', '<https://learn.microsoft.com/a_b?x=1>'],
    ['URL with markup', 'https://x.example/<script>', 'https://x.example/&lt;script&gt;'],
    ['not a URL', 'eop-model.md CON-5', 'eop-model.md CON-5'],
  ])('mdReference: %s', (_name, input, expected) => {
    expect(mdReference(input)).toBe(expected);
  });

  test('mdCode uses a code span only for plain identifiers', () => {
    expect(mdCode('path.direct-send-own-domain')).toBe('`path.direct-send-own-domain`');
    expect(mdCode('path.declared-source:a|b')).toBe('path.declared-source:a\\|b');
  });

  test('mdFence outgrows the content and keeps it verbatim apart from control characters', () => {
    expect(mdFence('a ``` b', 'powershell')).toBe('````powershell\na ``` b\n````');
    expect(mdFence('x\r\ny\u001b', '')).toBe('```\nx\ny\\x1b\n```');
  });
});
