/**
 * The export recipe (src/snapshot/recipe.ts) and its PowerShell (src/powershell/export-script.ts): every cmdlet of
 * DESIGN §3.1 is exported by one declaration, and the README's recipe is exactly what mxlock renders, so the README,
 * the re-export hints, the plan's backup and `collect --script` cannot drift apart.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { psExportLine, psExportLines, psReadBlock } from '../../src/powershell/export-script.js';
import { EXPORT_JSON_DEPTH } from '../../src/snapshot/partial.js';
import { EXPORT_RECIPES, exportCalls, needsAcceptedDomains } from '../../src/snapshot/recipe.js';
import { CMDLET_NAMES } from '../../src/snapshot/schema.js';
import { tokenize } from '../support/ps-tokenizer.js';

const README = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');

describe('export calls', () => {
  test('a plain cmdlet is one call without parameters', () => {
    expect(exportCalls('Get-InboundConnector', ['contoso.com'])).toEqual([{ parameters: {}, tag: {} }]);
    expect(needsAcceptedDomains('Get-InboundConnector')).toBe(false);
  });

  test('the Tenant Allow/Block List is read per list type, each result tagged with it', () => {
    expect(exportCalls('Get-TenantAllowBlockListItems', [])).toEqual([
      { parameters: { ListType: 'Sender' }, tag: { ListType: 'Sender' } },
      { parameters: { ListType: 'IP' }, tag: { ListType: 'IP' } },
    ]);
  });

  test('the IPv6 status is read once per accepted domain, each result tagged with its domain', () => {
    expect(needsAcceptedDomains('Get-IPv6StatusForAcceptedDomain')).toBe(true);
    expect(exportCalls('Get-IPv6StatusForAcceptedDomain', ['contoso.com', 'fabrikam.com'])).toEqual([
      { parameters: { Domain: 'contoso.com' }, tag: { Domain: 'contoso.com' } },
      { parameters: { Domain: 'fabrikam.com' }, tag: { Domain: 'fabrikam.com' } },
    ]);
    expect(exportCalls('Get-IPv6StatusForAcceptedDomain', [])).toEqual([]);
  });

  test('every cmdlet of the export has a recipe', () => {
    expect(Object.keys(EXPORT_RECIPES).sort()).toEqual([...CMDLET_NAMES].sort());
  });
});

describe('the PowerShell of the recipe', () => {
  test('each line names its file and calls the cmdlet with its parameters', () => {
    expect(psExportLine('Get-ArcConfig')).toBe("Save-Export 'Get-ArcConfig' { Get-ArcConfig }");
    expect(psReadBlock('Get-TenantAllowBlockListItems')).toContain(
      "Get-TenantAllowBlockListItems -ListType 'IP' | Add-Member -NotePropertyName ListType -NotePropertyValue 'IP'",
    );
    expect(psReadBlock('Get-IPv6StatusForAcceptedDomain')).toContain(
      'Get-IPv6StatusForAcceptedDomain -Domain $n | Add-Member -NotePropertyName Domain -NotePropertyValue $n',
    );
  });

  test('the script tokenises, writes with the one export depth and never swallows a failure as []', () => {
    const script = psExportLines().join('\n');
    expect(() => tokenize(script)).not.toThrow();
    expect(script).toContain(`ConvertTo-Json -InputObject $objects -Depth ${EXPORT_JSON_DEPTH}`);
    expect(script).not.toMatch(/SilentlyContinue/);
    expect(script).toContain("$ErrorActionPreference = 'Stop'");
    for (const name of CMDLET_NAMES) expect(script).toContain(`Save-Export '${name}' `);
  });

  test('the README recipe is exactly what mxlock renders', () => {
    const block = /## The export-folder recipe[\s\S]*?```powershell\n([\s\S]*?)```/.exec(README)?.[1];
    expect(block).toBeDefined();
    expect(block).toContain(psExportLines().join('\n') + '\n');
  });
});
