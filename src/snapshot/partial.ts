/**
 * Why a property is undefined in the snapshot, worded in one place for every check (DESIGN §1.1: missing data is
 * unknown, never false). A tool that selected only some properties (ScubaGear keeps 14 of Get-OrganizationConfig's)
 * makes it "not in the export"; only in a full export can the module or the tenant be the cause.
 */
import type { CmdletName } from './schema.js';
import type { Snapshot } from './types.js';

/** Why a whole cmdlet's data is undefined: the export lacks its file. */
export function notExported(cmdlet: CmdletName): string {
  return `${cmdlet}.json was not exported`;
}

/**
 * The -Depth of ConvertTo-Json in the export-folder recipe (README), the plan's backup and every re-export hint: deep
 * enough for every property the checks read (a shallower export replaces lists with .NET type names). One value, so
 * no message tells the administrator a different depth.
 */
export const EXPORT_JSON_DEPTH = 10;

/** `ConvertTo-Json -Depth 10`, as every message and script writes it. */
export const CONVERT_TO_JSON = `ConvertTo-Json -Depth ${EXPORT_JSON_DEPTH}`;

/** How to get the whole object: the export-folder recipe's line for one cmdlet (README "The export-folder recipe"). */
export function fullExportHint(cmdlet: CmdletName): string {
  return `export ${cmdlet}.json beside it (${cmdlet} | ${CONVERT_TO_JSON})`;
}

/**
 * `<Property> is …`: not usable (the tool damaged it), not in the export (the tool did not select it), or absent from
 * a full export, then with `whenFull`, the caller's likely cause and remedy (e.g. "module or tenant too old, …").
 */
export function absentProperty(
  snapshot: Pick<Snapshot, 'partial' | 'ambiguous'>,
  cmdlet: CmdletName | undefined,
  property: string,
  whenFull = '',
): string {
  const lower = property.toLowerCase();
  if (cmdlet !== undefined && snapshot.ambiguous?.[cmdlet]?.some((p) => p.toLowerCase() === lower)) {
    return `${property} is absent, or given twice with different values (see the warnings), in the ${cmdlet} export: neither value is used`;
  }
  const partial = cmdlet === undefined ? undefined : snapshot.partial?.[cmdlet];
  const discarded = partial?.discarded?.[property];
  if (partial && discarded !== undefined) {
    return `${property} is not usable in the ${partial.tool} export: ${discarded}; ${fullExportHint(cmdlet!)}`;
  }
  if (partial?.selected && !partial.selected.some((s) => s.toLowerCase() === lower)) {
    const kept = partial.selected.length === 0 ? 'none' : partial.selected.join(', ');
    return `${property} is not in the export: ${partial.tool} exports only ${partial.selected.length} properties of ${cmdlet!} (${kept}); ${fullExportHint(cmdlet!)}`;
  }
  return `${property} is absent from the export${whenFull ? ` (${whenFull})` : ''}`;
}

/** `<Cmdlet> is only partly in the export: …` for a cmdlet the tool exported in part; undefined when it is whole. */
export function partialCmdlet(snapshot: Pick<Snapshot, 'partial'>, cmdlet: CmdletName): string | undefined {
  const partial = snapshot.partial?.[cmdlet];
  if (!partial) return undefined;
  const parts: string[] = [];
  if (partial.selected)
    parts.push(`${partial.tool} exports only ${partial.selected.join(', ') || 'none of its properties'}`);
  const discarded = Object.keys(partial.discarded ?? {});
  if (discarded.length > 0) parts.push(`${discarded.join(', ')} unusable in the ${partial.tool} export`);
  return `${cmdlet} is only partly in the export: ${parts.join('; ')}`;
}

/**
 * Cmdlets whose data is incomplete for the verdict: missing ones and those a tool exported in part. The simulator and
 * the verdict treat both alike (an essential export lacking makes the verdict `uncertain`, DESIGN §5).
 */
export function lackingExports(snapshot: Pick<Snapshot, 'missing' | 'partial'>): CmdletName[] {
  const partial = Object.keys(snapshot.partial ?? {}) as CmdletName[];
  return [...new Set([...snapshot.missing, ...partial])];
}
