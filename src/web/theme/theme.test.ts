import { describe, expect, it } from 'vitest';
import { initialTheme } from './theme.ts';

describe('theme', () => {
  it('a remembered choice wins over the system preference', () => {
    expect(initialTheme('light', true)).toEqual({ theme: 'light', chosen: true });
    expect(initialTheme('dark', false)).toEqual({ theme: 'dark', chosen: true });
  });
  it('without one, follows prefers-color-scheme', () => {
    expect(initialTheme(null, true)).toEqual({ theme: 'dark', chosen: false });
    expect(initialTheme('purple', false)).toEqual({ theme: 'light', chosen: false });
  });
});
