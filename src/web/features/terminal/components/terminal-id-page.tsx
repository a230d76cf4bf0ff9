import { useQuery } from '@tanstack/react-query';
import { Link, Navigate, useLocation, useParams } from 'react-router';
import { eventsPageAnswerSchema } from '../../../../protocol/api.ts';
import { NotInScope, ScopeId } from '../../../components/not-in-scope.tsx';
import { ApiError, isNotInScope } from '../../../lib/api-client.ts';
import { useApi } from '../../../lib/api-context.ts';
import { useClock } from '../../../lib/clock.ts';
import { terminalPath } from '../../../lib/terminal-links.ts';

/**
 * `/terminals/:tid`, the old address of a terminal's page. A terminal is (rid, tid) — tills are
 * named per restaurant (issue 18, item 3) — so the id alone is resolved by the hub in the viewer's
 * scope: one restaurant's, and the page moves to `/restaurants/:rid/terminals/:tid` (window kept);
 * several, and it lists them (TERMINAL_AMBIGUOUS names only restaurants the viewer may see).
 */
export function TerminalIdPage() {
  const tid = useParams().tid ?? '';
  const { search } = useLocation();
  const api = useApi();
  const clock = useClock();
  const query = useQuery({
    queryKey: ['terminal-id', tid],
    // The smallest read that resolves the id: one event of the last minute, or none.
    queryFn: ({ signal }) => {
      const now = Math.floor(clock.now());
      return api.get(`/api/terminals/${encodeURIComponent(tid)}/events?from=${now - 60_000}&to=${now + 1}&limit=1`, eventsPageAnswerSchema, signal);
    },
    staleTime: 60_000,
  });

  if (query.data) return <Navigate replace to={terminalPath(query.data.rid, tid, search)} />;
  const error = query.error;
  if (error instanceof ApiError && error.code === 'TERMINAL_AMBIGUOUS') {
    return (
      <div className="mx-auto mt-16 max-w-lg space-y-3" data-testid="terminal-ambiguous">
        <h1 className="break-all text-2xl font-semibold">Terminal {tid} is in more than one restaurant</h1>
        <p className="text-muted">Terminal ids are per restaurant. Pick the restaurant:</p>
        <ul className="list-disc pl-6">
          {error.restaurants.map((rid) => (
            <li key={rid}>
              <Link to={terminalPath(rid, tid, search)} className="break-all text-accent hover:underline">
                {rid} / {tid}
              </Link>
            </li>
          ))}
        </ul>
      </div>
    );
  }
  if (isNotInScope(error)) {
    return (
      <NotInScope>
        Terminal <ScopeId id={tid} /> is not in the restaurants your sign-in covers, or is unknown.
      </NotInScope>
    );
  }
  if (error) return <p className="text-sm text-bad">The terminal could not be found: {error.message}</p>;
  return <p className="text-muted">Finding terminal {tid}…</p>;
}
