/** Placeholder: `pulse sim` is being built. */
import type { Command } from 'commander';

export function registerSimCommand(_program: Command): void {}
