/**
 * The tenants of a fleet folder (`mxlock assess --fleet <folder>`, issue 14 item 5): one entry per tenant, as
 * `collect --tenants` writes them or an MSP keeps them by hand. Each entry of the folder is one tenant:
 *
 * - a folder holding export files (any `*.json`, as the export reader reads them): that export folder;
 * - a folder holding dated subfolders (`2026-02-01`, `2026-02-01T0900`…: a name starting YYYY-MM-DD), collected again
 *   each week: the latest is assessed and the one before it is the previous run;
 * - a `*.json` / `*.json.gz` file: a snapshot.json bundle or a ScubaGear export, named after the file.
 *
 * Hidden entries and other files (a README, mxlock.yaml) are not tenants. An entry that is none of these, or cannot be
 * read, is still a tenant: one that fails, so a broken export is reported, never silently left out. The I/O edge of
 * the fleet run: it lists folders and never reads an export file itself.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { compareIds } from '../common/order.js';
import { ConfigError, describeError, fileSystemError } from '../errors.js';
import { inlineSafe } from '../common/text.js';
import { readFromExportFolder } from '../snapshot/read.js';
import { keyOf } from '../snapshot/shape.js';

/** A subfolder of one collection run: its name starts with an ISO date, so name order is time order. */
const DATED_FOLDER = /^\d{4}-\d{2}-\d{2}/;
/** A tenant given as one file: a snapshot.json bundle or a ScubaGear export. */
const BUNDLE_FILE = /\.json(\.gz)?$/i;

export interface FleetMember {
  /** The tenant's name: the entry's name in the fleet folder (a file's without `.json`/`.json.gz`). */
  name: string;
  /** What is assessed: the folder, its latest dated subfolder, or the file. */
  export: string;
  /** The dated subfolder before the latest, when there is one. */
  previous?: string;
  /** Why this entry cannot be assessed; the run reports it as the tenant's error. */
  problem?: string;
  /** Every path of this tenant the run reads (its entry, the export, the previous export): no output goes there. */
  reads: string[];
}

async function entriesOf(folder: string, doing: string) {
  try {
    return await readdir(folder, { withFileTypes: true });
  } catch (cause) {
    throw fileSystemError('input', folder, doing, cause);
  }
}

/** A tenant folder: its export files, else its dated subfolders (latest and the one before). */
async function member(name: string, path: string): Promise<FleetMember> {
  let entries;
  try {
    entries = await entriesOf(path, 'read the tenant folder');
  } catch (err) {
    return { name, export: path, problem: describeError(err), reads: [path] };
  }
  if (entries.some((e) => !e.name.startsWith('.') && readFromExportFolder(e.name)))
    return { name, export: path, reads: [path] };
  const dated: string[] = [];
  for (const e of entries) {
    if (!DATED_FOLDER.test(e.name)) continue;
    // A link to a dated folder counts as one; stat follows it.
    const st = e.isDirectory() ? e : await stat(join(path, e.name)).catch(() => undefined);
    if (st?.isDirectory()) dated.push(e.name);
  }
  dated.sort(compareIds);
  const latest = dated.at(-1);
  if (latest === undefined)
    return {
      name,
      export: path,
      problem: `${inlineSafe(path)}: no export in it: no .json file, and no dated subfolder (YYYY-MM-DD…) holding one`,
      reads: [path],
    };
  const current = join(path, latest);
  const before = dated.at(-2);
  if (before === undefined) return { name, export: current, reads: [path, current] };
  const previous = join(path, before);
  return { name, export: current, previous, reads: [path, current, previous] };
}

/**
 * The tenants of `folder`, sorted by name. The folder itself must be one (else an InputError, exit 2): a folder that
 * is one tenant's export is refused with the command to run instead, since each of its files would be a "tenant".
 */
export async function discoverFleet(folder: string): Promise<FleetMember[]> {
  const info = await stat(folder).catch((cause: unknown) => {
    throw fileSystemError('input', folder, 'read the fleet folder', cause);
  });
  if (!info.isDirectory())
    throw new ConfigError(
      `${inlineSafe(folder)}: --fleet takes a folder that holds one export (folder or snapshot.json) per tenant; for one export run \`mxlock assess ${inlineSafe(folder)}\``,
      folder,
    );
  const entries = (await entriesOf(folder, 'read the fleet folder')).filter((e) => !e.name.startsWith('.'));
  const own = entries.filter((e) => keyOf(e.name) !== undefined).map((e) => e.name);
  if (own.length > 0)
    throw new ConfigError(
      `${inlineSafe(folder)}: this is the export of one tenant (${inlineSafe(own[0]!)}), not a folder of exports: run \`mxlock assess ${inlineSafe(folder)}\`, or give --fleet the folder that holds one such folder per tenant`,
      folder,
    );
  const members: FleetMember[] = [];
  const seen = new Map<string, string>();
  for (const e of entries.sort((a, b) => compareIds(a.name, b.name))) {
    const path = join(folder, e.name);
    // Links are followed (an MSP may link each tenant's collection in); a link to nothing is that tenant's error.
    let isFolder = e.isDirectory();
    if (e.isSymbolicLink()) {
      try {
        isFolder = (await stat(path)).isDirectory();
      } catch (cause) {
        const problem = fileSystemError('input', path, 'read it', cause, { danglingLink: true }).message;
        members.push({ name: e.name, export: path, problem, reads: [path] });
        continue;
      }
    }
    let m: FleetMember | undefined;
    if (isFolder) m = await member(e.name, path);
    // A JSON name that is a FIFO or a device is still the tenant's: the export reader refuses it, unopened.
    else if (BUNDLE_FILE.test(e.name))
      m = { name: e.name.replace(BUNDLE_FILE, ''), export: path, reads: [path] };
    if (!m) continue;
    const other = seen.get(m.name);
    if (other !== undefined)
      m = {
        ...m,
        problem: `${inlineSafe(path)}: the tenant name "${inlineSafe(m.name)}" is also ${inlineSafe(other)}'s; rename one`,
      };
    else seen.set(m.name, path);
    members.push(m);
  }
  return members;
}
