/**
 * Waits for SIGINT or SIGTERM and holds the process open until `release()`: the pipeline's timers
 * are unref'd and a gateway with no terminal holds no socket, so without this a shutdown half done
 * could end with the process (and the store's clean marker unwritten). A second signal exits at
 * once with 130: "stop now" must always work, even if a shutdown step hangs.
 */
export interface SignalWait {
  readonly signal: Promise<NodeJS.Signals>;
  /** Lets the process end once nothing else holds it (call after shutdown finished). */
  release(): void;
}

export function waitForSignal(onSecond?: (signal: NodeJS.Signals) => void): SignalWait {
  const keepAlive = setInterval(() => {}, 1 << 30);
  const signal = new Promise<NodeJS.Signals>((resolve) => {
    const first = (received: NodeJS.Signals) => {
      process.off('SIGINT', first);
      process.off('SIGTERM', first);
      const again = (s: NodeJS.Signals) => {
        onSecond?.(s);
        process.exit(130);
      };
      process.once('SIGINT', again);
      process.once('SIGTERM', again);
      resolve(received);
    };
    process.on('SIGINT', first);
    process.on('SIGTERM', first);
  });
  return { signal, release: () => clearInterval(keepAlive) };
}
