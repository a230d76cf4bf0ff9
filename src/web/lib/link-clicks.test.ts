import { describe, expect, it } from 'vitest';
import { isPlainClick } from './link-clicks.ts';

describe('link clicks', () => {
  const click = { button: 0, metaKey: false, altKey: false, ctrlKey: false, shiftKey: false, defaultPrevented: false };

  it('routes a plain left click (and Enter on a link, which clicks with button 0)', () => {
    expect(isPlainClick(click)).toBe(true);
  });

  it('leaves the browser its meaning for modified, middle and already handled clicks', () => {
    for (const over of [{ metaKey: true }, { ctrlKey: true }, { shiftKey: true }, { altKey: true }, { button: 1 }, { defaultPrevented: true }]) {
      expect(isPlainClick({ ...click, ...over })).toBe(false);
    }
  });
});
