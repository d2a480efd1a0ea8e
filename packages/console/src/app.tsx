/** The shell: sign-in gate, navigation, and the page for the current path. */
import { lazy, Suspense, useEffect, useState } from 'react';
import { setUnauthorizedHandler } from './lib/api';
import { resetHealth } from './lib/health';
import { navigate, usePath } from './lib/router';
import { storedKey, storeKey } from './lib/session';
import { AuditPage } from './pages/audit';
import { OperatorDetailPage } from './pages/operator-detail';
import { OperatorsPage } from './pages/operators';
import { OverviewPage } from './pages/overview';
import { SignInPage } from './pages/sign-in';
import { TransactionDetailPage } from './pages/transaction-detail';
import { TransactionsPage } from './pages/transactions';
import { UnresolvedPage } from './pages/unresolved';

// the wizard carries the configuration validator (zod, yaml, libphonenumber-js): loaded when opened
const OnboardPage = lazy(() => import('./onboard/wizard').then((m) => ({ default: m.OnboardWizard })));

const NAV = [
  { to: '/', label: 'Overview' },
  { to: '/transactions', label: 'Transactions' },
  { to: '/unresolved', label: 'Unresolved' },
  { to: '/operators', label: 'Operators' },
  { to: '/audit', label: 'Audit' },
] as const;

export function Link({
  to,
  children,
  className,
}: {
  to: string;
  children: React.ReactNode;
  className?: string;
}) {
  return (
    <a
      href={`/console${to}`}
      className={className}
      onClick={(e) => {
        if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
        e.preventDefault();
        navigate(to);
      }}
    >
      {children}
    </a>
  );
}

function page(path: string) {
  if (path === '/' || path === '/overview') return <OverviewPage />;
  if (path === '/transactions') return <TransactionsPage />;
  if (path.startsWith('/transactions/'))
    return <TransactionDetailPage id={decodeURIComponent(path.slice('/transactions/'.length))} />;
  if (path === '/unresolved') return <UnresolvedPage />;
  if (path === '/operators') return <OperatorsPage />;
  if (path === '/operators/new')
    return (
      <Suspense fallback={<p role="status">Loading the validator…</p>}>
        <OnboardPage />
      </Suspense>
    );
  if (path.startsWith('/operators/'))
    return <OperatorDetailPage id={decodeURIComponent(path.slice('/operators/'.length))} />;
  if (path === '/audit') return <AuditPage />;
  return (
    <section>
      <h1>Not found</h1>
      <p>
        No page at {path}. <Link to="/">Go to the overview</Link>.
      </p>
    </section>
  );
}

function titleOf(path: string): string {
  const item = [...NAV].reverse().find((n) => (n.to === '/' ? path === '/' : path.startsWith(n.to)));
  return item ? item.label : 'mnogate';
}

export function App() {
  const path = usePath();
  const [key, setKey] = useState(storedKey());

  useEffect(() => {
    setUnauthorizedHandler(() => {
      storeKey(null);
      resetHealth();
      setKey(null);
    });
  }, []);

  useEffect(() => {
    document.title = key ? `${titleOf(path)} · mnogate console` : 'Sign in · mnogate console';
    document.getElementById('main')?.focus({ preventScroll: true });
  }, [path, key]);

  if (!key) {
    return (
      <SignInPage
        onSignedIn={(k) => {
          storeKey(k);
          setKey(k);
        }}
      />
    );
  }

  return (
    <div className="shell">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">mnogate</span>
        <nav aria-label="Main">
          <ul>
            {NAV.map((n) => {
              const current = n.to === '/' ? path === '/' : path.startsWith(n.to);
              return (
                <li key={n.to}>
                  <a
                    href={`/console${n.to}`}
                    aria-current={current ? 'page' : undefined}
                    onClick={(e) => {
                      e.preventDefault();
                      navigate(n.to);
                    }}
                  >
                    {n.label}
                  </a>
                </li>
              );
            })}
          </ul>
        </nav>
        <button
          type="button"
          className="link-button"
          onClick={() => {
            storeKey(null);
            resetHealth();
            setKey(null);
          }}
        >
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        {page(path)}
      </main>
    </div>
  );
}
