/**
 * In a bench child: the answer to the orchestrator's messages, written once for every child (the
 * gateways, the proxy, the terminals). Each child says what its samples count beyond its own
 * process figures, and takes the other messages (`config`, `start`, `reset-rtt`) itself.
 */
import { collectGarbage, ownFigures, toParent } from './bench-ipc.ts';
import type { ProcessSample, ToChild } from './bench-ipc.ts';

type OwnFigures = ReturnType<typeof ownFigures>;

export interface ChildRole {
  /** What a sample carries beyond ownFigures(): the connections held, and what else this child counts. */
  figures(): Omit<ProcessSample, 'type' | 'id' | keyof OwnFigures>;
  /** The full GC a sample may ask for first; the proxy times it, to leave it out of its own pauses. */
  collect?(): void;
  /** Every other message. */
  onMessage?(message: Exclude<ToChild, { type: 'sample' } | { type: 'exit' }>): void;
}

export function serveParent(role: ChildRole): void {
  process.on('message', (message: ToChild) => {
    switch (message.type) {
      case 'sample':
        if (message.gc) (role.collect ?? collectGarbage)();
        toParent({ type: 'sample', id: message.id, ...ownFigures(), ...role.figures() });
        return;
      case 'exit':
        // process.exit lets --cpu-prof write its profile; closing thousands of sockets politely is
        // not measured, and dropping them at exit is enough for the other side.
        process.exit(0);
        return;
      default:
        role.onMessage?.(message);
    }
  });
  process.on('disconnect', () => process.exit(0));
}
