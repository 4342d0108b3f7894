/** `mxlock kql [<export>]`: hunting queries for Defender advanced hunting / Sentinel (issue 12 item 5, DESIGN §2). */
import type { Command } from 'commander';
import { ConfigError } from '../../errors.js';
import { inlineSafe } from '../../common/text.js';
import { diag } from '../output.js';
import { inputsOf, writeOutputFile } from '../write-output.js';

interface KqlFlags {
  profile?: string;
  query?: string[];
  out?: string;
  force?: boolean;
}

/** The --query names, comma lists split; an unknown name is refused with the list of known ones. */
export function selectedQueries(
  values: readonly string[] | undefined,
  known: readonly string[],
): string[] | undefined {
  if (!values) return undefined;
  const names = [
    ...new Set(
      values
        .flatMap((v) => v.split(','))
        .map((v) => v.trim())
        .filter(Boolean),
    ),
  ];
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length > 0)
    throw new ConfigError(
      `--query: unknown ${unknown.length === 1 ? 'query' : 'queries'} ${unknown.map((n) => `'${inlineSafe(n)}'`).join(', ')}; known: ${known.join(', ')}`,
    );
  if (names.length === 0) throw new ConfigError(`--query: give a query name (${known.join(', ')})`);
  return names;
}

export function registerKql(program: Command): void {
  program
    .command('kql')
    .argument(
      '[export]',
      'export folder or snapshot.json: the accepted domains, the gateway (inferred) and the safety-net rule',
    )
    .summary('hunting queries for Microsoft Defender / Sentinel, parameterised by the profile and the export')
    .description(
      'Write KQL hunting queries for the EmailEvents table of Microsoft Defender advanced hunting and Microsoft ' +
        "Sentinel, parameterised by the tenant: inbound mail delivered without coming from the gateway's IPs, spoofs " +
        'of your own domains, hits of the safety-net transport rule, and the Direct Send inventory. Each query ' +
        "starts with comments saying what it finds and its limits. No network: the gateway is the profile's, or " +
        'inferred from the export and its dns.json.',
    )
    .option(
      '-p, --profile <file>',
      'mxlock.yaml: gateway IPs, Direct Send sources, hybrid; default <export>/mxlock.yaml',
    )
    .option(
      '-q, --query <name...>',
      'only these queries (direct-inbound, own-domain-spoof, safety-net-hits, direct-send-inventory)',
    )
    .option('-o, --out <file>', 'write to a file instead of stdout')
    .option('--force', 'overwrite the --out file when it exists (never an input)')
    .addHelpText(
      'after',
      `
Examples:
  $ mxlock kql ./export
  $ mxlock kql ./export --query direct-inbound direct-send-inventory --out hunting.kql
  $ mxlock kql --profile mxlock.yaml --query direct-inbound

A query whose inputs are unknown (no gateway IPs, no accepted domains) is not written: its block says why, and so
does a warning on stderr. SMTP-time rejections (5.7.68, 5.7.51) may not appear in EmailEvents.
Exit codes: 0 queries written; 2 usage or input error.`,
    )
    .action(async (exportPath: string | undefined, flags: KqlFlags) => {
      const [{ kqlQueries, kqlTenant, KQL_QUERY_IDS }, { findProfile }, { loadProfile }, read] =
        await Promise.all([
          import('../../kql/queries.js'),
          import('../../assess-export.js'),
          import('../../profile/load.js'),
          import('../../snapshot/read.js'),
        ]);
      const ids = selectedQueries(flags.query, KQL_QUERY_IDS);
      if (!exportPath && !flags.profile)
        throw new ConfigError('give an export folder (or snapshot.json), --profile, or both');
      let tenant;
      if (exportPath) {
        const snapshot = await read.readExport(exportPath);
        for (const w of snapshot.warnings) diag(`warning: ${w}`);
        const { profile, path } = await findProfile(exportPath, flags.profile);
        if (path && !flags.profile) diag(`using profile ${path}`);
        tenant = kqlTenant(profile, snapshot);
      } else {
        tenant = kqlTenant(await loadProfile(flags.profile!), undefined);
      }
      const result = kqlQueries(tenant, ids);
      for (const w of result.warnings) diag(`warning: ${w}`);
      if (!result.queries.some((q) => q.written))
        throw new ConfigError(
          `no query could be written: ${result.queries.map((q) => `${q.id}: ${q.reason ?? ''}`).join('; ')}`,
        );
      if (flags.out) {
        const inputs = exportPath
          ? await inputsOf(exportPath, flags.profile)
          : await inputsOf(flags.profile!);
        await writeOutputFile(flags.out, result.text, { force: flags.force === true, inputs });
      } else process.stdout.write(result.text);
    });
}
