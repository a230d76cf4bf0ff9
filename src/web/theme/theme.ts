/**
 * Light or dark: the viewer's explicit choice (kept in localStorage), else the system's
 * `prefers-color-scheme`, followed live until the viewer chooses.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';

export type Theme = 'light' | 'dark';
export const themeStorageKey = 'pulse.theme';

export interface ThemeState {
  theme: Theme;
  /** True once the viewer picked one: the system preference no longer applies. */
  chosen: boolean;
}

export function initialTheme(stored: string | null, prefersDark: boolean): ThemeState {
  if (stored === 'light' || stored === 'dark') return { theme: stored, chosen: true };
  return { theme: prefersDark ? 'dark' : 'light', chosen: false };
}

export type ThemeStore = StoreApi<ThemeState>;

export interface ThemeEnvironment {
  storage: Pick<Storage, 'getItem' | 'setItem'> | null;
  /** `matchMedia('(prefers-color-scheme: dark)')`, or null where unavailable. */
  media: Pick<MediaQueryList, 'matches' | 'addEventListener'> | null;
  root: HTMLElement;
}

export function createThemeStore(env: ThemeEnvironment): ThemeStore {
  let stored: string | null = null;
  try {
    stored = env.storage?.getItem(themeStorageKey) ?? null;
  } catch {
    // Storage disabled: fall back to the system preference.
  }
  const store = createStore<ThemeState>(() => initialTheme(stored, env.media?.matches ?? false));
  const apply = (theme: Theme): void => {
    env.root.classList.toggle('dark', theme === 'dark');
    env.root.dataset.theme = theme;
  };
  apply(store.getState().theme);
  store.subscribe((s) => apply(s.theme));
  env.media?.addEventListener('change', (e) => {
    if (!store.getState().chosen) store.setState({ theme: e.matches ? 'dark' : 'light' });
  });
  return store;
}

export function chooseTheme(store: ThemeStore, theme: Theme, storage: Pick<Storage, 'setItem'> | null): void {
  store.setState({ theme, chosen: true });
  try {
    storage?.setItem(themeStorageKey, theme);
  } catch {
    // Not remembered across tabs then; the choice still holds for this page.
  }
}
