/** Flag values shared by the commands, checked at the CLI edge: a bad value is a usage error (exit 2) naming the flag. */
import { Option, type Command } from 'commander';
import { isValidIp } from '../common/ip.js';
import { inlineSafe } from '../common/text.js';
import { ConfigError } from '../errors.js';

/** Upper bounds of the numeric flags: a minute per query, ten tries, 1,024 lookups in flight, a TCP port. */
const MAX: Record<string, number> = {
  '--timeout': 60_000,
  '--tries': 10,
  '--concurrency': 1024,
  '--port': 65_535,
  '--parallel': 64,
};

export function positiveInt(value: string, flag: string): number {
  const max = MAX[flag] ?? Number.MAX_SAFE_INTEGER;
  if (!/^\d{1,9}$/.test(value) || Number(value) < 1 || Number(value) > max)
    throw new ConfigError(`${flag} expects a whole number from 1 to ${max}, got "${inlineSafe(value)}"`);
  return Number(value);
}

/** `--dns-server` values: an IPv4 or IPv6 address, with an optional port (`1.1.1.1:53`, `[2606:4700::1111]:53`). */
export function dnsServers(values: readonly string[]): string[] {
  const out: string[] = [];
  for (const v of values
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(v) ?? /^([^:]+)(?::(\d{1,5}))?$/.exec(v);
    const host = m ? m[1]! : v;
    const port = m?.[2];
    if (!isValidIp(host) || (port !== undefined && (Number(port) < 1 || Number(port) > 65535)))
      throw new ConfigError(
        `--dns-server: "${inlineSafe(v)}" is not an IP address with an optional port (1.1.1.1, 1.1.1.1:53, [2606:4700::1111]:53)`,
      );
    out.push(v);
  }
  return out;
}

/**
 * The output options the report commands share, in the order --help lists them: --format (terminal or json), --out,
 * --force (`force` says what it overwrites and never does), --no-color. Declared once, so the commands cannot drift.
 */
export function withReportOutput(command: Command, force: string): Command {
  return command
    .addOption(
      new Option('--format <format>', 'output format').choices(['terminal', 'json']).default('terminal'),
    )
    .option('-o, --out <file>', 'write to a file instead of stdout')
    .option('--force', force)
    .option('--no-color', 'no colour (also NO_COLOR=1)');
}
