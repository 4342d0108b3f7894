/**
 * `mxlock collect`: the export folder collected live and read-only over the Exchange Online admin API (issue 14), for
 * one tenant (--tenant) or many (--tenants file, bounded parallelism, one tenant's failure never stopping the others);
 * `--script` prints the PowerShell collector instead. Every line written passes through the run's Redactor.
 */
import { Option, type Command } from 'commander';
import { mapBounded } from '../../common/collections.js';
import { inlineSafe } from '../../common/text.js';
import { ConfigError } from '../../errors.js';
import {
  ENVIRONMENT_NAMES,
  tenantFolderName,
  tenantProblem,
  type EnvironmentName,
} from '../../exo/environment.js';
import { Redactor } from '../../exo/redact.js';
import type { SignIn } from '../../exo/auth.js';
import { parseTenantList, type TenantEntry } from '../../exo/tenants.js';
import { collectorScript } from '../../powershell/export-script.js';
import { decodeText } from '../../snapshot/decode.js';
import { readInputFile } from '../../snapshot/read.js';
import { keyOf } from '../../snapshot/shape.js';
import { CMDLET_NAMES } from '../../snapshot/schema.js';
import { dnsServers, positiveInt } from '../flags.js';
import { PEM, readPemFile } from '../pem.js';
import { InputPaths, inputsOf, writeOutputFile, writeOutputFolder } from '../write-output.js';
import { join } from 'node:path';

interface CollectFlags {
  tenant?: string;
  tenants?: string;
  out?: string;
  script?: boolean;
  environment: EnvironmentName;
  endpoint?: string;
  loginEndpoint?: string;
  caFile?: string;
  appId?: string;
  certificate?: string;
  certificatePassword?: string;
  clientSecret?: string;
  deviceCode?: boolean;
  dns: boolean;
  dnsServer?: string[];
  timeout: string;
  retries: string;
  concurrency: string;
  parallel: string;
  force?: boolean;
  format: 'terminal' | 'json';
}

/** The environment variables that carry secrets: read, and always redacted, whichever way the run signs in. */
export const SECRET_VARIABLES = {
  token: 'MXLOCK_ACCESS_TOKEN',
  secret: 'MXLOCK_CLIENT_SECRET',
  password: 'MXLOCK_CERTIFICATE_PASSWORD',
} as const;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_RETRIES = 10;
const DEFAULT_PARALLEL = 4;

function httpsUrl(value: string, flag: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${flag} expects an https:// URL, got "${inlineSafe(value)}"`);
  }
  if (url.protocol !== 'https:')
    throw new ConfigError(
      `${flag}: ${inlineSafe(url.origin)}: only https:// is used (the token would travel in clear)`,
    );
  if (url.username || url.password || url.search || url.hash)
    throw new ConfigError(`${flag}: give the base URL only, without credentials, query or fragment`);
  return url.href.replace(/\/+$/, '');
}

/** How the run signs in, from the flags and the environment; refuses two ways at once or none. */
function signInOf(flags: CollectFlags, env: NodeJS.ProcessEnv, many: boolean): SignIn {
  const explicit = [
    flags.certificate !== undefined && '--certificate',
    flags.clientSecret !== undefined && '--client-secret',
    flags.deviceCode === true && '--device-code',
  ].filter((x): x is string => typeof x === 'string');
  if (explicit.length > 1)
    throw new ConfigError(`sign in one way: ${explicit.join(' and ')} do not go together`);
  const secret = flags.clientSecret ?? env[SECRET_VARIABLES.secret];
  const token = env[SECRET_VARIABLES.token];
  const appId = () => {
    if (!flags.appId)
      throw new ConfigError(
        '--app-id is required to sign in with a certificate, a client secret or a device code',
      );
    if (!GUID.test(flags.appId))
      throw new ConfigError(
        `--app-id expects the application (client) ID, a GUID, got "${inlineSafe(flags.appId)}"`,
      );
    return flags.appId;
  };
  const way =
    explicit[0] ??
    (secret !== undefined && flags.appId ? '--client-secret' : token !== undefined ? 'token' : undefined);
  if (way === undefined)
    throw new ConfigError(
      `say how to sign in: --app-id with --certificate <pem|pfx> (app-only, recommended), --app-id with a client secret (${SECRET_VARIABLES.secret}), --app-id with --device-code (a person), or a token in ${SECRET_VARIABLES.token}`,
    );
  if (way === '--certificate')
    return {
      kind: 'certificate',
      appId: appId(),
      path: flags.certificate!,
      password: flags.certificatePassword ?? env[SECRET_VARIABLES.password],
    };
  if (way === '--client-secret') {
    if (!secret) throw new ConfigError('the client secret is empty');
    return { kind: 'secret', appId: appId(), secret };
  }
  if (many && way === '--device-code')
    throw new ConfigError(
      '--device-code signs a person in to one tenant: --tenants needs --app-id with --certificate or a client secret',
    );
  if (way === '--device-code') return { kind: 'device-code', appId: appId() };
  if (many)
    throw new ConfigError(
      `${SECRET_VARIABLES.token} is one tenant's token: --tenants needs --app-id with --certificate or a client secret (a multi-tenant app consented in each tenant)`,
    );
  return { kind: 'access-token', token: token! };
}

