import type { ReactNode } from 'react';
import { useLivenessStatus } from '../live/use-live.ts';

/**
 * Wraps figures that come from the stream: when they are not live they grey out and say so
 * (aria-busy plus a hidden note) rather than pretend to be current.
 */
export function LiveFigures({ children, className = '', label }: { children: ReactNode; className?: string; label?: string }) {
  const stale = useLivenessStatus() !== 'live';
  return (
    <section
      aria-label={label}
      aria-busy={stale}
      data-stale={stale}
      className={`${className} transition-opacity ${stale ? 'opacity-45 grayscale' : ''}`}
    >
      {stale && <span className="sr-only">These figures are not live.</span>}
      {children}
    </section>
  );
}
