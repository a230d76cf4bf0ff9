/**
 * The routes. Pages load lazily so the first paint carries only the shell; every view and filter
 * has a deep link (route plus query: `/?q=&status=&feedType=&feedRid=`).
 */
import { createBrowserRouter } from 'react-router';
import { AppLayout } from './app-layout.tsx';
import { NotFoundPage } from './not-found-page.tsx';
import { RouteError } from './route-error.tsx';

export function createAppRouter() {
  return createBrowserRouter([
    {
      element: <AppLayout />,
      errorElement: <RouteError />,
      // Shown while the first page's code loads (pages are lazy).
      hydrateFallbackElement: <p className="p-4 text-muted">Loading…</p>,
      children: [
        { index: true, lazy: () => import('../features/fleet/components/fleet-page.tsx').then((m) => ({ Component: m.FleetPage })) },
        {
          path: 'restaurants/:rid',
          lazy: () => import('../features/restaurant/components/restaurant-page.tsx').then((m) => ({ Component: m.RestaurantPage })),
        },
        {
          // A terminal is (rid, tid): tills are named per restaurant (issue 18, item 3).
          path: 'restaurants/:rid/terminals/:tid',
          lazy: () => import('../features/terminal/components/terminal-view-page.tsx').then((m) => ({ Component: m.TerminalViewPage })),
        },
        {
          // The old address: redirects when the id is one restaurant's, else says which ones.
          path: 'terminals/:tid',
          lazy: () => import('../features/terminal/components/terminal-id-page.tsx').then((m) => ({ Component: m.TerminalIdPage })),
        },
        { path: 'alerts', lazy: () => import('../features/alerts/components/alerts-page.tsx').then((m) => ({ Component: m.AlertsPage })) },
        {
          // The same fleet page over a replay store: the views are live's own, fed the past (issue 12).
          path: 'replay',
          lazy: () =>
            Promise.all([import('../features/replay/components/replay-shell.tsx'), import('../features/fleet/components/fleet-page.tsx')]).then(([{ ReplayShell }, { FleetPage }]) => ({
              Component: () => (
                <ReplayShell>
                  <FleetPage />
                </ReplayShell>
              ),
            })),
        },
        { path: 'stability', lazy: () => import('../features/stability/components/stability-page.tsx').then((m) => ({ Component: m.StabilityPage })) },
        { path: '*', Component: NotFoundPage },
      ],
    },
  ]);
}