interface TenantReport {
  tenant: string;
  folder: string | undefined;
  status: 'complete' | 'partial' | 'failed';
  collected: number;
  total: number;
  failed: { cmdlet: string; error: string; message: string }[];
  dns: string;
  error?: string;
}

function reportLine(r: TenantReport): string {
  const where = r.folder ? ` → ${r.folder}` : '; nothing written';
  if (r.status === 'failed') return `${r.tenant}: failed: ${r.error ?? 'nothing collected'}${where}`;
  const head = `${r.tenant}: ${r.status}, ${r.collected} of ${r.total} cmdlets, ${r.dns}${where}`;
  return [head, ...r.failed.map((f) => `  ${f.message}`)].join('\n');
}

export function registerCollect(program: Command): void {
  program
    .command('collect')
    .summary('collect the export folder live, read-only, over the Exchange Online admin API')
    .description(
      'Collect the export folder `assess` reads, live and read-only, over the Exchange Online admin API (the REST API ' +
        'the ExchangeOnlineManagement module uses): one JSON file per cmdlet, dns.json recorded live, and ' +
        'collection.json saying what was collected when. A cmdlet that fails gets no file, so its checks say unknown. ' +
        '--tenants collects many tenants, each into its own folder; --script prints the PowerShell collector instead.',
    )
    .option('--tenant <tenant>', 'the tenant: its ID (GUID) or a domain, e.g. contoso.onmicrosoft.com')
    .option('--tenants <file>', 'collect every tenant of a file: one per line, optionally "tenant,folder"')
    .option(
      '-o, --out <dir>',
      'the export folder (with --tenants: the folder of the tenant folders); with --script, a file',
    )
    .option('--script', 'print the PowerShell collector that writes the same folder, and do nothing else')
    .addOption(
      new Option('--environment <cloud>', 'the Microsoft 365 cloud')
        .choices(ENVIRONMENT_NAMES)
        .default('commercial'),
    )
    .option('--app-id <id>', 'the application (client) ID of the app registration')
    .option('--certificate <file>', "the app's certificate with its private key: PEM, or PKCS#12 (.pfx/.p12)")
    .option(
      '--certificate-password <password>',
      `the password of the key or .pfx (prefer ${SECRET_VARIABLES.password}: a command line is visible to other users)`,
    )
    .option(
      '--client-secret <secret>',
      `a client secret (discouraged: prefer a certificate; prefer ${SECRET_VARIABLES.secret} to the command line)`,
    )
    .option('--device-code', 'sign a person in with a device code (delegated; for one tenant)')
    .option('--endpoint <url>', "the admin API base URL instead of the cloud's (a proxy)")
    .option('--login-endpoint <url>', "the Microsoft Entra sign-in URL instead of the cloud's")
    .option(
      '--ca-file <pem>',
      "trust this CA (PEM) besides the system's, for --endpoint and --login-endpoint",
    )
    .option(
      '--no-dns',
      'do not record dns.json (assess then asks DNS live, or --offline leaves dns.* unknown)',
    )
    .option(
      '--dns-server <server...>',
      'DNS servers to record from (ip or ip:port); default: the system resolver',
    )
    .option('--timeout <ms>', 'per-request timeout in milliseconds', '60000')
    .option('--retries <n>', 'retries of a throttled or failed request (0–10)', '5')
    .option('--concurrency <n>', 'cmdlet calls in flight per tenant', '3')
    .option('--parallel <n>', 'tenants collected at once (--tenants)', String(DEFAULT_PARALLEL))
    .option('--force', 'replace an earlier collection in --out (mxlock.yaml beside it is kept)')
    .addOption(
      new Option('--format <format>', 'summary format on stdout')
        .choices(['terminal', 'json'])
        .default('terminal'),
    )
    .addHelpText(
      'after',
      `
Examples:
  $ mxlock collect --tenant contoso.onmicrosoft.com --app-id <id> --certificate app.pfx --out ./export
  $ MXLOCK_CLIENT_SECRET=… mxlock collect --tenant contoso.onmicrosoft.com --app-id <id> --out ./export
  $ mxlock collect --tenant contoso.onmicrosoft.com --app-id <id> --device-code --out ./export
  $ MXLOCK_ACCESS_TOKEN=$(az account get-access-token --resource https://outlook.office365.com --query accessToken -o tsv) \\
      mxlock collect --tenant contoso.onmicrosoft.com --out ./export
  $ mxlock collect --tenants customers.txt --app-id <id> --certificate app.pem --out ./exports --parallel 8
  $ mxlock collect --script > mxlock-collect.ps1

Read-only: only Get- cmdlets are called. Secrets come best from ${SECRET_VARIABLES.secret}, ${SECRET_VARIABLES.password}
and ${SECRET_VARIABLES.token}; they and every token are never logged or written.
Exit codes: 0 every cmdlet of every tenant collected; 1 something was not collected; 2 usage or input error.`,
    )
    .action(async (flags: CollectFlags, cmd: Command) => {
      const debug = (cmd.optsWithGlobals() as { debug?: boolean }).debug === true;
      const redactor = new Redactor();
      for (const v of Object.values(SECRET_VARIABLES)) redactor.add(process.env[v]);
      redactor.add(flags.clientSecret);
      redactor.add(flags.certificatePassword);
      const say = (line: string) =>
        process.stderr.write(`mxlock: ${redactor.redact(inlineSafeLines(line))}\n`);
      try {
        await run(flags, redactor, say, debug);
      } catch (err) {
        if (err instanceof Error) {
          err.message = redactor.redact(err.message);
          if (err.stack) err.stack = redactor.redact(err.stack);
        }
        throw err;
      }
    });
}

