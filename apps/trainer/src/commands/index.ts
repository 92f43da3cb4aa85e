/**
 * Every CLI command, one file each in this folder, exporting `register(program)`.
 * To add a command: ONE import line and ONE call below.
 */
import type { Command } from 'commander';

export function registerCommands(program: Command): void {
  void program;
}
