import type { TokenProblem } from './token.ts';

const headline: Record<TokenProblem, string> = {
  missing: 'Your sign-in link is missing',
  expired: 'Your sign-in link has expired',
  refused: 'Your sign-in link was refused',
};

const explanation: Record<TokenProblem, string> = {
  missing: 'This tab holds no sign-in token. Open the link Pulse printed when it started (it ends in #token=…).',
  expired: 'The token in your link is past its expiry time, so the hub will not show you any data.',
  refused: 'The hub did not accept the token in your link (it may have expired, or been signed with another secret).',
};

/** The whole page when there is no usable token: no data, and how to get a new link. */
export function SignInProblem({ problem }: { problem: TokenProblem }) {
  return (
    <main id="main" className="mx-auto mt-24 max-w-xl px-6" data-testid="sign-in-problem" data-problem={problem}>
      <h1 className="text-2xl font-semibold">{headline[problem]}</h1>
      <p className="mt-4 text-muted">{explanation[problem]}</p>
      <p className="mt-4">Ask for a new one with:</p>
      <pre className="mt-2 overflow-x-auto rounded-md border border-line bg-surface p-3 text-sm">
        <code>npx pulse token viewer --role support</code>
      </pre>
      <p className="mt-2 text-sm text-muted">
        Managers get a link limited to their restaurants with <code>--role manager --restaurants r-001,r-002</code>.
        Then open the printed <code>http://…/#token=…</code> link in this tab.
      </p>
    </main>
  );
}
