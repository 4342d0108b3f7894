/**
 * What a JSON file given as a `snapshot.json` bundle actually is: an mxlock bundle, a ScubaGear provider export (read
 * as one), or something else that is refused with a message naming what it looks like and what to do (DESIGN §2:
 * exit 2, the message names the file). Pure.
 */
import { inlineSafe } from '../common/text.js';
import { CMDLETS, CMDLET_NAMES, type CmdletName } from './schema.js';
import { isScubaGearExport, scubaGearRaw } from './scubagear.js';
import { isJsonObject } from '../common/collections.js';

const byLower = new Map<string, CmdletName | 'dns'>([
  ...CMDLET_NAMES.map((n) => [n.toLowerCase(), n] as const),
  ['dns', 'dns'],
]);

/** A file or bundle key → the cmdlet it holds: `Get-InboundConnector.json`, `InboundConnector`, `dns.json`. */
export function keyOf(name: string): CmdletName | 'dns' | undefined {
  const base = name
    .replace(/\.json(\.gz)?$/i, '')
    .trim()
    .toLowerCase();
  return byLower.get(base) ?? byLower.get(`get-${base}`);
}

export type BundleShape =
  | { kind: 'bundle'; value: Record<string, unknown> }
  | { kind: 'scubagear'; value: Record<string, unknown> }
  | { kind: 'other'; looksLike: string; todo: string };

/** Keys every cmdlet object has: they tell nothing about which cmdlet wrote it. */
const COMMON = new Set(['name', 'identity', 'guid']);

/**
 * The cmdlet whose schema shares the most property names with these objects (two at least, and no tie), to say
 * "Get-InboundConnector output" rather than "some list".
 */
export function guessCmdlet(objects: readonly unknown[]): CmdletName | undefined {
  const keys = new Set(
    objects.filter(isJsonObject).flatMap((o) => Object.keys(o).map((k) => k.toLowerCase())),
  );
  let best: CmdletName | undefined;
  let bestScore = 1;
  let tie = false;
  for (const name of CMDLET_NAMES) {
    const shape = Object.keys((CMDLETS[name].schema as { shape: object }).shape);
    const score = shape.filter((k) => !COMMON.has(k.toLowerCase()) && keys.has(k.toLowerCase())).length;
    if (score > bestScore) [best, bestScore, tie] = [name, score, false];
    else if (score === bestScore && best) tie = true;
  }
  return tie ? undefined : best;
}

function saveAs(cmdlet: CmdletName | undefined): string {
  return cmdlet
    ? `save it as ${cmdlet}.json in an export folder and give mxlock the folder`
    : 'save each cmdlet’s output as <Cmdlet>.json in an export folder (see the export-folder recipe in the README) and give mxlock the folder';
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Classify a parsed `snapshot.json`. */
export function bundleShape(value: unknown): BundleShape {
  if (Array.isArray(value)) {
    // ScubaGear's Rego output: one verdict per policy (cisagov/ScubaGear PowerShell/ScubaGear/Modules/Orchestrator.psm1,
    // Invoke-RunRego writes TestResults.json; the Rego tests read PolicyId, RequirementMet, ReportDetails).
    if (value.some((o) => isJsonObject(o) && 'PolicyId' in o && 'RequirementMet' in o)) {
      return {
        kind: 'other',
        looksLike: 'a ScubaGear TestResults.json (policy verdicts, not settings)',
        todo: 'give mxlock the ProviderSettingsExport.json of the same ScubaGear run (or its ScubaResults_<id>.json)',
      };
    }
    const guess = guessCmdlet(value);
    return {
      kind: 'other',
      looksLike: `a list of ${plural(value.length, 'object')} (${guess ? `${guess} output` : 'one cmdlet’s output?'})`,
      todo: saveAs(guess),
    };
  }
  if (!isJsonObject(value)) {
    return {
      kind: 'other',
      looksLike: value === null ? 'null' : `a JSON ${typeof value}`,
      todo: 'a bundle is {"Get-OrganizationConfig": …, "Get-InboundConnector": …, "dns": …}',
    };
  }
  if (isScubaGearExport(value)) return { kind: 'scubagear', value };
  const raw = scubaGearRaw(value);
  if (raw) return { kind: 'scubagear', value: raw };
  const keys = Object.keys(value);
  if (keys.some((k) => keyOf(k) !== undefined)) return { kind: 'bundle', value };
  // ScubaGear's per-product reports and its merged ScubaResults without a Raw section (Orchestrator.psm1 Merge-JsonOutput).
  if (keys.includes('ReportSummary') || (keys.includes('Results') && keys.includes('MetaData'))) {
    return {
      kind: 'other',
      looksLike: 'a ScubaGear report (results, not settings)',
      todo: 'give mxlock the ProviderSettingsExport.json of the same ScubaGear run (Invoke-SCuBA -KeepIndividualJSON keeps it)',
    };
  }
  const valueKey = keys.find((k) => k.toLowerCase() === 'value');
  const inner = valueKey === undefined ? undefined : value[valueKey];
  if (Array.isArray(inner)) {
    const guess = guessCmdlet(inner);
    const rest = keys.filter((k) => k !== valueKey);
    const countWrapper = rest.length === 1 && rest[0]?.toLowerCase() === 'count';
    return {
      kind: 'other',
      looksLike: countWrapper
        ? `Windows PowerShell’s {"value":[…],"Count":n} wrapper of ${guess ? `${guess} output` : 'one cmdlet’s output'}`
        : `a REST/Graph API response ({"value":[…]}${guess ? `, ${guess} output` : ''})`,
      todo: saveAs(guess),
    };
  }
  const guess = guessCmdlet([value]);
  if (guess) return { kind: 'other', looksLike: `a single ${guess} object`, todo: saveAs(guess) };
  const shown = keys.slice(0, 6).map(inlineSafe).join(', ') + (keys.length > 6 ? ', …' : '');
  return {
    kind: 'other',
    looksLike:
      keys.length === 0
        ? 'an empty JSON object'
        : `a JSON object without any cmdlet key (its keys: ${shown})`,
    todo: 'a bundle is {"Get-OrganizationConfig": …, "Get-InboundConnector": …, "dns": …}',
  };
}
