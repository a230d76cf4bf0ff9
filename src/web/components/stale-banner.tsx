import { useLiveness, useLivenessStatus } from '../live/use-live.ts';
import { stalenessMessage } from '../live/liveness.ts';

/**
 * "Reconnecting — data N s old" whenever the figures are not live. Screen readers hear the state
 * once (role=status on a stable label), not a new announcement every second as the age counts up.
 */
export function StaleBanner() {
  // Live, there is nothing to say: the banner does not re-render with every tick's new age.
  return useLivenessStatus() === 'live' ? null : <StaleMessage />;
}

function StaleMessage() {
  const view = useLiveness();
  const message = stalenessMessage(view);
  if (message === null) return null;
  return (
    <div className="border-b border-warn/40 bg-warn/15 px-4 py-2 text-sm" data-testid="stale-banner" data-status={view.status}>
      <span role="status" className="sr-only">
        {view.status === 'reconnecting' ? 'Reconnecting: the figures shown are not live' : message}
      </span>
      <span aria-hidden="true">{message}</span>
    </div>
  );
}
