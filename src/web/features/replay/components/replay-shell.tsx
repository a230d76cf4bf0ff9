/**
 * `/replay?from&to&at&speed`: the live views, unchanged, over a replay store (model/replay-source.ts)
 * instead of the live one, under a banner saying which instant they show. The route composes it
 * with the fleet page (app/router.tsx); the cursor, its controls, the markers and the keyboard are
 * here. The URL follows the cursor, at most once a second, so the address is always a deep link to
 * the instant on screen.
 */
import { useQuery } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useSearchParams } from 'react-router';
import { useStore } from 'zustand';
import { useApi } from '../../../lib/api-context.ts';
import { ClockContext, useClock, type WebClock } from '../../../lib/clock.ts';
import { LiveStoreContext, useLive } from '../../../live/use-live.ts';
import { replayApi } from '../api/replay-api.ts';
import { cursorAt, nextSpeed, positionOf, seek, settle, step, togglePlay, withSpeed, type ReplayCursor, type ReplaySpeed } from '../model/replay-cursor.ts';
import { adjacentMarker, isTypingTarget, replayActionOf, type ReplayAction } from '../model/replay-keys.ts';
import { readReplayParams, withReplayParams } from '../model/replay-params.ts';
import { createReplaySource, createReplayStore } from '../model/replay-source.ts';
import { ReplayBanner } from './replay-banner.tsx';
import { ReplayControls } from './replay-controls.tsx';
import { ReplayTimeline } from './replay-timeline.tsx';

/** How often a playing cursor is redrawn and the views brought to it. */
const frameMs = 100;
/** How often the address follows the cursor. */
const urlEveryMs = 1000;
/** Frames one second apart up to 60×; at 600× ten: sixty frames a second either way. */
const stepFor = (speed: ReplaySpeed): number => (speed >= 600 ? 10_000 : 1_000);

export function ReplayShell({ children }: { children: ReactNode }) {
  const clock = useClock();
  const api = useApi();
  const scope = useLive((s) => s.scope);
  const [params, setParams] = useSearchParams();
  const [initial] = useState(() => readReplayParams(params, clock.now()));
  const { from, to } = initial;
  const [cursor, setCursor] = useState<ReplayCursor>(() => cursorAt(initial, initial.at, initial.speed));
  const [now, setNow] = useState(() => clock.now());
  const at = positionOf(cursor, now);
  const replay = useMemo(() => replayApi(api), [api]);
  const [store] = useState(createReplayStore);
  const [source] = useState(() => createReplaySource({ api: replay, store, now: () => clock.now() }));
  useEffect(() => () => source.dispose(), [source]);
  useEffect(() => source.setScope(scope), [source, scope]);
  const error = useStore(store, (s) => s.lastError);

  // The views' own clock reads the instant replayed: "N s ago" and the charts' history end there.
  const atRef = useRef(at);
  atRef.current = at;
  const [viewClock] = useState<WebClock>(() => ({ now: () => atRef.current }));

  useEffect(() => {
    if (!cursor.playing) return;
    const timer = setInterval(() => {
      const t = clock.now();
      setNow(t);
      setCursor((c) => (positionOf(c, t) >= c.to ? settle(c, t) : c));
    }, frameMs);
    return () => clearInterval(timer);
  }, [cursor.playing, clock]);

  useEffect(() => {
    source.show(at, { aheadMs: cursor.playing ? cursor.speed * 5_000 : 0, stepMs: stepFor(cursor.speed), limit: to });
  }, [source, at, cursor.playing, cursor.speed, to]);

  // A refused or failed fetch stops playback: the views would otherwise stand still under a moving banner.
  useEffect(() => {
    if (error) setCursor((c) => (c.playing ? { ...c, at: positionOf(c, clock.now()), playing: false } : c));
  }, [error, clock]);

  const latest = useRef({ at, speed: cursor.speed });
  latest.current = { at, speed: cursor.speed };
  useEffect(() => {
    let written = '';
    const write = () => {
      const p = { from, to, at: latest.current.at, speed: latest.current.speed };
      const key = `${Math.floor(p.at)}/${p.speed}`;
      if (key === written) return;
      written = key;
      setParams((prev) => withReplayParams(prev, p), { replace: true });
    };
    write();
    const timer = setInterval(write, urlEveryMs);
    return () => clearInterval(timer);
  }, [from, to, setParams]);

  const markersQuery = useQuery({ queryKey: ['replay', 'markers', from, to], queryFn: ({ signal }) => replay.markers(from, to, signal), staleTime: Infinity });
  const markers = useMemo(() => markersQuery.data?.markers ?? [], [markersQuery.data]);

  const act = useCallback(
    (a: ReplayAction) => {
      const t = clock.now();
      setNow(t);
      setCursor((c) => {
        switch (a.type) {
          case 'toggle':
            return togglePlay(c, t);
          case 'step':
            return step(c, a.ms, t);
          case 'speed':
            return withSpeed(c, a.speed, t);
          case 'faster':
          case 'slower':
            return withSpeed(c, nextSpeed(c.speed, a.type === 'faster' ? 1 : -1), t);
          case 'marker': {
            const next = adjacentMarker(
              markers.map((m) => m.t),
              positionOf(c, t),
              a.direction,
            );
            return next === null ? c : seek(c, next, t);
          }
          case 'edge':
            return seek(c, a.end === 'from' ? c.from : c.to, t);
        }
      });
    },
    [clock, markers],
  );
  const onSeek = useCallback(
    (target: number) => {
      const t = clock.now();
      setNow(t);
      setCursor((c) => seek(c, target, t));
    },
    [clock],
  );

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (isTypingTarget(e.target)) return;
      const a = replayActionOf(e);
      if (a === null) return;
      // Space on a focused button would click it too; the arrows would move the scrub bar twice.
      e.preventDefault();
      act(a);
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [act]);

  return (
    <div className="space-y-4">
      <div className="-mx-4 -mt-4 bg-surface">
        <ReplayBanner at={at} speed={cursor.speed} playing={cursor.playing} date={new Date(at).toLocaleDateString()} />
        <div className="space-y-2 border-b border-line px-4 py-2">
          <ReplayControls playing={cursor.playing} speed={cursor.speed} onToggle={() => act({ type: 'toggle' })} onSpeed={(s) => act({ type: 'speed', speed: s })} onStep={(ms) => act({ type: 'step', ms })} />
          <ReplayTimeline from={from} to={to} at={at} markers={markers} onSeek={onSeek} />
          {error && (
            <p role="alert" className="text-sm text-bad" data-testid="replay-error" data-code={error.code}>
              {error.code}: {error.message}
            </p>
          )}
          {markersQuery.error && <p className="text-sm text-bad">Markers: {markersQuery.error.message}</p>}
        </div>
      </div>
      <ClockContext.Provider value={viewClock}>
        <LiveStoreContext.Provider value={store}>{children}</LiveStoreContext.Provider>
      </ClockContext.Provider>
    </div>
  );
}
