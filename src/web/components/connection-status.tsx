import { useLivenessStatus } from '../live/use-live.ts';
import type { Liveness } from '../live/liveness.ts';

const look: Record<Liveness, { label: string; dot: string }> = {
  live: { label: 'Live', dot: 'bg-ok' },
  connecting: { label: 'Connecting…', dot: 'bg-unknown animate-pulse' },
  reconnecting: { label: 'Reconnecting', dot: 'bg-warn animate-pulse' },
  refused: { label: 'Signed out', dot: 'bg-bad' },
};

/** The state of the dashboard's own socket to the hub, in words and colour. */
export function ConnectionStatus() {
  const status = useLivenessStatus();
  const { label, dot } = look[status];
  return (
    <span className="inline-flex items-center gap-2 text-sm" data-testid="connection-status" data-status={status} title="Connection to the hub">
      <span className={`inline-block h-2.5 w-2.5 rounded-full ${dot}`} aria-hidden="true" />
      <span>{label}</span>
    </span>
  );
}
