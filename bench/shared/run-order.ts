/**
 * The order of a bench's repeated runs (their figures fold into medians, see stats.ts). Why repeat at all:
 * on a shared 2-core machine a process's CPU moves by ±10 % between two runs a minute apart, as
 * much as what a bench compares (probe on/off, proxy/direct); medians over alternating pairs
 * (on, off, off, on, …) cancel the drift.
 */
import type { ProbeMode } from './bench-ipc.ts';

/** The probe modes of each repetition: pairs alternate their order so neither mode always goes first. */
export function runOrder(probe: ProbeMode | 'both', repeat: number): ProbeMode[] {
  const order: ProbeMode[] = [];
  for (let i = 0; i < repeat; i++) {
    if (probe !== 'both') order.push(probe);
    else order.push(...(i % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const)));
  }
  return order;
}
