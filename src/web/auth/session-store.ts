/**
 * The tab's sign-in state. One vanilla store, so the live socket (a 4001 close) and the API client
 * (a 401) can both say "refused" without knowing React; the app shell reads it through `useStore`.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import { tokenProblem, type TokenProblem } from './token.ts';

export interface SessionState {
  token: string | null;
  problem: TokenProblem | null;
}

export type SessionStore = StoreApi<SessionState>;

export function createSessionStore(token: string | null, nowMs: number): SessionStore {
  return createStore<SessionState>(() => ({ token, problem: tokenProblem(token, nowMs) }));
}

/** The hub refused the token (stream closed 4001, or an API call answered 401). */
export function markRefused(store: SessionStore, nowMs: number): void {
  const { token, problem } = store.getState();
  if (problem) return;
  // A token that expired while the page was open is worded as expired, not as refused.
  store.setState({ problem: tokenProblem(token, nowMs) ?? 'refused' });
}
