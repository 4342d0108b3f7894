/** `mxlock dns <domain…>`: SPF, DMARC, DKIM and MX analysis for any domains, live or from recorded answers. */
import { readInputFile } from '../../snapshot/read.js';
import { decodeText } from '../../snapshot/decode.js';
import { inputsOf, writeOutputFile } from '../write-output.js';
import { Option, type Command } from 'commander';
import { diag, outputStyle } from '../output.js';
import { ConfigError, InputError } from '../../errors.js';
import { IpSet, sampleAddress } from '../../common/ip.js';
import { boundedList, inlineSafe } from '../../common/text.js';
import { dnsServers, positiveInt } from '../flags.js';

interface DnsFlags {
  file?: string;
  dnsServer?: string[];
  timeout: string;
  tries: string;
  concurrency: string;
  record?: string;
  zone?: string;
  gatewayIp?: string[];
  format: 'terminal' | 'json';
  out?: string;
  color?: boolean;
  force?: boolean;
}

/** Bad values named in one message; the rest are counted. */
const MAX_LISTED = 20;

const DOMAIN = /^(?=.{1,253}$)([a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/i;

/** The files `dns` reads (--file, --zone): never written over by --out or --record. */
async function readInputs(flags: DnsFlags): Promise<Set<string>> {
  const out = new Set<string>();
  for (const p of [flags.file, flags.zone]) if (p) for (const r of await inputsOf(p)) out.add(r);
  return out;
}

async function domainList(args: string[], file: string | undefined): Promise<string[]> {
  const list = [...args];
  if (file) {
    const bytes = await readInputFile(file, { role: 'input', what: 'the domain list' });
    const text = decodeText(bytes, file).text;
    text.split(/\r?\n/).forEach((line, i) => {
      const d = line.replace(/#.*/, '').trim();
      if (d === '') return;
      if (!DOMAIN.test(d.replace(/\.$/, '')))
        throw new InputError(`${file}:${i + 1}: "${inlineSafe(d)}" is not a domain name`, file);
      list.push(d);
    });
  }
  // A trailing dot (the fully qualified form) is accepted.
  for (const d of args)
    if (!DOMAIN.test(d.replace(/\.$/, ''))) throw new ConfigError(`"${inlineSafe(d)}" is not a domain name`);
  const unique = [...new Set(list.map((d) => d.toLowerCase().replace(/\.$/, '')))];
  if (unique.length === 0)
    throw new ConfigError('give at least one domain, or --file with one domain per line');
  return unique;
}

export function registerDns(program: Command): void {
  program
    .command('dns')
    .argument('[domains...]', 'domains to analyse')
    .summary('SPF, DKIM, DMARC and MX analysis for any domains')
    .description(
      'Analyse the mail-authentication DNS of any domains: the whole SPF include tree (lookup and void-lookup ' +
        'limits, loops, the final all, gateway IPs), DMARC (DMARCbis discovery, policy, report destinations and their ' +
        'authorisation), MX (gateway, mixed EOP/gateway sets). Live DNS by default; --zone replays recorded answers.',
    )
    .option('-f, --file <list>', 'read domains from a file, one per line (# starts a comment)')
    .option('--dns-server <server...>', 'DNS servers to ask (ip or ip:port); default: the system resolver')
    .option('--timeout <ms>', 'per-query timeout in milliseconds', '2000')
    .option('--tries <n>', 'attempts per query', '2')
    .option('--concurrency <n>', 'domains analysed at once', '32')
    .option(
      '--record <zone.json>',
      'write every answer seen to a dns.json file, for offline re-runs (--zone)',
    )
    .option('--zone <dns.json>', 'use recorded answers only (offline); absent names are NXDOMAIN')
    .option('--gateway-ip <ip...>', "the gateway's egress IPs: SPF must authorise them")
    .addOption(
      new Option('--format <format>', 'report format').choices(['terminal', 'json']).default('terminal'),
    )
    .option('-o, --out <file>', 'write the report to a file instead of stdout')
    .option('--force', 'overwrite an existing --out or --record file')
    .option('--no-color', 'no colour (also NO_COLOR=1)')
    .addHelpText(
      'after',
      `
Examples:
  $ mxlock dns contoso.com fabrikam.com
  $ mxlock dns --file customers.txt --concurrency 64 --format json --out dns.json
  $ mxlock dns contoso.com --dns-server 1.1.1.1 --record contoso-dns.json   # then: --zone contoso-dns.json
  $ mxlock dns contoso.com --gateway-ip 203.0.113.10 203.0.113.11

Split-horizon DNS: ask a public resolver (--dns-server) so internal views do not hide what receivers see.
Exit codes: 0 nothing failed; 1 a domain has a failing verdict; 2 usage or input error.`,
    )
    .action(async (args: string[], flags: DnsFlags) => {
      const domains = await domainList(args, flags.file);
      const gatewayIps = new IpSet(flags.gatewayIp ?? []);
      if (gatewayIps.invalid.length > 0)
        throw new ConfigError(
          `--gateway-ip: not an IP address or range: ${boundedList(gatewayIps.invalid, MAX_LISTED)}`,
        );
      // check_host() takes one address: a range is represented by its first host.
      const spfIps = (flags.gatewayIp ?? []).map(sampleAddress).filter((x): x is string => x !== undefined);
      const concurrency = positiveInt(flags.concurrency, '--concurrency');
      const [{ analyseDomains }, { recordingResolver, recordedResolver }, { liveResolver }, report] =
        await Promise.all([
          import('../../dns/analyse.js'),
          import('../../dns/resolver.js'),
          import('../../dns/live.js'),
          import('../../report/dns.js'),
        ]);
      let resolve;
      let source: string;
      if (flags.zone) {
        if (flags.record)
          throw new ConfigError('--record and --zone do not go together: --zone never touches the network');
        const zoneBytes = await readInputFile(flags.zone, { role: 'input', what: 'the recorded answers' });
        const text = decodeText(zoneBytes, flags.zone).text;
        // The reader of the export's dns.json: one parser and schema, errors naming the file and the field, keys
        // given twice reported and never decided by their order.
        const { parseDns, parseJsonInput } = await import('../../snapshot/build.js');
        const checked = parseJsonInput(text, flags.zone, []);
        const warnings: string[] = [];
        resolve = recordedResolver(
          parseDns(checked.value, flags.zone, checked.ambiguous, (w) => warnings.push(w)),
        );
        for (const w of [...checked.warnings(), ...warnings]) diag(`warning: ${w}`);
        source = `recorded answers in ${flags.zone}`;
      } else {
        resolve = liveResolver({
          ...(flags.dnsServer ? { servers: dnsServers(flags.dnsServer) } : {}),
          timeoutMs: positiveInt(flags.timeout, '--timeout'),
          tries: positiveInt(flags.tries, '--tries'),
        });
        source = flags.dnsServer
          ? `live DNS via ${flags.dnsServer.join(', ')}`
          : 'live DNS (system resolver)';
      }
      const recorder = flags.record ? recordingResolver(resolve) : undefined;
      const progress = process.stderr.isTTY === true && domains.length > 1;
      const results = await analyseDomains(recorder?.resolve ?? resolve, domains, {
        concurrency,
        spfIps,
        onProgress: (done, total) => {
          if (progress) process.stderr.write(`\rmxlock: ${done}/${total} domains`);
        },
      });
      if (progress) process.stderr.write('\n');
      if (recorder && flags.record) {
        await writeOutputFile(flags.record, `${JSON.stringify(recorder.toJson(), null, 2)}\n`, {
          force: flags.force === true,
          inputs: await readInputs(flags),
        });
        diag(`recorded answers written to ${flags.record}`);
        for (const u of recorder.failures)
          diag(`warning: DNS failure, recorded as such (its answer is unknown): ${u}`);
      }
      const rep = report.buildDnsReport(source, results, {
        spf: {
          requiredIps: flags.gatewayIp ?? [],
          gatewayNetworks: (n) => gatewayIps.size > 0 && gatewayIps.covers(n),
        },
      });
      const text =
        flags.format === 'json'
          ? report.renderDnsJson(rep)
          : report.renderDnsTerminal(rep, outputStyle(flags));
      if (flags.out)
        await writeOutputFile(flags.out, text, {
          force: flags.force === true,
          inputs: await readInputs(flags),
        });
      else process.stdout.write(text);
      // Nothing could be judged (every domain unknown: DNS unreachable, every lookup failed): never a clean exit.
      const judged = rep.domains.some((d) => d.status !== 'unknown');
      if (!judged)
        diag(
          'no domain could be judged (every lookup failed or timed out): check --dns-server and the network, or use --zone',
        );
      process.exitCode = !judged || rep.domains.some((d) => d.status === 'fail') ? 1 : 0;
    });
}
