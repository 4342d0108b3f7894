/** `mxlock simulate <export>`: the attack/legitimate path matrix, before and (with --after-plan) after the plan. */
import { sortById } from '../../common/order.js';
import { lackingExports } from '../../snapshot/partial.js';
import { readInputFile } from '../../snapshot/read.js';
import { decodeText } from '../../snapshot/decode.js';
import { inputsOf, writeOutputFile } from '../write-output.js';
import type { Command } from 'commander';
import { diag, outputStyle } from '../output.js';
import { dnsServers, withReportOutput } from '../flags.js';
import { ConfigError } from '../../errors.js';

interface SimulateFlags {
  profile?: string;
  offline?: boolean;
  dnsServer?: string[];
  afterPlan?: boolean;
  scenario?: string;
  format: 'terminal' | 'json';
  out?: string;
  color?: boolean;
  force?: boolean;
}

export function registerSimulate(program: Command): void {
  withReportOutput(
    program
      .command('simulate')
      .argument('<export>', 'export folder or snapshot.json')
      .summary('the path matrix before and after the plan, each cell with its deciding rule')
      .description(
        'Simulate what Exchange Online Protection does with each standard path (and the attempts of a scenario file), ' +
          'before the plan and, with --after-plan, after every stage the planner accepts. Each cell names the rule of the ' +
          'EOP model that decided it and its evidence level.',
      )
      .option('-p, --profile <file>', 'mxlock.yaml; default <export>/mxlock.yaml')
      .option('--offline', "use only the export's dns.json")
      .option('--dns-server <server...>', 'DNS servers for the live analysis')
      .option('--after-plan', 'also simulate the tenant after the plan (mxlock plan)')
      .option('--scenario <file>', 'YAML file with your own attempts (see the README)'),
    'overwrite the --out file when it exists (never a file of the export)',
  )
    .addHelpText(
      'after',
      `
Examples:
  $ mxlock simulate ./export --offline --after-plan
  $ mxlock simulate ./export --offline --scenario attempts.yaml --format json

Exit codes: 0 no attack path open (after the plan, with --after-plan); 1 an attack path open, or with
--after-plan a plan stage refused or weakening protection or a declared source still broken; 2 usage or input error.`,
    )
    .action(async (exportPath: string, flags: SimulateFlags) => {
      const [
        { assessExport },
        assess,
        planMod,
        { resolveGateway },
        { EMPTY_PROFILE },
        scenarioMod,
        render,
        paths,
      ] = await Promise.all([
        import('../../assess-export.js'),
        import('../../assess.js'),
        import('../../plan/index.js'),
        import('../../profile/infer.js'),
        import('../../profile/schema.js'),
        import('../../simulate/scenario.js'),
        import('../../report/simulate.js'),
        import('../../model/paths.js'),
      ]);
      const log = diag;
      const now = new Date();
      const result = await assessExport(exportPath, {
        profilePath: flags.profile,
        offline: flags.offline,
        dnsServers: flags.dnsServer ? dnsServers(flags.dnsServer) : undefined,
        now,
        log,
      });
      const { profile, zone } = result;
      const p = profile ?? EMPTY_PROFILE;
      const gateway = resolveGateway(profile, result.snapshot);
      let scenario: ReturnType<typeof scenarioMod.parseScenario> = [];
      if (flags.scenario) {
        const bytes = await readInputFile(flags.scenario, { role: 'config', what: 'the scenario file' });
        const text = decodeText(bytes, flags.scenario).text;
        scenario = scenarioMod.parseScenario(text, flags.scenario);
      }
      const list = scenario.map((s) => ({ id: s.id, kind: s.kind, description: s.name, attempt: s.attempt }));
      // The flows of the connectors in place before the plan, on both sides, as the plan's safety check judges them.
      const flows = assess.existingFlows(result.snapshot, gateway, p, zone);
      const side = (snapshot: typeof result.snapshot) => {
        const standard = assess.simulatePaths(snapshot, p, gateway, { zone, now, flows });
        // Sorted by id as the standard paths are (simulateAttempts keeps the scenario file's order).
        const own = list.length
          ? sortById(assess.simulateAttempts(snapshot, gateway, list, { zone, now }))
          : [];
        const all = [...standard, ...own];
        return { verdict: paths.verdictOf(standard, gateway, lackingExports(snapshot)), paths: all };
      };
      const report: Parameters<typeof render.renderSimulateJson>[0] = {
        before: side(result.snapshot),
        notes: [],
      };
      let refused = false;
      if (flags.afterPlan) {
        const built = planMod.buildPlan({
          snapshot: result.snapshot,
          profile: p,
          gateway,
          report: result.report,
          zone,
          now,
        });
        if (!built.ok) throw new ConfigError(`cannot plan: ${built.reason}`);
        if (built.checked.plan.refusal) {
          report.notes.push(
            `the plan stops before stage ${built.checked.plan.refusal.stage}: ${built.checked.plan.refusal.explanation}`,
          );
          for (const r of built.checked.plan.laterRefusals)
            report.notes.push(`also refused: ${r.explanation}`);
        }
        for (const w of built.checked.plan.weakenings) report.notes.push(`weakens: ${w.explanation}`);
        for (const u of built.checked.plan.undelivered) report.notes.push(`not delivered: ${u.explanation}`);
        // A refusal, a weakening or an undelivered declared source: the plan command's exit 1 too.
        refused = planMod.planNeedsAttention(built.checked.plan);
        report.after = side(built.checked.afterSnapshot);
      }
      const text =
        flags.format === 'json'
          ? render.renderSimulateJson(report)
          : render.renderSimulateTerminal(report, outputStyle(flags));
      if (flags.out)
        await writeOutputFile(flags.out, text, {
          force: flags.force === true,
          inputs: await inputsOf(exportPath, flags.profile, { profiles: true }),
        });
      else process.stdout.write(text);
      const final = report.after ?? report.before;
      // Exit 1 when an attack path that counts (the scenario's included) is open or uncertain, or the verdict is unsettled.
      const exposed =
        final.verdict.bypass === 'open' ||
        final.verdict.bypass === 'uncertain' ||
        paths.exposedAttackPaths(final.paths, gateway).length > 0;
      process.exitCode = refused || exposed ? 1 : 0;
    });
}
