/**
 * Entry: take the sign-in token out of the address bar before anything else runs (so it is never
 * in a Referer, a bookmark or a screenshot of the URL), set the theme before the first paint, render.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/app.tsx';
import { createSessionStore } from './auth/session-store.ts';
import { claimToken, tokenFromHash } from './auth/token.ts';
import { browserClock } from './lib/clock.ts';
import { createThemeStore } from './theme/theme.ts';
import './index.css';

function storage(kind: 'sessionStorage' | 'localStorage'): Storage | null {
  try {
    return window[kind];
  } catch {
    return null;
  }
}

const memory = new Map<string, string>();
const tabStorage = storage('sessionStorage') ?? { getItem: (k: string) => memory.get(k) ?? null, setItem: (k: string, v: string) => void memory.set(k, v) };

const token = claimToken({
  hash: window.location.hash,
  storage: tabStorage,
  replaceHash: (hash) => window.history.replaceState(window.history.state, '', `${window.location.pathname}${window.location.search}${hash}`),
});

// A new link pasted into this tab changes only the fragment (no load): start afresh with it.
window.addEventListener('hashchange', () => {
  if (tokenFromHash(window.location.hash)) window.location.reload();
});

const theme = createThemeStore({
  storage: storage('localStorage'),
  media: typeof window.matchMedia === 'function' ? window.matchMedia('(prefers-color-scheme: dark)') : null,
  root: document.documentElement,
});

const root = document.getElementById('root');
if (!root) throw new Error('index.html lacks #root');
createRoot(root).render(
  <StrictMode>
    <App session={createSessionStore(token, browserClock.now())} theme={theme} />
  </StrictMode>,
);