function inlineSafeLines(text: string): string {
  return text.split('\n').map(inlineSafe).join('\n');
}

async function run(
  flags: CollectFlags,
  redactor: Redactor,
  say: (line: string) => void,
  debug: boolean,
): Promise<void> {
  if (flags.script) {
    if (flags.tenant || flags.tenants)
      throw new ConfigError('--script prints the collector: it takes no --tenant');
    const script = collectorScript();
    if (flags.out) {
      await writeOutputFile(flags.out, script, { force: flags.force === true, inputs: new Set<string>() });
      say(`collector written to ${flags.out}`);
    } else process.stdout.write(script);
    process.exitCode = 0;
    return;
  }
  if ((flags.tenant === undefined) === (flags.tenants === undefined))
    throw new ConfigError(
      'give --tenant <tenant> or --tenants <file> (or --script for the PowerShell collector)',
    );
  if (!flags.out) throw new ConfigError('--out <dir> is required: the folder the export is written to');
  const many = flags.tenants !== undefined;
  const signIn = signInOf(flags, process.env, many);
  const retries = /^\d{1,2}$/.test(flags.retries) ? Number(flags.retries) : NaN;
  if (!(retries >= 0 && retries <= MAX_RETRIES))
    throw new ConfigError(
      `--retries expects a whole number from 0 to ${MAX_RETRIES}, got "${inlineSafe(flags.retries)}"`,
    );
  const options = {
    environment: flags.environment,
    endpoint: flags.endpoint === undefined ? undefined : httpsUrl(flags.endpoint, '--endpoint'),
    loginEndpoint:
      flags.loginEndpoint === undefined ? undefined : httpsUrl(flags.loginEndpoint, '--login-endpoint'),
    ca:
      flags.caFile === undefined ? undefined : await readPemFile(flags.caFile, '--ca-file', PEM.certificate),
    timeoutMs: positiveInt(flags.timeout, '--timeout'),
    retries,
    concurrency: positiveInt(flags.concurrency, '--concurrency'),
    dns: flags.dns
      ? { servers: flags.dnsServer ? dnsServers(flags.dnsServer) : undefined }
      : (false as const),
    redactor,
  };
  const parallel = positiveInt(flags.parallel, '--parallel');
  let entries: TenantEntry[];
  if (many) {
    const bytes = await readInputFile(flags.tenants!, { role: 'input', what: 'the tenant list' });
    entries = parseTenantList(decodeText(bytes, flags.tenants!).text, flags.tenants!);
  } else {
    const problem = tenantProblem(flags.tenant!);
    if (problem) throw new ConfigError(`--tenant "${inlineSafe(flags.tenant!)}": ${problem}`);
    entries = [{ tenant: flags.tenant!, folder: tenantFolderName(flags.tenant!) }];
  }
  // Never written over: the tenant list, the certificate, the CA.
  const inputs = new InputPaths();
  for (const p of [flags.tenants, flags.certificate, flags.caFile])
    if (p) for (const r of await inputsOf(p)) inputs.add(r);

  const [{ collectExport, COLLECTION_FILE }, { PROFILE_FILE_NAME }] = await Promise.all([
    import('../../collect-export.js'),
    import('../../profile/load.js'),
  ]);
  const controller = new AbortController();
  const onSigint = () => {
    say('interrupted: stopping (what was collected is not written)');
    controller.abort();
  };
  process.once('SIGINT', onSigint);
  const tty = process.stderr.isTTY === true;
  let done = 0;
  let failedTenants = 0;
  const progress = (text: string) => {
    if (tty) process.stderr.write(`\r\x1b[2Kmxlock: ${text}`);
  };
  try {
    const reports = await mapBounded(entries, many ? parallel : 1, async (entry): Promise<TenantReport> => {
      const dir = many ? join(flags.out!, entry.folder) : flags.out!;
      let cmdletsDone = 0;
      const result = await collectExport({
        tenant: entry.tenant,
        signIn,
        ...options,
        signal: controller.signal,
        log: (line) => {
          if (!many) say(line);
        },
        ...(debug ? { debug: (line: string) => say(`debug: ${entry.tenant}: ${line}`) } : {}),
        onCmdlet: () => {
          cmdletsDone++;
          if (!many) progress(`${entry.tenant}: ${cmdletsDone}/${CMDLET_NAMES.length} cmdlets`);
        },
        onDeviceCode: (message) => {
          if (tty) process.stderr.write('\n');
          say(message);
        },
      });
      const m = result.manifest;
      const failed = CMDLET_NAMES.flatMap((c) => {
        const o = m.cmdlets[c];
        return o.status === 'error' ? [{ cmdlet: c, error: o.error, message: o.message }] : [];
      });
      const dns =
        m.dns.status === 'recorded'
          ? `DNS recorded (${m.dns.names} names${m.dns.failures.length ? `, ${m.dns.failures.length} lookups failed` : ''})`
          : `DNS ${m.dns.status}: ${m.dns.reason}`;
      const report: TenantReport = {
        tenant: entry.tenant,
        folder: undefined,
        status: m.complete ? 'complete' : result.collected === 0 ? 'failed' : 'partial',
        collected: CMDLET_NAMES.length - failed.length,
        total: CMDLET_NAMES.length,
        failed,
        dns,
        ...(m.error
          ? { error: m.error.message }
          : failed[0] && result.collected === 0
            ? { error: failed[0].message }
            : {}),
      };
      if (result.collected > 0 && !controller.signal.aborted) {
        try {
          await writeOutputFolder(dir, result.files, {
            force: flags.force === true,
            inputs,
            ours: (name) => keyOf(name) !== undefined || name === COLLECTION_FILE,
            what: 'collection',
            keep: (name) => name === PROFILE_FILE_NAME,
          });
          report.folder = dir;
        } catch (err) {
          if (!many) throw err;
          report.status = 'failed';
          report.error = `not written: ${(err as Error).message}`;
        }
      } else if (controller.signal.aborted) {
        report.status = 'failed';
        report.error = 'interrupted';
      }
      done++;
      if (report.status === 'failed') failedTenants++;
      if (many) {
        progress(`${done}/${entries.length} tenants${failedTenants ? ` (${failedTenants} failed)` : ''}`);
        if (report.status !== 'complete') {
          if (tty) process.stderr.write('\n');
          say(reportLine(report));
        }
      }
      return report;
    });
    if (tty) process.stderr.write('\r\x1b[2K');
    const text =
      flags.format === 'json'
        ? `${JSON.stringify({ schemaVersion: 1, tenants: reports }, null, 2)}\n`
        : `${reports.map((r) => inlineSafeLines(reportLine(r))).join('\n')}\n`;
    process.stdout.write(redactor.redact(text));
    process.exitCode = reports.every((r) => r.status === 'complete') ? 0 : 1;
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}
