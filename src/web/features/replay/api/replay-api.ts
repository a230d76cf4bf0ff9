/** The hub's replay endpoints (docs/api.md, "Replay"), decoded with their schemas of src/protocol/replay.ts. */
import { replayChangesAnswerSchema, replayFleetAnswerSchema, replayMarkersAnswerSchema, type ReplayChangesAnswer, type ReplayFleetAnswer, type ReplayMarkersAnswer } from '../../../../protocol/replay.ts';
import type { ApiClient } from '../../../lib/api-client.ts';

export interface ReplayApi {
  fleetAt(t: number, signal?: AbortSignal): Promise<ReplayFleetAnswer>;
  changes(from: number, to: number, step: number, signal?: AbortSignal): Promise<ReplayChangesAnswer>;
  markers(from: number, to: number, signal?: AbortSignal): Promise<ReplayMarkersAnswer>;
}

export function replayApi(api: ApiClient): ReplayApi {
  return {
    fleetAt: (t, signal) => api.get(`/api/replay/fleet?t=${t}`, replayFleetAnswerSchema, signal),
    changes: (from, to, step, signal) => api.get(`/api/replay/changes?from=${from}&to=${to}&step=${step}`, replayChangesAnswerSchema, signal),
    markers: (from, to, signal) => api.get(`/api/replay/markers?from=${from}&to=${to}`, replayMarkersAnswerSchema, signal),
  };
}
