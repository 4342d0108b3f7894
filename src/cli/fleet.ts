/**
 * `mxlock assess --fleet <folder>` at the CLI edge (issue 14 item 5): the flags checked, the fleet run (src/fleet/run.ts)
 * called with a progress line on a TTY, the summary rendered and written. Loaded only for a fleet run.
 */
import type { Severity } from '../common/order.js';
import { inlineSafe } from '../common/text.js';
import { ConfigError } from '../errors.js';
import { assessFleet } from '../fleet/run.js';
import { renderFleetJson, renderFleetTerminal } from '../fleet/render.js';
import { fleetExitCode } from '../fleet/summary.js';
import { dnsServers } from './flags.js';
import { outputStyle } from './output.js';
import { inputsOf, mergeInputs, writeOutputFile } from './write-output.js';

/** The flags of `assess` a fleet run reads. */
export interface FleetFlags {
  fleet?: string;
  previous?: string;
  liveDns?: boolean;
  profile?: string;
  benchmark?: string;
  offline?: boolean;
  dnsServer?: string[];
  format: string;
  out?: string;
  failOn: Severity | 'none';
  timestamp?: boolean;
  color?: boolean;
  force?: boolean;
}

function checkFlags(exportPath: string | undefined, flags: FleetFlags): string {
  if (flags.fleet === undefined) {
    if (exportPath === undefined)
      throw new ConfigError(
        'assess: give an export folder or snapshot.json, or --fleet <folder> for many tenants',
      );
    throw new ConfigError(
      `${flags.previous !== undefined ? '--previous' : '--live-dns'} goes with --fleet <folder>; one export is analysed live unless --offline`,
    );
  }
  if (exportPath !== undefined)
    throw new ConfigError(
      `assess: give either an export (${inlineSafe(exportPath)}) or --fleet ${inlineSafe(flags.fleet)}, not both`,
    );
  if (flags.profile !== undefined)
    throw new ConfigError(
      '--profile does not go with --fleet: each tenant is assessed with its own mxlock.yaml (in its folder), else the gateway is inferred',
    );
  if (flags.benchmark !== undefined)
    throw new ConfigError(
      '--benchmark does not go with --fleet: the fleet line counts every failing check; run assess --benchmark on one tenant for an auditor',
    );
  if (flags.format !== 'terminal' && flags.format !== 'json')
    throw new ConfigError(`--format ${inlineSafe(flags.format)} does not go with --fleet: terminal or json`);
  if (flags.liveDns === true && flags.offline === true)
    throw new ConfigError('--live-dns and --offline contradict each other: choose one');
  if (flags.dnsServer !== undefined && flags.liveDns !== true)
    throw new ConfigError(
      "--dns-server goes with --live-dns in a fleet run (by default each export's dns.json is used)",
    );
  return flags.fleet;
}

/** Progress on stderr while the tenants are assessed: only on a terminal, never in the report. */
function progressLine(): ((done: number, total: number, tenant: string) => void) | undefined {
  if (process.stderr.isTTY !== true) return undefined;
  let last = 0;
  return (done, total, tenant) => {
    const now = Date.now();
    if (now - last >= 100 || done === total) {
      last = now;
      process.stderr.write(`\r\u001b[2Kmxlock: ${done}/${total} tenants (${inlineSafe(tenant)})`);
    }
    if (done === total) process.stderr.write('\r\u001b[2K');
  };
}

/** Runs the fleet assessment and returns the exit code (fleetExitCode); usage and whole-run input errors throw. */
export async function runFleet(exportPath: string | undefined, flags: FleetFlags): Promise<number> {
  const folder = checkFlags(exportPath, flags);
  const { summary, reads } = await assessFleet(folder, {
    failOn: flags.failOn,
    liveDns: flags.liveDns === true,
    dnsServers: flags.dnsServer ? dnsServers(flags.dnsServer) : undefined,
    previousFile: flags.previous,
    now: new Date(),
    timestamp: flags.timestamp ? new Date() : undefined,
    onProgress: progressLine(),
  });
  const text =
    flags.format === 'json' ? renderFleetJson(summary) : renderFleetTerminal(summary, outputStyle(flags));
  if (flags.out) {
    // Never into the fleet folder, a tenant's folder or export: the next run would read the file as a tenant or as
    // part of one; never over --previous.
    const inputs = mergeInputs(await Promise.all(reads.map((p) => inputsOf(p))));
    await writeOutputFile(flags.out, text, { force: flags.force === true, inputs });
    process.stderr.write(`mxlock: fleet summary written to ${inlineSafe(flags.out)}\n`);
  } else process.stdout.write(text);
  return fleetExitCode(summary.tenants);
}
