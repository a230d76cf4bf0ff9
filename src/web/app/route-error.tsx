import { Link, isRouteErrorResponse, useRouteError } from 'react-router';

/** A page that failed to load (a chunk lost to a redeploy) or threw: say so, offer a way back. */
export function RouteError() {
  const error = useRouteError();
  const detail = isRouteErrorResponse(error) ? `${error.status} ${error.statusText}` : error instanceof Error ? error.message : 'Unknown error';
  return (
    <main id="main" className="mx-auto mt-16 max-w-lg px-4" role="alert">
      <h1 className="text-2xl font-semibold">This page could not be shown</h1>
      <p className="mt-3 break-words text-muted">{detail}</p>
      <p className="mt-4 flex gap-4">
        <button type="button" className="text-accent underline" onClick={() => window.location.reload()}>
          Reload
        </button>
        <Link to="/" className="text-accent underline">
          Back to the fleet
        </Link>
      </p>
    </main>
  );
}
