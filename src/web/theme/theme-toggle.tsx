import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import { chooseTheme, type ThemeStore } from './theme.ts';

export const ThemeContext = createContext<ThemeStore | null>(null);

/** One button; its label names the theme it switches to, and aria-pressed says which is on. */
export function ThemeToggle() {
  const store = useContext(ThemeContext);
  if (!store) throw new Error('ThemeToggle outside <Providers>');
  const theme = useStore(store, (s) => s.theme);
  const next = theme === 'dark' ? 'light' : 'dark';
  return (
    <button
      type="button"
      className="rounded-md border border-line px-2.5 py-1 text-sm text-muted hover:text-fg"
      aria-pressed={theme === 'dark'}
      aria-label="Dark theme"
      title={`Switch to the ${next} theme`}
      data-testid="theme-toggle"
      onClick={() => chooseTheme(store, next, safeLocalStorage())}
    >
      {theme === 'dark' ? '☾ Dark' : '☀ Light'}
    </button>
  );
}

function safeLocalStorage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}
