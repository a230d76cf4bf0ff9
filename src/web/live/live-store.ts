/**
 * The live store: a vanilla zustand store (no React in here) holding what the stream said and the
 * state of our own connection. Only `live-connection.ts` writes to it; components read it through
 * `useLive(selector)`.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { FailReason, SocketState } from '../../client/socket-types.ts';
import { emptyLiveData, type LiveData } from './live-data.ts';

export interface OwnConnection {
  readonly socket: SocketState;
  /** Why the socket gave up, when it did (a refused token, a refused origin). */
  readonly failure: FailReason | null;
  /** Our last measured ping → pong round trip to the hub. */
  readonly rttMs: number | null;
}

export interface LiveState extends LiveData {
  readonly connection: OwnConnection;
}

export type LiveStore = StoreApi<LiveState>;

export function createLiveStore(): LiveStore {
  return createStore<LiveState>(() => ({
    ...emptyLiveData(),
    connection: { socket: 'idle', failure: null, rttMs: null },
  }));
}
