/** `mxlock init <export>`: writes a commented mxlock.yaml, inferring the gateway (DESIGN §2, §3.2). Thin: the work is in src/profile. */
import { stat } from 'node:fs/promises';
import { inputsOf, writeOutputFile } from '../write-output.js';
import { linesSafe } from '../../common/text.js';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { resolveGateway } from '../../profile/infer.js';
import { renderProfile } from '../../profile/init.js';
import { parseProfile } from '../../profile/parse.js';
import { PROFILE_FILE_NAME } from '../../profile/load.js';
import { readExport } from '../../snapshot/read.js';

export interface InitOptions {
  out?: string;
  force?: boolean;
}

/** Beside the export: `<folder>/mxlock.yaml`, or next to a `snapshot.json` bundle. */
export async function defaultProfilePath(exportPath: string): Promise<string> {
  const info = await stat(exportPath);
  return join(info.isDirectory() ? exportPath : dirname(exportPath), PROFILE_FILE_NAME);
}

export async function runInit(
  exportPath: string,
  options: InitOptions,
  log: (line: string) => void,
): Promise<string> {
  const snapshot = await readExport(exportPath);
  for (const w of snapshot.warnings) log(`warning: ${w}`);
  const gateway = resolveGateway(undefined, snapshot);
  const text = renderProfile(snapshot, gateway);
  const out = options.out ?? (await defaultProfilePath(exportPath));
  // The file must load back; a failure here is a bug in the renderer, not in the user's data.
  parseProfile(text, out);

  // The export's files are never written over; the profile itself is what init writes (with --force).
  await writeOutputFile(out, text, {
    force: options.force === true,
    inputs: await inputsOf(exportPath, undefined, { profiles: false }),
  });

  if (gateway.source === 'none') log('gateway: none (every MX points at Exchange Online)');
  else if (gateway.source === 'unknown') log('gateway: not inferred (declare it in the profile)');
  else {
    const parts = [gateway.name ?? '(unnamed)'];
    if (gateway.ips.length > 0) parts.push(`${gateway.ips.length} IP range(s)`);
    if (gateway.certificate) parts.push(`certificate ${JSON.stringify(gateway.certificate)}`);
    log(`gateway: ${parts.join(', ')}`);
  }
  for (const b of gateway.basis) log(`  - ${b}`);
  log(`wrote ${out} (review the TODO comments: direct send sources, protected users, hybrid)`);
  return out;
}

export function registerInit(program: Command): void {
  program
    .command('init <export>')
    .description('write mxlock.yaml for an export, inferring the gateway from MX records and connectors')
    .option('-o, --out <file>', 'where to write the profile (default: mxlock.yaml beside the export)')
    .option('-f, --force', 'overwrite the file when it already exists')
    .addHelpText(
      'after',
      `
<export> is an export folder (Get-InboundConnector.json, Get-AcceptedDomain.json, dns.json, ...) or a
snapshot.json bundle. The gateway is inferred from the MX records of the accepted domains (recorded in
dns.json) and from the enabled Partner inbound connector with SenderDomains *; what cannot be inferred
(Direct Send sources, protected users, hybrid servers) is left as TODO comments with candidates.

Examples:
  $ mxlock init ./contoso-export
  $ mxlock init ./contoso-export/snapshot.json --out ./profiles/contoso.yaml --force`,
    )
    .action(async (exportPath: string, options: InitOptions) => {
      // Gateway names, connector labels and domains come from the export: shown escaped.
      await runInit(exportPath, options, (line) => process.stderr.write(`${linesSafe(line)}\n`));
    });
}
