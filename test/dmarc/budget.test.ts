/**
 * What one file and one run may read together (extract.ts ReadBudget): parts that each stay under every per-part cap
 * (an mbox of hundreds of gzip attachments, a folder of big reports) are refused as a whole once their XML or records
 * pass the budget, with an error naming the file, where in it, and the limit. The limits are injected small here; the
 * real ones are hundreds of MiB. No timed assertions: what was read before the refusal is asserted.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync, zipSync } from 'fflate';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { ArchiveLimitError } from '../../src/common/inflate.js';
import { DEFAULT_READ_LIMITS, extractReports, ReadBudget, type ReadLimits } from '../../src/dmarc/extract.js';
import { readReports } from '../../src/dmarc/read.js';
import { InputError } from '../../src/errors.js';

const utf8 = (s: string) => new TextEncoder().encode(s);

function report(id: string, ip = '192.0.2.1'): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<feedback><report_metadata><org_name>x</org_name><report_id>${id}</report_id>
<date_range><begin>1711756800</begin><end>1711843199</end></date_range></report_metadata>
<policy_published><domain>fabrikam.com</domain><p>reject</p></policy_published>
<record><row><source_ip>${ip}</source_ip><count>1</count>
<policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>fail</spf></policy_evaluated></row>
<identifiers><header_from>fabrikam.com</header_from></identifiers></record></feedback>`;
}

/** Every report has the same length whatever its one-digit id: the limits below count in reports. */
const SIZE = utf8(report('1')).length;

/** An mbox of `n` messages, each a gzip report attached as the whole body (as bomb mailers send them). */
function mbox(n: number): Uint8Array {
  let text = '';
  for (let i = 1; i <= n; i++) {
    const b64 = Buffer.from(gzipSync(utf8(report(String(i))))).toString('base64');
    text +=
      `From a@b Mon Jan 1 00:00:00 2024\nFrom: a@b\nMIME-Version: 1.0\nContent-Type: application/gzip\n` +
      `Content-Transfer-Encoding: base64\n\n${b64}\n\n`;
  }
  return utf8(text);
}

const budget = (limits: Partial<ReadLimits>) => new ReadBudget({ ...DEFAULT_READ_LIMITS, ...limits });

function refusal(run: () => unknown): InputError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).cause).toBeInstanceOf(ArchiveLimitError);
    return err as InputError;
  }
  throw new Error('not refused');
}

describe('one file: the XML of all its parts together', () => {
  test('an mbox whose gzip parts each pass every per-part cap is refused once they pass the file limit', () => {
    const bytes = mbox(6);
    expect(extractReports('many.mbox', bytes).reports).toHaveLength(6);
    const run = budget({ maxFileXmlBytes: 4 * SIZE + 10 });
    const err = refusal(() => extractReports('many.mbox', bytes, { strict: true, budget: run }));
    expect(err.message).toBe(
      `many.mbox: message 5: the body (application/gzip): the report XML read from this file (as sent, or inflated from gzip and zip) passes the ${4 * SIZE + 10}-byte limit for one file: the file is refused (a decompression bomb?)`,
    );
    // Stopped in the fifth message: the sixth was never inflated.
    expect(run.bytes).toBeLessThanOrEqual(5 * SIZE);
  });

  test("a zip's entries count towards the file's limit too, under the archive's own", () => {
    const zip = zipSync(Object.fromEntries([1, 2, 3, 4].map((i) => [`r${i}.xml`, utf8(report(String(i)))])));
    expect(extractReports('month.zip', zip).reports).toHaveLength(4);
    const err = refusal(() =>
      extractReports('month.zip', zip, { strict: true, budget: budget({ maxFileXmlBytes: 2 * SIZE + 10 }) }),
    );
    expect(err.message).toMatch(
      new RegExp(
        `^month\\.zip: the report XML read from this file .* passes the ${2 * SIZE + 10}-byte limit for one file`,
      ),
    );
  });

  test('XML as sent is held to the per-report cap of inflated XML', () => {
    const xml = utf8(report('1'));
    expect(() => extractReports('big.xml', xml, { strict: true, limits: { maxBytes: SIZE - 1 } })).toThrow(
      new RegExp(
        `^big\\.xml: ${SIZE} bytes of XML, larger than the ${SIZE - 1}-byte limit for one report: refused$`,
      ),
    );
    expect(extractReports('big.xml', xml, { strict: true, limits: { maxBytes: SIZE } }).reports).toHaveLength(
      1,
    );
  });
});

describe('one run: the files together', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mxlock-dmarc-budget-'));
    for (const i of [1, 2, 3]) await writeFile(join(dir, `r${i}.xml`), report(String(i)));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('without a limit passed, every file is read', async () => {
    expect((await readReports([dir])).reports).toHaveLength(3);
  });

  test.each<[string, Partial<ReadLimits>, string]>([
    [
      'report XML',
      { maxRunXmlBytes: 2 * SIZE + 10 },
      `the reports' XML of the files read so far passes the ${2 * SIZE + 10}-byte limit for one run: refused (give fewer files at a time)`,
    ],
    [
      'records',
      { maxRunRecords: 2 },
      'the reports of the files read so far hold more than 2 records, the limit for one run: refused (give fewer files at a time)',
    ],
  ])(
    'files that each pass the file limit are refused once their %s pass the run limit',
    async (_, limits, why) => {
      await expect(readReports([dir], limits)).rejects.toThrow(
        new InputError(`${join(dir, 'r3.xml')}: ${why}`, join(dir, 'r3.xml')),
      );
    },
  );
});
