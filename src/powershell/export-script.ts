/**
 * The export recipe (src/snapshot/recipe.ts) as PowerShell: the lines that write each export file, used by the
 * README's export-folder recipe, the re-export hints of inventory.snapshot-complete, the plan's backup and
 * `mxlock collect --script`.
 */
import { EXPORT_JSON_DEPTH } from '../snapshot/partial.js';
import { EXPORT_RECIPES } from '../snapshot/recipe.js';
import { CMDLET_NAMES, type CmdletName } from '../snapshot/schema.js';
import { psQuote } from './quote.js';

function psCall(cmdlet: CmdletName, parameters: Readonly<Record<string, string | true>>): string {
  const args = Object.entries(parameters).map(([name, value]) =>
    value === true ? `-${name}` : `-${name} ${psQuote(value)}`,
  );
  return [cmdlet, ...args].join(' ');
}

function psTag(property: string, value: string): string {
  return `Add-Member -NotePropertyName ${property} -NotePropertyValue ${value} -Force -PassThru`;
}

/** The script block that returns every object of `cmdlet`'s export file, as the recipe makes it. */
export function psReadBlock(cmdlet: CmdletName): string {
  const recipe = EXPORT_RECIPES[cmdlet];
  if (recipe.kind === 'per-accepted-domain') {
    return `{ foreach ($d in @(Get-AcceptedDomain)) { $n = [string]$d.DomainName; ${cmdlet} -${recipe.parameter} $n | ${psTag(recipe.tag, '$n')} } }`;
  }
  const calls = recipe.calls.map((c) => {
    const tags = Object.entries(c.tag).map(([p, v]) => ` | ${psTag(p, psQuote(v))}`);
    return psCall(cmdlet, c.parameters) + tags.join('');
  });
  return `{ ${calls.join('; ')} }`;
}

/** The PowerShell function the export lines call; `$out` is the export folder. */
export const SAVE_EXPORT_FUNCTION: readonly string[] = [
  '# A cmdlet that fails (missing permission, not in this tenant) writes no file, so mxlock reports its checks unknown',
  '# instead of reading an empty list; -InputObject @(…) writes [] for a cmdlet that returned nothing.',
  'function Save-Export([string]$Name, [scriptblock]$Read) {',
  "  $ErrorActionPreference = 'Stop'",
  '  try { $objects = @(& $Read) }',
  '  catch { Write-Warning "$Name.json not written: $($_.Exception.Message)"; return }',
  `  ConvertTo-Json -InputObject $objects -Depth ${EXPORT_JSON_DEPTH} | Out-File -FilePath (Join-Path $out "$Name.json") -Encoding utf8 -WhatIf:$false`,
  '}',
];

/** `Save-Export 'Get-X' { Get-X }`: the line that writes one export file. */
export function psExportLine(cmdlet: CmdletName): string {
  return `Save-Export ${psQuote(cmdlet)} ${psReadBlock(cmdlet)}`;
}

/** The lines that write the export files of `cmdlets` into `$out` (defined by the caller), the function first. */
export function psExportLines(cmdlets: readonly CmdletName[] = CMDLET_NAMES): string[] {
  return [...SAVE_EXPORT_FUNCTION, ...cmdlets.map(psExportLine)];
}
