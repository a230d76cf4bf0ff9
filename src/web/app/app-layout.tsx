import { Link, NavLink, Outlet } from 'react-router';
import { ConnectionStatus } from '../components/connection-status.tsx';
import { StaleBanner } from '../components/stale-banner.tsx';
import { ThemeToggle } from '../theme/theme-toggle.tsx';
import { AlertCount } from '../features/alerts/components/alert-count.tsx';
import { CriticalBanner } from '../features/alerts/components/critical-banner.tsx';

const navClass = ({ isActive }: { isActive: boolean }): string =>
  `rounded px-2 py-1 text-sm ${isActive ? 'bg-raised font-medium text-fg' : 'text-muted hover:text-fg'}`;

/** Every page: skip link, header (nav, own connection, theme), the stale banner, the page. */
export function AppLayout() {
  return (
    <div className="min-h-screen">
      <a href="#main" className="sr-only z-50 rounded bg-accent px-3 py-2 text-page focus:not-sr-only focus:fixed focus:left-2 focus:top-2">
        Skip to content
      </a>
      <header className="sticky top-0 z-40 border-b border-line bg-surface">
        <div className="flex items-center gap-4 px-4 py-2">
          <Link to="/" className="text-lg font-semibold tracking-tight text-accent">
            Pulse
          </Link>
          <nav aria-label="Main" className="flex gap-1">
            <NavLink to="/" end className={navClass}>
              Fleet
            </NavLink>
            <AlertCount />
            <NavLink to="/stability" className={navClass}>
              Stability
            </NavLink>
            <NavLink to="/replay" className={navClass}>
              Replay
            </NavLink>
          </nav>
          <div className="ml-auto flex items-center gap-4">
            <ConnectionStatus />
            <ThemeToggle />
          </div>
        </div>
        <StaleBanner />
        <CriticalBanner />
      </header>
      <main id="main" tabIndex={-1} className="px-4 py-4 outline-none">
        <Outlet />
      </main>
    </div>
  );
}
