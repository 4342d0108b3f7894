/** `mxlock dmarc <file|dir…>`: who sends as your domains, from DMARC aggregate reports (issue 12 item 4, DESIGN §3.4). */
import { withReportOutput } from '../flags.js';
import type { Command } from 'commander';
import { InputError } from '../../errors.js';
import { outputStyle } from '../output.js';
import { inputsOfRun, writeOutputFile } from '../write-output.js';

interface DmarcFlags {
  export?: string;
  profile?: string;
  format: 'terminal' | 'json';
  out?: string;
  color?: boolean;
  force?: boolean;
}

export function registerDmarc(program: Command): void {
  withReportOutput(
    program
      .command('dmarc')
      .argument(
        '<inputs...>',
        'reports: .xml, .xml.gz, .zip, .eml with the report attached, an mbox, or folders of them',
      )
      .summary('read DMARC aggregate reports: who sends as your domains, and which senders are unknown')
      .description(
        'Read DMARC aggregate reports (RFC 7489 Appendix C, RFC 9990) as files or as they arrive by mail, and list the ' +
          'sources that send as your domains by IP and header From domain: message counts, DMARC pass/fail (aligned ' +
          'SPF/DKIM), disposition, and whether each source is known (the gateway, a hybrid or declared source of the ' +
          "profile, or authorised by the domain's SPF in the export's dns.json). The format is told by its bytes. " +
          'Hostile reports are refused: no DTD or entities, bounded nesting, capped decompression.',
      )
      .option('--export <dir>', 'export folder or snapshot.json: the gateway (inferred) and dns.json for SPF')
      .option(
        '-p, --profile <file>',
        'mxlock.yaml: the gateway, hybrid and declared sources; default <export>/mxlock.yaml',
      ),
    'overwrite the --out file when it exists (never an input)',
  )
    .addHelpText(
      'after',
      `
Examples:
  $ mxlock dmarc ./rua-reports --export ./export
  $ mxlock dmarc reports.mbox google.com!example.com!1711756800!1711843199.xml.gz --format json

A source is known when its IP is the gateway's, a hybrid or declared Direct Send IP of the profile, or passes the
header From domain's SPF in the export's dns.json. Without dns.json SPF is not checked, and a source outside the
gateway and the profile is unknown (unknown is never safe).
Exit codes: 0 every source is known; 1 at least one unknown source sends as your domain (whether DMARC passed or
failed); 2 usage or input error (a malformed or hostile report names the file, message and part).`,
    )
    .action(async (paths: string[], flags: DmarcFlags) => {
      const [
        { readReports },
        { summarise },
        render,
        { findProfile },
        { loadProfile },
        read,
        { headersContext },
      ] = await Promise.all([
        import('../../dmarc/read.js'),
        import('../../dmarc/sources.js'),
        import('../../report/dmarc.js'),
        import('../../assess-export.js'),
        import('../../profile/load.js'),
        import('../../snapshot/read.js'),
        import('../../headers/context.js'),
      ]);
      const found = await readReports(paths);
      if (found.reports.length === 0)
        throw new InputError(
          `no DMARC aggregate report found in ${paths.length === 1 ? paths[0] : `the ${paths.length} inputs`}${
            found.notes.length ? ` (${found.notes.slice(0, 3).join('; ')})` : ''
          }`,
        );
      // The gateway as `headers` resolves it (resolveGateway: the profile's, else inferred from the export).
      const snapshot = flags.export ? await read.readExport(flags.export) : undefined;
      const profile = flags.export
        ? (await findProfile(flags.export, flags.profile)).profile
        : flags.profile
          ? await loadProfile(flags.profile)
          : undefined;
      const ctx = { gateway: headersContext(profile, snapshot).gateway, profile, zone: snapshot?.dns };
      const summary = summarise(found.reports, ctx, found.notes);
      const out =
        flags.format === 'json'
          ? render.renderDmarcJson(summary)
          : render.renderDmarcTerminal(summary, outputStyle(flags));
      if (flags.out) {
        const inputs = await inputsOfRun(flags.export, flags.profile, found.files);
        await writeOutputFile(flags.out, out, { force: flags.force === true, inputs });
      } else process.stdout.write(out);
      process.exitCode = summary.sources.some((s) => !s.known) ? 1 : 0;
    });
}
