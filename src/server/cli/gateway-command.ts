/** Placeholder: `pulse gateway` is being built. */
import type { Command } from 'commander';

export function registerGatewayCommand(_program: Command): void {}
