// Types of v8-flags.js (plain JavaScript so that bin/pulse.js can read it before tsx is registered).
export declare const semiSpaceMiB: number;
export declare const gatewayV8Flags: readonly string[];
export declare const commandsWithGatewayFlags: readonly string[];
export declare const relaunchedMarker: string;
export declare function relaunchArgs(argv: readonly string[], execArgv: readonly string[], env: Readonly<Record<string, string | undefined>>): string[] | null;
