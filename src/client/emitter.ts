/**
 * Typed listeners, zustand-style: `on` returns its own unsubscribe. A listener that throws must
 * not leave the socket half-way through a transition, so its error is rethrown on a microtask:
 * loud (an uncaught error, as it would have been) but after the socket's own work is done.
 */
type ListenerMap<Events> = { [E in keyof Events]: (...args: never[]) => unknown };

export interface Emitter<Events extends ListenerMap<Events>> {
  on<E extends keyof Events>(event: E, listener: Events[E]): () => void;
  emit<E extends keyof Events>(event: E, ...args: Parameters<Events[E]>): void;
  count(): number;
  clear(): void;
}

export function createEmitter<Events extends ListenerMap<Events>>(): Emitter<Events> {
  const listeners = new Map<keyof Events, Set<(...args: unknown[]) => unknown>>();
  return {
    on(event, listener) {
      const fn = listener as unknown as (...args: unknown[]) => unknown;
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(fn);
      return () => {
        listeners.get(event)?.delete(fn);
      };
    },
    emit(event, ...args) {
      const set = listeners.get(event);
      if (!set) return;
      // A copy: a listener may unsubscribe itself or others while we iterate.
      for (const fn of [...set]) {
        try {
          fn(...args);
        } catch (error) {
          queueMicrotask(() => {
            throw error;
          });
        }
      }
    },
    count() {
      let n = 0;
      for (const set of listeners.values()) n += set.size;
      return n;
    },
    clear() {
      listeners.clear();
    },
  };
}
