import type { Command } from 'commander';

/** `mxlock init <export>`: owned by the profile work; placeholder registration until it lands. */
export function registerInit(program: Command): void {
  program.command('init <export>').description('write mxlock.yaml for an export, inferring the gateway');
}
