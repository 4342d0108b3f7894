/**
 * Why a property is undefined in the snapshot, worded in one place for every check (DESIGN §1.1: missing data is
 * unknown, never false). A tool that selected only some properties (ScubaGear keeps 14 of Get-OrganizationConfig's)
 * makes it "not in the export"; only in a full export can the module or the tenant be the cause.
 */
import type { CmdletName } from './schema.js';
import type { Snapshot } from './types.js';

/** How to get the whole object: the export-folder recipe's line for one cmdlet (README "The export-folder recipe"). */
export function fullExportHint(cmdlet: CmdletName): string {
  return `export ${cmdlet}.json beside it (${cmdlet} | ConvertTo-Json -Depth 6)`;
}

/**
 * `<Property> is …`: not usable (the tool damaged it), not in the export (the tool did not select it), or absent from
 * a full export, then with `whenFull`, the caller's likely cause and remedy (e.g. "module or tenant too old, …").
 */
export function absentProperty(
  snapshot: Pick<Snapshot, 'partial'>,
  cmdlet: CmdletName,
  property: string,
  whenFull = '',
): string {
  const partial = snapshot.partial?.[cmdlet];
  const discarded = partial?.discarded?.[property];
  if (partial && discarded !== undefined) {
    return `${property} is not usable in the ${partial.tool} export: ${discarded}; ${fullExportHint(cmdlet)}`;
  }
  const lower = property.toLowerCase();
  if (partial?.selected && !partial.selected.some((s) => s.toLowerCase() === lower)) {
    const kept = partial.selected.length === 0 ? 'none' : partial.selected.join(', ');
    return `${property} is not in the export: ${partial.tool} exports only ${partial.selected.length} properties of ${cmdlet} (${kept}); ${fullExportHint(cmdlet)}`;
  }
  return `${property} is absent from the export${whenFull ? ` (${whenFull})` : ''}`;
}
