import { useState } from 'react';
import { RouterProvider } from 'react-router';
import { useStore } from 'zustand';
import { SignInProblem } from '../auth/sign-in-problem.tsx';
import type { SessionStore } from '../auth/session-store.ts';
import type { ThemeStore } from '../theme/theme.ts';
import { Providers } from './providers.tsx';
import { createAppRouter } from './router.tsx';

/** Signed in: the dashboard. Not (missing, expired, refused): only the sign-in page, no data. */
export function App({ session, theme }: { session: SessionStore; theme: ThemeStore }) {
  const problem = useStore(session, (s) => s.problem);
  const token = useStore(session, (s) => s.token);
  const [router] = useState(createAppRouter);
  if (problem || !token) return <SignInProblem problem={problem ?? 'missing'} />;
  return (
    <Providers token={token} session={session} theme={theme}>
      <RouterProvider router={router} />
    </Providers>
  );
}
