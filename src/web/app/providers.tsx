import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { useCallback, useMemo, useState, type ReactNode } from 'react';
import { markRefused, type SessionStore } from '../auth/session-store.ts';
import { createApiClient, shouldRetry } from '../lib/api-client.ts';
import { ApiContext } from '../lib/api-context.ts';
import { useClock } from '../lib/clock.ts';
import { LiveStoreContext } from '../live/use-live.ts';
import { ThemeContext } from '../theme/theme-toggle.tsx';
import type { ThemeStore } from '../theme/theme.ts';
import { useLiveConnection } from './use-live-connection.ts';

interface Props {
  token: string;
  session: SessionStore;
  theme: ThemeStore;
  children: ReactNode;
}

/** Everything a signed-in page needs: history (react-query + API client), live store, theme. */
export function Providers({ token, session, theme, children }: Props) {
  const [queryClient] = useState(
    () =>
      new QueryClient({
        defaultOptions: {
          // History changes by the minute; the live figures come from the stream, not from refetches.
          queries: { retry: shouldRetry, staleTime: 30_000, refetchOnWindowFocus: false },
        },
      }),
  );
  const clock = useClock();
  const onRefused = useCallback(() => markRefused(session, clock.now()), [session, clock]);
  const api = useMemo(() => createApiClient({ token, fetch: window.fetch.bind(window), onUnauthorized: onRefused }), [token, onRefused]);
  const live = useLiveConnection(token, onRefused);
  return (
    <ThemeContext.Provider value={theme}>
      <QueryClientProvider client={queryClient}>
        <ApiContext.Provider value={api}>
          <LiveStoreContext.Provider value={live}>{children}</LiveStoreContext.Provider>
        </ApiContext.Provider>
      </QueryClientProvider>
    </ThemeContext.Provider>
  );
}
