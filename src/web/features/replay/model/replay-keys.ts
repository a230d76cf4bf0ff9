/**
 * The replay's keyboard shortcuts (docs/dashboard.md, "Replay"), as data: a key press names an
 * action, the shell applies it to the cursor. Typing in a text field is never taken for one.
 */
import { replaySpeeds, type ReplaySpeed } from './replay-cursor.ts';

export type ReplayAction =
  | { type: 'toggle' }
  | { type: 'step'; ms: number }
  | { type: 'speed'; speed: ReplaySpeed }
  | { type: 'faster' }
  | { type: 'slower' }
  | { type: 'marker'; direction: 1 | -1 }
  | { type: 'edge'; end: 'from' | 'to' };

export const replayShortcuts: readonly { keys: string; does: string }[] = [
  { keys: 'Space or K', does: 'play / pause' },
  { keys: '← / →', does: 'step back / forward 1 s' },
  { keys: 'Shift + ← / →', does: 'step back / forward 1 min' },
  { keys: '1 2 3 4', does: 'speed 1×, 10×, 60×, 600×' },
  { keys: '< / >', does: 'slower / faster' },
  { keys: 'P / N', does: 'previous / next marker' },
  { keys: 'Home / End', does: 'start / end of the window' },
];

export function replayActionOf(e: { key: string; shiftKey: boolean; ctrlKey: boolean; metaKey: boolean; altKey: boolean }): ReplayAction | null {
  if (e.ctrlKey || e.metaKey || e.altKey) return null;
  switch (e.key) {
    case ' ':
    case 'k':
    case 'K':
      return { type: 'toggle' };
    case 'ArrowLeft':
      return { type: 'step', ms: e.shiftKey ? -60_000 : -1_000 };
    case 'ArrowRight':
      return { type: 'step', ms: e.shiftKey ? 60_000 : 1_000 };
    case '1':
    case '2':
    case '3':
    case '4':
      return { type: 'speed', speed: replaySpeeds[Number(e.key) - 1] as ReplaySpeed };
    case '<':
      return { type: 'slower' };
    case '>':
      return { type: 'faster' };
    case 'n':
    case 'N':
      return { type: 'marker', direction: 1 };
    case 'p':
    case 'P':
      return { type: 'marker', direction: -1 };
    case 'Home':
      return { type: 'edge', end: 'from' };
    case 'End':
      return { type: 'edge', end: 'to' };
    default:
      return null;
  }
}

/** Whether a key press belongs to the element it was typed in (a text field, a select). */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  return target instanceof HTMLInputElement && target.type !== 'range' && target.type !== 'button' && target.type !== 'checkbox';
}

/** The marker after (or before) `at`, by instant; null past the last (first). */
export function adjacentMarker(times: readonly number[], at: number, direction: 1 | -1): number | null {
  const sorted = [...times].sort((a, b) => a - b);
  if (direction === 1) return sorted.find((t) => t > at) ?? null;
  return sorted.reverse().find((t) => t < at - 500) ?? null;
}
