import { Link } from 'react-router';

/** Shown instead of any data: the same words whether the restaurant is someone else's or unknown. */
export function NotInScope({ what }: { what: string }) {
  return (
    <div className="mx-auto mt-16 max-w-lg" data-testid="not-in-scope">
      <h1 className="text-2xl font-semibold">Not in your scope</h1>
      <p className="mt-3 text-muted">
        <span className="break-all font-medium text-fg">{what}</span> is not among the restaurants your sign-in link covers, or does not exist.
      </p>
      <p className="mt-4">
        <Link to="/" className="text-accent underline">
          Back to your fleet
        </Link>
      </p>
    </div>
  );
}
