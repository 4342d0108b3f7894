/**
 * The tenant list of `mxlock collect --tenants <file>`: one tenant per line (its ID or a domain), optionally followed
 * by the folder its export goes to under --out (a comma or white space between; default: the tenant, lower case).
 * `#` starts a comment; a first line `tenant,folder` (a CSV header) is skipped. Pure; errors name the file and line.
 */
import { inlineSafe } from '../common/text.js';
import { InputError } from '../errors.js';
import { tenantFolderName, tenantProblem } from './environment.js';

export interface TenantEntry {
  tenant: string;
  /** One folder name (no path separators), under --out. */
  folder: string;
}

/** A folder name that stays inside --out on every system: no separators, no `.`/`..`, nothing a shell or Windows refuses. */
const FOLDER = /^(?!\.{1,2}$)[A-Za-z0-9._-]{1,100}$/;

export function parseTenantList(text: string, file: string): TenantEntry[] {
  const out: TenantEntry[] = [];
  const tenants = new Map<string, number>();
  const folders = new Map<string, number>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') return;
    const fields = line.split(/\s*[,;\t]\s*|\s+/).filter(Boolean);
    if (i === 0 && fields[0]?.toLowerCase() === 'tenant') return;
    const where = `${file}:${i + 1}`;
    if (fields.length > 2)
      throw new InputError(
        `${where}: expected a tenant and optionally a folder, got "${inlineSafe(line)}"`,
        file,
      );
    const tenant = fields[0]!;
    const problem = tenantProblem(tenant);
    if (problem) throw new InputError(`${where}: "${inlineSafe(tenant)}" is not a tenant: ${problem}`, file);
    const folder = fields[1] ?? tenantFolderName(tenant);
    if (!FOLDER.test(folder))
      throw new InputError(
        `${where}: "${inlineSafe(folder)}" is not a folder name (letters, digits, . _ - only; no path)`,
        file,
      );
    const key = tenant.toLowerCase();
    const again = tenants.get(key);
    if (again !== undefined)
      throw new InputError(`${where}: ${tenant} is listed twice (also on line ${again})`, file);
    const clash = folders.get(folder.toLowerCase());
    if (clash !== undefined)
      throw new InputError(
        `${where}: the folder ${folder} is also line ${clash}'s: give each tenant its own`,
        file,
      );
    tenants.set(key, i + 1);
    folders.set(folder.toLowerCase(), i + 1);
    out.push({ tenant, folder });
  });
  if (out.length === 0) throw new InputError(`${file}: no tenants in it (one per line)`, file);
  return out;
}
