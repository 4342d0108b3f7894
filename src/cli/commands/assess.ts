import { inputsOf, writeOutputFile } from '../write-output.js';
import { Option, type Command } from 'commander';
import { exitCodeFor } from '../../assess.js';
import { assessExport } from '../../assess-export.js';
import type { Severity } from '../../common/order.js';
import { diag, outputStyle } from '../output.js';
import { dnsServers } from '../flags.js';
import { reporters, type ReportFormat } from '../../report/index.js';
import { benchmarkView } from '../../report/benchmark.js';
import { BENCHMARK_FRAMEWORKS, type BenchmarkFramework } from '../../checks/benchmarks.js';
import type { FleetFlags } from '../fleet.js';

interface AssessFlags extends FleetFlags {
  profile?: string;
  offline?: boolean;
  dnsServer?: string[];
  format: ReportFormat;
  out?: string;
  failOn: Severity | 'none';
  timestamp?: boolean;
  benchmark?: BenchmarkFramework;
  color?: boolean;
  force?: boolean;
}

export function registerAssess(program: Command): void {
  program
    .command('assess')
    .argument('[export]', 'export folder (one Get-*.json per cmdlet) or a snapshot.json bundle')
    .summary('audit a tenant export: open paths around the gateway, findings, final checklist')
    .description(
      'Audit a tenant export offline: simulate what Exchange Online Protection does with each attack path,\n' +
        'run every check of the hardening guide, and print the verdict, the paths, the findings and the\n' +
        "guide's final checklist. The profile is --profile, else <export>/mxlock.yaml, else inferred.\n" +
        'With --fleet <folder>: every tenant of a folder of exports, one line each, and a JSON summary.',
    )
    .option('-p, --profile <file>', 'mxlock.yaml profile (gateway, Direct Send sources, waivers)')
    .option('--offline', "use only the export's recorded DNS (dns.json); never touch the network")
    .option(
      '--dns-server <server...>',
      'DNS servers for the live analysis (ip or ip:port); default: the system resolver',
    )
    .addOption(
      new Option('-f, --format <format>', 'report format')
        .choices(Object.keys(reporters))
        .default('terminal'),
    )
    .option('-o, --out <file>', 'write the report to a file instead of stdout')
    .option('--force', 'overwrite the --out file when it exists (never a file of the export)')
    .addOption(
      new Option(
        '--fail-on <severity>',
        'exit 1 when a failing finding is at or above this severity (none: never)',
      )
        .choices(['critical', 'high', 'medium', 'low', 'info', 'none'])
        .default('high'),
    )
    .addOption(
      new Option(
        '--benchmark <framework>',
        'list only the findings mapped to this benchmark, with its ids (the exit code still weighs every finding)',
      ).choices(BENCHMARK_FRAMEWORKS),
    )
    .option(
      '--fleet <folder>',
      'many tenants: a folder holding one export (folder or snapshot.json) per tenant',
    )
    .option(
      '--previous <fleet.json>',
      'with --fleet: an earlier run (--format json) to report what changed since',
    )
    .option('--live-dns', "with --fleet: ask DNS live for every tenant (default: each export's dns.json)")
    .option('--timestamp', 'add generatedAt to the report (off by default: output is deterministic)')
    .option('--no-color', 'no colour in the terminal report (also NO_COLOR=1)')
    .addHelpText(
      'after',
      `
Examples:
  $ mxlock assess ./export --offline
  $ mxlock assess ./export --format json --out report.json
  $ mxlock assess snapshot.json --profile mxlock.yaml --format sarif --out mxlock.sarif --fail-on medium
  $ mxlock assess ./export --offline --benchmark cis-m365 --format md --out cis.md
  $ mxlock assess --fleet ./exports --format json --out fleet-2026-02-01.json
  $ mxlock assess --fleet ./exports --previous fleet-2026-01-25.json

Exit codes: 0 no open bypass and nothing failing at or above --fail-on; 1 an open bypass or such a
finding; 2 usage or input error (the message names the file and property). With --fleet: 0 every tenant
passes; 1 a tenant is open, fails at --fail-on or could not be assessed; 2 no tenant could be assessed.`,
    )
    .action(async (exportPath: string | undefined, flags: AssessFlags) => {
      // A fleet run, or a flag only a fleet run takes (runFleet then says what is wrong): loaded only then.
      const fleetOnly = [flags.fleet, flags.previous, flags.liveDns].some((v) => v !== undefined);
      if (exportPath === undefined || fleetOnly) {
        const { runFleet } = await import('../fleet.js');
        process.exitCode = await runFleet(exportPath, flags);
        return;
      }
      const { report, warnings } = await assessExport(exportPath, {
        profilePath: flags.profile,
        offline: flags.offline,
        dnsServers: flags.dnsServer ? dnsServers(flags.dnsServer) : undefined,
        now: new Date(),
        timestamp: flags.timestamp ? new Date() : undefined,
        log: diag,
      });
      for (const w of warnings) diag(`warning: ${w}`);
      const shown = flags.benchmark === undefined ? report : benchmarkView(report, flags.benchmark);
      const text = reporters[flags.format](shown, outputStyle(flags));
      if (flags.out) {
        await writeOutputFile(flags.out, text, {
          force: flags.force === true,
          inputs: await inputsOf(exportPath, flags.profile),
        });
        process.stderr.write(`mxlock: report written to ${flags.out}\n`);
      } else {
        process.stdout.write(text);
      }
      process.exitCode = exitCodeFor(report, flags.failOn);
    });
}
