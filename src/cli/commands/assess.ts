import type { Command } from 'commander';

export function registerAssess(program: Command): void {
  program.command('assess <export>').description('audit a tenant export');
}
