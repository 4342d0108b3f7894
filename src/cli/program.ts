/** The `mxlock` command line: thin commands over the library (STYLE.md habit 12). */
import { Command, CommanderError } from 'commander';
import { ConfigError, ConnectivityError, InputError, describeError } from '../errors.js';
import { VERSION } from '../version.js';
import { diag } from './output.js';
import { registerAssess } from './commands/assess.js';
import { registerInit } from './commands/init.js';
import { registerDns } from './commands/dns.js';
import { registerEmulate } from './commands/emulate.js';
import { registerPlan } from './commands/plan.js';
import { registerProbe } from './commands/probe.js';
import { registerSimulate } from './commands/simulate.js';
import { registerHeaders } from './commands/headers.js';
import { registerKql } from './commands/kql.js';
import { registerDiff } from './commands/diff.js';
import { registerDmarc } from './commands/dmarc.js';
import { registerEvents, registerTrace } from './commands/trace.js';
import { registerCollect } from './commands/collect.js';

export const EXIT_OK = 0;
export const EXIT_ERROR = 2;

function buildProgram(): Command {
  const program = new Command('mxlock')
    .description(
      'Find and close every path around your Secure Email Gateway into Microsoft 365. mxlock reads the JSON ' +
        'exports of your Exchange Online configuration, simulates what Exchange Online Protection does with each ' +
        'attack path, and tells you what to change.',
    )
    .version(VERSION, '-V, --version')
    .option('--debug', 'show stack traces for errors')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      `
Start with:
  $ mxlock init ./export                # writes ./export/mxlock.yaml (gateway inferred; TODOs for the rest)
  $ mxlock assess ./export --offline    # verdict, paths, findings by hardening step, final checklist

The export folder holds one JSON file per cmdlet (Get-OrganizationConfig.json, Get-InboundConnector.json, ...);
the README has the PowerShell that writes it. Run 'mxlock <command> --help' for each command.`,
    )
    .exitOverride();
  registerAssess(program);
  registerInit(program);
  registerCollect(program);
  registerSimulate(program);
  registerPlan(program);
  registerDns(program);
  registerHeaders(program);
  registerDmarc(program);
  registerEmulate(program);
  registerProbe(program);
  registerKql(program);
  registerDiff(program);
  registerTrace(program);
  registerEvents(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  const debug = argv.includes('--debug');
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT_OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (
        err.code === 'commander.helpDisplayed' ||
        err.code === 'commander.version' ||
        err.code === 'commander.help'
      )
        return EXIT_OK;
      return EXIT_ERROR;
    }
    if (err instanceof InputError || err instanceof ConfigError || err instanceof ConnectivityError) {
      diag(err.message);
    } else {
      diag(`unexpected error: ${describeError(err)}`);
    }
    if (debug && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
    return EXIT_ERROR;
  }
}
