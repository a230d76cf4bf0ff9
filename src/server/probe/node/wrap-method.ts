/**
 * Watching calls to a method of one object without changing them: the wrapper calls the original
 * with the same `this` and arguments and returns (or throws) exactly what it does. The watcher runs
 * after a call that returned, is told what the call saw before it ran, and can never throw into the
 * caller: an observer's bug is counted by its owner, not felt by the gateway.
 *
 * The wrapper is an own property of the instance, so other sockets, and `ws`'s prototype, are left
 * alone. `unwrap` restores the method only if the wrapper is still in place: a gateway (or another
 * tool) that wrapped it again after us keeps its wrapper.
 */

type Method = (...args: never[]) => unknown;

export function wrapMethod<T extends object, K extends keyof T>(
  target: T,
  name: K,
  watch: { before?: (args: unknown[]) => unknown; after: (args: unknown[], before: unknown) => void; failed: (error: unknown) => void },
): () => void {
  const hadOwn = Object.prototype.hasOwnProperty.call(target, name);
  const original = target[name] as unknown as Method;
  if (typeof original !== 'function') return () => {};
  const wrapper = function (this: unknown, ...args: unknown[]): unknown {
    let seen: unknown;
    try {
      seen = watch.before?.(args);
    } catch (error) {
      watch.failed(error);
    }
    const result = (original as (...a: unknown[]) => unknown).apply(this, args);
    try {
      watch.after(args, seen);
    } catch (error) {
      watch.failed(error);
    }
    return result;
  };
  (target as Record<K, unknown>)[name] = wrapper;
  return () => {
    if ((target as Record<K, unknown>)[name] !== wrapper) return;
    if (hadOwn) (target as Record<K, unknown>)[name] = original;
    else delete (target as Record<K, unknown>)[name];
  };
}
