import { Link, useLocation } from 'react-router';

export function NotFoundPage() {
  const { pathname } = useLocation();
  return (
    <div className="mx-auto mt-16 max-w-lg" data-testid="not-found">
      <h1 className="text-2xl font-semibold">Page not found</h1>
      <p className="mt-3 text-muted">
        Nothing lives at <code className="break-all">{pathname}</code>.
      </p>
      <p className="mt-4">
        <Link to="/" className="text-accent underline">
          Back to the fleet
        </Link>
      </p>
    </div>
  );
}
