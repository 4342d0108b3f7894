/**
 * `mxlock emulate <export>`: a local SMTP server that answers like Exchange Online Protection would for this
 * configuration (src/smtp/emulator.ts), until SIGINT or SIGTERM. The rehearsal peer of `mxlock probe`.
 */
import { PEM, readPemFile } from '../pem.js';
import { Option, type Command } from 'commander';
import { isValidIp } from '../../common/ip.js';
import { inlineSafe } from '../../common/text.js';
import { ConfigError } from '../../errors.js';
import { dnsServers, positiveInt } from '../flags.js';
import { diag } from '../output.js';
import { inputsOf, openOutputLog } from '../write-output.js';

interface EmulateFlags {
  export?: string;
  profile?: string;
  offline?: boolean;
  dnsServer?: string[];
  afterPlan?: boolean;
  host: string;
  port: string;
  tlsCert?: string;
  tlsKey?: string;
  as?: string;
  trustXclient?: boolean;
  uncertain: 'accept' | 'refuse';
  maxConnections?: string;
  log?: string;
  force?: boolean;
}

function portOf(value: string): number {
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535)
    throw new ConfigError(`--port expects a number from 0 to 65535, got "${inlineSafe(value)}"`);
  return Number(value);
}

export function registerEmulate(program: Command): void {
  program
    .command('emulate')
    .argument('[export]', 'export folder or snapshot.json (or --export)')
    .summary('a local SMTP server that answers like Exchange Online Protection for this configuration')
    .description(
      'Run a local SMTP server that answers each RCPT TO with the reply the simulator gives for this configuration ' +
        '(550 5.7.51, 550 5.7.68, 550 5.7.64 … verbatim) and the end of DATA with its post-acceptance decision, with ' +
        'STARTTLS and client-certificate inspection so certificate-restricted connectors can be exercised. Accepted ' +
        'mail is DISCARDED: nothing is stored, delivered or relayed. Every decision is logged as one JSON line (session, ' +
        'client, TLS, certificate names, MAIL, RCPT, the reply and the EOP-model rules that decided it). Runs until ' +
        'Ctrl-C (SIGINT) or SIGTERM.',
    )
    .option('--export <dir>', 'the export, as DESIGN names the flag (same as the argument)')
    .option('-p, --profile <file>', 'mxlock.yaml; default <export>/mxlock.yaml')
    .option('--offline', "use only the export's dns.json")
    .option('--dns-server <server...>', 'DNS servers for the live analysis')
    .option('--after-plan', "emulate the tenant after the plan's runnable stages (mxlock plan)")
    .option('--host <address>', 'address to listen on (loopback unless you say otherwise)', '127.0.0.1')
    .option('--port <n>', 'port to listen on; 0 picks a free one (printed)', '2525')
    .option('--tls-cert <file>', 'PEM certificate for STARTTLS (default: a self-signed one made in memory)')
    .option('--tls-key <file>', 'PEM private key of --tls-cert')
    .option('--as <ip>', 'judge every session as coming from this address (the gateway, a printer…)')
    .option(
      '--trust-xclient',
      'let a client name its address per session with XCLIENT ADDR=<ip> (Postfix XCLIENT)',
    )
    .addOption(
      new Option('--uncertain <answer>', 'answer for a recipient the model cannot decide')
        .choices(['accept', 'refuse'])
        .default('accept'),
    )
    .option('--max-connections <n>', 'concurrent sessions; beyond, 421 (default 256)')
    .option('--log <file>', 'write the decision log (JSON lines) to a file instead of stderr')
    .option('--force', 'overwrite the --log file when it exists (never a file of the export)')
    .addHelpText(
      'after',
      `
Rehearse a change before making it:
  $ mxlock emulate ./export --offline --port 2525              # the tenant as it is
  $ mxlock probe contoso.com --host 127.0.0.1 --port 2525 --export ./export
  $ mxlock emulate ./export --offline --after-plan --port 2525 # the tenant after the plan
  $ mxlock probe contoso.com --host 127.0.0.1 --port 2525 --export ./export

Who the client is: by default the TCP peer (127.0.0.1 matches no connector, like an arbitrary internet
sender). --as <ip> makes every session come from one address; --trust-xclient lets each session name its
own with XCLIENT ADDR=<ip> (it wins over --as). A client certificate is read for its subject CN and DNS
names, as Exchange Online matches TlsSenderCertificateName; its chain is not judged.

When the model cannot tell whether Exchange Online refuses a recipient, --uncertain accept (default)
answers 250, the worse case for you; the log says why it is uncertain.

Accepted mail is discarded, never stored or relayed. Listen on loopback unless others must reach it.
Exit codes: 0 stopped by SIGINT/SIGTERM; 2 usage or input error (bad export, port in use).`,
    )
    .action(async (exportArg: string | undefined, flags: EmulateFlags) => {
      const exportPath = exportArg ?? flags.export;
      if (exportPath === undefined) throw new ConfigError('emulate needs an export: mxlock emulate <export>');
      if (exportArg !== undefined && flags.export !== undefined && flags.export !== exportArg)
        throw new ConfigError('emulate: give the export once, as the argument or as --export');
      const port = portOf(flags.port);
      if (!isValidIp(flags.host))
        throw new ConfigError(`--host expects an IP address, got "${inlineSafe(flags.host)}"`);
      if (flags.as !== undefined && !isValidIp(flags.as))
        throw new ConfigError(`--as expects an IP address, got "${inlineSafe(flags.as)}"`);
      if ((flags.tlsCert === undefined) !== (flags.tlsKey === undefined))
        throw new ConfigError('--tls-cert and --tls-key go together');
      const maxConnections =
        flags.maxConnections !== undefined
          ? positiveInt(flags.maxConnections, '--max-connections')
          : undefined;
      const tls =
        flags.tlsCert !== undefined && flags.tlsKey !== undefined
          ? {
              cert: await readPemFile(flags.tlsCert, '--tls-cert', PEM.certificate),
              key: await readPemFile(flags.tlsKey, '--tls-key', PEM.privateKey),
            }
          : undefined;

      const [{ exportTenant }, { startEmulator }, text] = await Promise.all([
        import('../../smtp/export-tenant.js'),
        import('../../smtp/emulator.js'),
        import('../../report/text.js'),
      ]);
      const now = new Date();
      const { snapshot, profile, gateway, zone } = await exportTenant(exportPath, {
        profilePath: flags.profile,
        offline: flags.offline,
        dnsServers: flags.dnsServer ? dnsServers(flags.dnsServer) : undefined,
        afterPlan: flags.afterPlan,
        now,
        log: diag,
      });

      const logFile = flags.log
        ? await openOutputLog(flags.log, {
            force: flags.force === true,
            inputs: await inputsOf(exportPath, flags.profile, { profiles: true }),
          })
        : undefined;
      let logStream = logFile?.createWriteStream({ encoding: 'utf8' });
      // A log that cannot be written (disk full, file system gone) must not end the emulator: stderr takes over.
      logStream?.on('error', (err) => {
        diag(
          `--log ${flags.log}: cannot write (${err.message}); the decision log goes to stderr from now on`,
        );
        logStream = undefined;
      });
      const write = (line: string) => (logStream ? logStream.write(line) : process.stderr.write(line));

      let emulator;
      try {
        emulator = await startEmulator({
          snapshot,
          profile,
          gateway,
          zone,
          now,
          host: flags.host,
          port,
          tls,
          clientIp: flags.as,
          trustXclient: flags.trustXclient === true,
          uncertain: flags.uncertain,
          ...(maxConnections !== undefined ? { limits: { maxConnections } } : {}),
          log: (entry) => write(text.stringifyJsonLine(entry)),
        });
      } catch (cause) {
        logStream?.end();
        const code = (cause as { code?: unknown }).code;
        throw new ConfigError(
          `cannot listen on ${flags.host}:${port} (${code === 'EADDRINUSE' ? 'the port is in use' : code === 'EACCES' ? 'permission denied: ports below 1024 need privileges' : (cause as Error).message})`,
          undefined,
          undefined,
          undefined,
          { cause },
        );
      }
      process.stdout.write(
        `mxlock emulate: listening on ${emulator.address} (${flags.afterPlan ? 'after the plan' : 'as exported'}); accepted mail is discarded; Ctrl-C to stop\n`,
      );
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      diag('stopping: open sessions get a few seconds to finish');
      await emulator.close();
      const last = logStream;
      if (last) await new Promise<void>((resolve) => last.end(resolve));
      process.exitCode = 0;
    });
}
