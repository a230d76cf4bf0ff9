/**
 * `pulse/probe`: the in-process probe for a Node `ws` gateway (attach-probe.ts). The package's
 * `exports` map points here, so a gateway writes `import { attachProbe } from 'pulse/probe'`.
 */
export { attachProbe } from './attach-probe.ts';
export type { AttachProbeOptions, AttachedProbe, FrameShapes, Identity, PosFrame, ProbeStats, Refusal } from './attach-probe.ts';
