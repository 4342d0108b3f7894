/** `mxlock dmarc` rendering: a report is attacker-written, so nothing in it reaches the terminal unescaped. */
import { describe, expect, test } from 'vitest';
import { extractReports } from '../../src/dmarc/extract.js';
import { summarise } from '../../src/dmarc/sources.js';
import { renderDmarcJson, renderDmarcTerminal } from '../../src/report/dmarc.js';

const HOSTILE = `<feedback><report_metadata><org_name>Evil&#x1b;[2J&#x202e;Corp</org_name><report_id>1</report_id>
<date_range><begin>1711756800</begin><end>1711843200</end></date_range></report_metadata>
<policy_published><domain>fabrikam.com</domain><p>none</p></policy_published>
<record><row><source_ip>192.0.2.9</source_ip><count>2</count>
<policy_evaluated><disposition>none&#10;FAKE LINE</disposition><dkim>fail</dkim><spf>fail</spf></policy_evaluated></row>
<identifiers><header_from>fabrikam.com&#x202e;moc.live</header_from></identifiers></record></feedback>`;

describe('dmarc rendering', () => {
  const found = extractReports('h.xml', new TextEncoder().encode(HOSTILE)).reports;
  const summary = summarise(found, { gateway: undefined, profile: undefined, zone: undefined });

  test('terminal: control and bidi characters from the report are shown escaped', () => {
    const out = renderDmarcTerminal(summary, { color: false });
    // eslint-disable-next-line no-control-regex -- what must not reach the terminal
    expect(out.replace(/\n/g, '')).not.toMatch(/[\u0000-\u001f\u007f\u202e]/);
    expect(out).toContain('Evil\\x1b[2J\\u202eCorp');
    expect(out).toContain('fabrikam.com\\u202emoc.live');
    expect(out).toContain('none\\nfake line 2');
  });

  test('JSON: the same values, escaped by stringifyJson, parse back to what the report said', () => {
    const json = renderDmarcJson(summary);
    expect(json).not.toContain('\u202e');
    const j = JSON.parse(json);
    expect(j.sources[0]).toMatchObject({ headerFrom: 'fabrikam.com\u202emoc.live', count: 2, dmarc: 'fail' });
    expect(j.sources[0].reporters).toEqual(['Evil\u001b[2J\u202eCorp']);
  });
});
