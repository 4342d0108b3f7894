/** `mxlock plan <export>`: the staged hardening, its verification and its rollback, as files to review and run. */
import { dirname, join } from 'node:path';
import { stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { dnsServers } from '../flags.js';
import { ConfigError } from '../../errors.js';
import { inlineSafe } from '../../common/text.js';
import { diag } from '../output.js';
import { inputsOf, writeOutputFolder } from '../write-output.js';

/** The files `mxlock plan` writes: what --force may replace. */
const PLAN_FILE = /^(plan\.md|rollback\.ps1|dns-records\.txt|stage-\d+\.ps1)$/;

interface PlanFlags {
  profile?: string;
  offline?: boolean;
  dnsServer?: string[];
  out?: string;
  force?: boolean;
}

export function registerPlan(program: Command): void {
  program
    .command('plan')
    .argument('<export>', 'export folder or snapshot.json')
    .summary('staged hardening scripts, verification and exact rollback')
    .description(
      "Write the staged hardening for this tenant, in the guide's activation order: stage 0 backup and admit the " +
        'declared Direct Send sources, 1 safety-net rule in audit, 2 connector lock-down, 3 RejectDirectSend, 4 rule to ' +
        'Enforce, 5 anti-spoofing and Enhanced Filtering. Every stage is simulated first; a stage that would break a ' +
        'legitimate path is refused with the reason. Writes plan.md, stage-N.ps1, rollback.ps1 and dns-records.txt.',
    )
    .option(
      '-p, --profile <file>',
      'mxlock.yaml (gateway, Direct Send sources); default <export>/mxlock.yaml',
    )
    .option('--offline', "use only the export's dns.json")
    .option('--dns-server <server...>', 'DNS servers for the live analysis')
    .option('-o, --out <dir>', 'folder for the plan files (default: <export>/mxlock-plan)')
    .option('-f, --force', 'write into a folder that already holds files')
    .option('--no-color', 'accepted like the other commands (plan prints no colour)')
    .addHelpText(
      'after',
      `
Examples:
  $ mxlock plan ./export --offline
  $ mxlock plan ./export --out ./change-2026-12 --force

Then, for each stage in turn: review plan.md, run  .\\stage-N.ps1 -WhatIf  then  .\\stage-N.ps1  in an
Exchange Online PowerShell session, and observe for the period plan.md gives before the next stage.
Exit codes: 0 plan written; 1 a stage was refused (the plan stops before it), a stage weakens protection
(turns a closed or mitigated attack or residual path open or uncertain), or a declared source (directSendSources,
hybrid) is still broken after the plan (plan.md says which and why); 2 usage or input error.`,
    )
    .action(async (exportPath: string, flags: PlanFlags) => {
      const [
        { assessExport },
        { buildPlan, planNeedsAttention, renderPlanFiles },
        { resolveGateway },
        { EMPTY_PROFILE },
      ] = await Promise.all([
        import('../../assess-export.js'),
        import('../../plan/index.js'),
        import('../../profile/infer.js'),
        import('../../profile/schema.js'),
      ]);
      const log = diag;
      const result = await assessExport(exportPath, {
        profilePath: flags.profile,
        offline: flags.offline,
        dnsServers: flags.dnsServer ? dnsServers(flags.dnsServer) : undefined,
        now: new Date(),
        log,
      });
      const { profile, zone } = result;
      const built = buildPlan({
        snapshot: result.snapshot,
        profile: profile ?? EMPTY_PROFILE,
        gateway: resolveGateway(profile, result.snapshot),
        report: result.report,
        zone,
        now: new Date(),
      });
      if (!built.ok) throw new ConfigError(`cannot plan: ${built.reason}`);
      const info = await stat(exportPath);
      const out = flags.out ?? join(info.isDirectory() ? exportPath : dirname(exportPath), 'mxlock-plan');
      // Written whole beside the folder and swapped in: no stale stage script of an earlier plan survives --force.
      await writeOutputFolder(out, renderPlanFiles(built.checked), {
        force: flags.force === true,
        inputs: await inputsOf(exportPath, result.profilePath),
        ours: (name) => PLAN_FILE.test(name),
        what: 'plan',
      });
      const plan = built.checked.plan;
      const lines = [`Plan for ${plan.tenant} written to ${out}:`];
      for (const s of plan.stages) {
        const refused = plan.refusal !== undefined && s.no >= plan.refusal.stage;
        const weakens = plan.weakenings.some((w) => w.stage === s.no);
        lines.push(
          `  stage ${s.no}  ${s.changes.length} change(s)  ${s.title}${refused ? '  REFUSED' : ''}${weakens ? '  WEAKENS' : ''}`,
        );
      }
      if (plan.refusal) lines.push('', `REFUSED: ${plan.refusal.explanation}`);
      for (const r of plan.laterRefusals) lines.push(`ALSO REFUSED: ${r.explanation}`);
      for (const w of plan.weakenings) lines.push(`WEAKENS: ${w.explanation}`);
      for (const u of plan.undelivered) lines.push(`NOT DELIVERED: ${u.explanation}`);
      for (const w of plan.warnings) lines.push(`warning: ${w}`);
      if (plan.remaining && plan.remaining.length > 0)
        lines.push(
          '',
          `Left for you after the runnable stages (plan.md, "What the plan leaves for you"): ${plan.remaining.map((f) => `${f.id} (${f.status})`).join(', ')}`,
        );
      const after = built.checked.after;
      lines.push('', 'After the runnable stages:');
      for (const p of after) lines.push(`  ${p.status.padEnd(10)} ${p.id}`);
      // Connector and source names come from the tenant and the profile: every control or bidi character is shown escaped.
      process.stdout.write(`${lines.map(inlineSafe).join('\n')}\n`);
      // A weakening or an undelivered declared source is not a refusal, but must not pass unnoticed in a pipeline either.
      process.exitCode = planNeedsAttention(plan) ? 1 : 0;
    });
}
