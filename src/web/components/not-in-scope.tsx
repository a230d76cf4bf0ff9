import type { ReactNode } from 'react';
import { Link } from 'react-router';

/**
 * Shown instead of any data: the same words whether the thing is someone else's or unknown, so the
 * page never tells which ids exist. `children` says what is not in scope ("Terminal t-1").
 */
export function NotInScope({ children }: { children: ReactNode }) {
  return (
    <div className="mx-auto mt-16 max-w-lg" data-testid="not-in-scope">
      <h1 className="text-2xl font-semibold">Not in your scope</h1>
      <p className="mt-3 text-muted">{children}</p>
      <p className="mt-4">
        <Link to="/" className="text-accent underline">
          Back to your fleet
        </Link>
      </p>
    </div>
  );
}

/** The id as text: long ids break anywhere rather than widen the page. */
export function ScopeId({ id }: { id: string }) {
  return <span className="break-all font-medium text-fg">{id}</span>;
}
