/** `mxlock diff <old> <new>`: configuration drift between two exports; regressions fail the exit code (issue 12). */
import type { Command } from 'commander';
import { dnsServers, withReportOutput } from '../flags.js';
import { diag, outputStyle } from '../output.js';
import { inputsOf, mergeInputs, writeOutputFile } from '../write-output.js';

interface DiffFlags {
  profile?: string;
  offline?: boolean;
  dnsServer?: string[];
  format: 'terminal' | 'json';
  out?: string;
  color?: boolean;
  force?: boolean;
}

export function registerDiff(program: Command): void {
  withReportOutput(
    program
      .command('diff')
      .argument('<old>', 'the earlier export folder or snapshot.json')
      .argument('<new>', 'the later export folder or snapshot.json')
      .summary('drift between two exports: regressions, improvements, other changes')
      .description(
        'Assess two exports the same way (same DNS mode; --profile for both, else each its own mxlock.yaml) and compare ' +
          'them: findings that got worse or better, attack paths that opened or closed, legitimate flows that broke, ' +
          'and the objects that moved: the lock-down connector, rules placed above the safety net, RejectDirectSend, ' +
          'connectors and rules added or removed.',
      )
      .option('-p, --profile <file>', "one mxlock.yaml for both; default: each export's own")
      .option('--offline', "use only each export's dns.json")
      .option('--dns-server <server...>', 'DNS servers for the live analysis'),
    'overwrite the --out file when it exists (never a file of either export)',
  )
    .addHelpText(
      'after',
      `
Examples:
  $ mxlock diff ./export-2026-01 ./export-2026-02 --offline
  $ mxlock diff old/snapshot.json new/snapshot.json --profile mxlock.yaml --format json --out drift.json

Exit codes: 0 no regression; 1 a regression (a check that passed fails, a path that was closed is open, a
legitimate flow broke, the lock-down connector weakened, a rule placed above the safety net, RejectDirectSend
off, or a safe value become unknown); 2 usage or input error.`,
    )
    .action(async (oldPath: string, newPath: string, flags: DiffFlags) => {
      const [{ assessExport, assessedSide }, compare, render] = await Promise.all([
        import('../../assess-export.js'),
        import('../../diff/compare.js'),
        import('../../diff/render.js'),
      ]);
      const now = new Date();
      const servers = flags.dnsServer ? dnsServers(flags.dnsServer) : undefined;
      // One after the other: the same options for both, so the drift comes from the exports (and their profiles).
      const side = async (path: string) => {
        const result = await assessExport(path, {
          profilePath: flags.profile,
          offline: flags.offline,
          dnsServers: servers,
          now,
          log: (line) => diag(`${path}: ${line}`),
        });
        for (const w of result.warnings) diag(`${path}: warning: ${w}`);
        return assessedSide(result);
      };
      const before = await side(oldPath);
      const after = await side(newPath);
      const result = compare.diffAssessments(before, after);
      const meta = { old: oldPath, new: newPath, profile: flags.profile };
      const text =
        flags.format === 'json'
          ? render.renderDiffJson(result, meta)
          : render.renderDiffTerminal(result, meta, outputStyle(flags));
      if (flags.out)
        await writeOutputFile(flags.out, text, {
          force: flags.force === true,
          inputs: mergeInputs([
            await inputsOf(oldPath, flags.profile, { profiles: true }),
            await inputsOf(newPath, flags.profile, { profiles: true }),
          ]),
        });
      else process.stdout.write(text);
      process.exitCode = compare.diffExitCode(result);
    });
}
