/**
 * `mxlock trace <files…>` and `mxlock events <file>`: classify the inbound mail of message-trace / EmailEvents exports
 * against the gateway, list the Direct Send senders, and replay the delivered flows through the plan (issue 12).
 */
import { withReportOutput } from '../flags.js';
import type { Command } from 'commander';
import { inlineSafe } from '../../common/text.js';
import { diag, outputStyle } from '../output.js';
import { inputsOf, writeOutputFile } from '../write-output.js';

interface TraceFlags {
  export: string;
  profile?: string;
  format: 'terminal' | 'json';
  out?: string;
  force?: boolean;
  color?: boolean;
  impact?: boolean;
}

/** Progress on stderr while a long input is read: only on a terminal, never in the report (issue 12 item 2). */
/**
 * Progress on a terminal's stderr (never elsewhere): `report` for each read, `clear` to take the line away when the
 * reading stops before the end (an input error is then printed on a line of its own).
 */
function progressReporter(): {
  report: ((file: string, bytesRead: number, size: number) => void) | undefined;
  clear: () => void;
} {
  if (process.stderr.isTTY !== true) return { report: undefined, clear: () => undefined };
  let last = 0;
  let shown = false;
  const clear = () => {
    if (shown) process.stderr.write('\r\u001b[2K');
    shown = false;
  };
  return {
    report: (file, n, size) => {
      const now = Date.now();
      if (now - last < 500 && n < size) return;
      last = now;
      const pct = size > 0 ? Math.min(100, Math.floor((n * 100) / size)) : 0;
      process.stderr.write(`\r\u001b[2Kmxlock: reading ${inlineSafe(file)}: ${pct}%`);
      shown = true;
      if (n >= size) clear();
    },
    clear,
  };
}

function register(program: Command, command: 'trace' | 'events'): void {
  const isTrace = command === 'trace';
  withReportOutput(
    program
      .command(command)
      .argument(
        isTrace ? '<files...>' : '<file>',
        isTrace
          ? 'message trace exports: Get-MessageTraceV2 (Export-Csv or ConvertTo-Json), Graph messageTraces JSON, historical search reports (CSV)'
          : 'Defender EmailEvents: the portal CSV export or the hunting API JSON',
      )
      .summary(
        isTrace
          ? 'message trace: mail delivered around the gateway, Direct Send inventory, what the plan would break'
          : 'Defender EmailEvents: the same classification as trace',
      )
      .description(
        `Classify every inbound message of ${isTrace ? 'message trace exports' : 'a Defender EmailEvents export'}: ` +
          'through the gateway, from a declared source, direct (delivered from any other address: the bypass), or ' +
          'rejected with its code. Lists the own-domain senders that deliver directly (ready to paste into ' +
          'mxlock.yaml directSendSources) and replays every delivered flow through the plan of the export and profile, ' +
          'naming the flows hardening would refuse and the stage that refuses them. SMTP-time rejections (5.7.68, ' +
          '5.7.51) do not appear reliably in these logs: their absence proves nothing.',
      )
      .requiredOption(
        '--export <dir>',
        'export folder or snapshot.json: accepted domains and the configuration',
      )
      .option(
        '-p, --profile <file>',
        'mxlock.yaml: the gateway and declared sources; default <export>/mxlock.yaml',
      )
      .option('--no-impact', 'skip the impact replay through the plan'),
    'overwrite the --out file when it exists (never an input)',
  )
    .addHelpText(
      'after',
      `
Examples:
  $ mxlock ${command} ${isTrace ? 'trace.csv more.json' : 'EmailEvents.csv'} --export ./export
  $ mxlock ${command} ${isTrace ? 'trace.csv' : 'hunting.json'} --export ./export --format json --out ${command}.json

Exit codes: 0 no direct delivery and no delivered flow the plan would refuse; 1 direct deliveries, deliveries whose
source is unknown, or flows the plan would or may refuse; 2 usage or input error.`,
    )
    .action(async (fileArg: string | string[], flags: TraceFlags) => {
      const files = Array.isArray(fileArg) ? fileArg : [fileArg];
      const [{ assessExport }, { resolveGateway }, { analyseLogs }, render] = await Promise.all([
        import('../../assess-export.js'),
        import('../../profile/infer.js'),
        import('../../logs/trace.js'),
        import('../../logs/render.js'),
      ]);
      const now = new Date();
      // Offline: the export's dns.json is the DNS the replay uses (a log analysis never queries the network).
      const result = await assessExport(flags.export, {
        profilePath: flags.profile,
        offline: true,
        now,
        log: diag,
      });
      const gateway = resolveGateway(result.profile, result.snapshot);
      const progress = progressReporter();
      const report = await analyseLogs(
        command,
        files,
        { acceptedDomains: result.report.tenant.acceptedDomains, gateway, profile: result.profile },
        {
          onProgress: progress.report,
          impact:
            flags.impact === false
              ? undefined
              : { snapshot: result.snapshot, report: result.report, zone: result.zone, now },
        },
      ).finally(progress.clear);
      const text =
        flags.format === 'json'
          ? render.renderTraceJson(report)
          : render.renderTraceTerminal(report, outputStyle(flags));
      if (flags.out) {
        const inputs = await inputsOf(flags.export, flags.profile, { profiles: true });
        for (const f of files) for (const p of await inputsOf(f)) inputs.add(p);
        await writeOutputFile(flags.out, text, { force: flags.force === true, inputs });
      } else process.stdout.write(text);
      // Exit 1 as the help says: direct deliveries, deliveries from an unknown source, or flows the plan would or may
      // refuse (an uncertain flow is not a safe one).
      const attention =
        report.inbound.direct > 0 ||
        report.inbound.unknownSource > 0 ||
        report.impact.length > 0 ||
        report.impactUncertain.length > 0;
      process.exitCode = attention ? 1 : 0;
    });
}

export function registerTrace(program: Command): void {
  register(program, 'trace');
}

export function registerEvents(program: Command): void {
  register(program, 'events');
}
