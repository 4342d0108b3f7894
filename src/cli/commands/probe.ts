/** `mxlock probe <domain>`: the attack paths tried live against the tenant's Exchange Online endpoint (issue 11 item 1). */
import { PEM, readPemFile } from '../pem.js';
import type { Command } from 'commander';
import { ConfigError } from '../../errors.js';
import { dnsServers, positiveInt, withReportOutput } from '../flags.js';
import { diag, outputStyle } from '../output.js';
import { inputsOf, writeOutputFile } from '../write-output.js';

interface ProbeFlags {
  host?: string;
  port?: string;
  tenant?: string;
  export?: string;
  profile?: string;
  offline?: boolean;
  afterPlan?: boolean;
  rcpt?: string;
  send?: string;
  transcript?: string;
  timeout: string;
  dnsServer?: string[];
  ehlo?: string;
  insecureTls?: boolean;
  caFile?: string;
  format: 'terminal' | 'json';
  out?: string;
  force?: boolean;
  color?: boolean;
}

export function registerProbe(program: Command): void {
  withReportOutput(
    program
      .command('probe')
      .argument(
        '<domain>',
        'an accepted domain of the tenant (the attempts spoof it and address a user of it)',
      )
      .summary('try the attack paths live against the Exchange Online endpoint (stops before DATA)')
      .description(
        "Connect to the tenant's Exchange Online endpoint and try each attack path over SMTP (EHLO, STARTTLS, MAIL, " +
          'RCPT, then RSET/QUIT: no message is sent unless --send), classify each reply, and with --export compare it ' +
          "with the simulator's prediction for the same configuration. The endpoint is the domain's MX when it is " +
          "Exchange Online's, else the MX of the tenant's *.onmicrosoft.com domain (--tenant, or the export's).",
      )
      .option('--host <host>', 'connect to this host or IP instead of the MX')
      .option('--port <n>', 'TCP port', '25')
      .option('--tenant <name>', "the tenant's initial domain, <name>.onmicrosoft.com")
      .option('--export <dir>', 'compare each reply with the prediction for this export')
      .option('-p, --profile <file>', 'mxlock.yaml; default <export>/mxlock.yaml')
      .option('--offline', "with --export: use only the export's dns.json for the prediction")
      .option('--after-plan', 'with --export: predict the tenant after the plan (mxlock plan)')
      .option('--rcpt <address>', 'the recipient of the attempts, a real mailbox at <domain>')
      .option(
        '--send <address>',
        'send ONE marked test message to this mailbox at <domain> (on the first accepted path)',
      )
      .option('--transcript <file>', 'write the SMTP transcript of every attempt to a file')
      .option('--timeout <ms>', 'deadline of the connection, the TLS handshake and each reply', '20000')
      .option('--dns-server <server...>', 'DNS servers to ask (ip or ip:port); default: the system resolver')
      .option('--ehlo <name>', 'EHLO name; default the address literal of this machine')
      .option(
        '--insecure-tls',
        "accept any server certificate (a lab server only; Exchange Online's is valid)",
      )
      .option('--ca-file <pem>', "trust this CA for the server's certificate (a lab server)"),
    'overwrite the --out or --transcript file when it exists',
  )
    .addHelpText(
      'after',
      `
Examples:
  $ mxlock probe contoso.com --rcpt alice@contoso.com
  $ mxlock probe contoso.com --export ./export --rcpt alice@contoso.com --transcript probe.txt
  $ mxlock probe contoso.com --tenant contoso.onmicrosoft.com --format json

Outbound port 25 is blocked on most home networks and cloud hosts: run the probe from a host allowed to use it.
Exit codes: 0 every counted path closed (or mitigated, per --export); 1 a path open or undecided, or the endpoint
disagrees with the configuration; 2 usage or input error.`,
    )
    .action(async (domain: string, flags: ProbeFlags) => {
      const [{ runProbe, configurationOfExport }, { liveResolver }, render] = await Promise.all([
        import('../../smtp/probe.js'),
        import('../../dns/live.js'),
        import('../../report/probe.js'),
      ]);
      const timeoutMs = positiveInt(flags.timeout, '--timeout');
      const port = positiveInt(flags.port ?? '25', '--port');
      const servers = flags.dnsServer ? dnsServers(flags.dnsServer) : undefined;
      if (!flags.export && (flags.profile || flags.offline || flags.afterPlan))
        throw new ConfigError('--profile, --offline and --after-plan need --export');
      if (flags.transcript && flags.out && flags.transcript === flags.out)
        throw new ConfigError('--transcript and --out name the same file: choose two');
      if (flags.insecureTls && flags.caFile)
        throw new ConfigError('--insecure-tls and --ca-file: give one (--ca-file checks the certificate)');
      const ca = flags.caFile ? await readPemFile(flags.caFile, '--ca-file', PEM.certificate) : undefined;
      const configuration = flags.export
        ? await configurationOfExport(flags.export, {
            profilePath: flags.profile,
            offline: flags.offline,
            dnsServers: servers,
            afterPlan: flags.afterPlan,
            log: diag,
          })
        : undefined;
      const report = await runProbe({
        domain,
        host: flags.host,
        port,
        tenant: flags.tenant,
        rcpt: flags.rcpt,
        send: flags.send,
        timeoutMs,
        ehlo: flags.ehlo,
        tls: { insecure: flags.insecureTls === true, ca },
        resolve: liveResolver(servers && servers.length > 0 ? { servers } : {}),
        configuration,
        log: diag,
      });
      const inputs = new Set<string>();
      for (const p of [flags.export, flags.profile, flags.caFile])
        if (p) for (const r of await inputsOf(p)) inputs.add(r);
      const guard = { force: flags.force === true, inputs };
      if (flags.transcript)
        await writeOutputFile(flags.transcript, render.renderProbeTranscript(report), guard);
      const text =
        flags.format === 'json'
          ? render.renderProbeJson(report)
          : render.renderProbeTerminal(report, outputStyle(flags));
      if (flags.out) await writeOutputFile(flags.out, text, guard);
      else process.stdout.write(text);
      process.exitCode = render.probeExitCode(report);
    });
}
