import { useState } from 'react';
import { ApiError, api, describeError } from '../lib/api';

/** Checks the key against an admin-only endpoint before keeping it. */
export function SignInPage({ onSignedIn }: { onSignedIn: (key: string) => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    const k = key.trim();
    if (!k) {
      setError('Enter an admin API key.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await api('/v1/admin/unresolved', { key: k, query: { limit: '1' } });
      onSignedIn(k);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) setError('The gateway does not know this key.');
      else if (err instanceof ApiError && err.status === 403)
        setError("This key is valid but not an admin's.");
      else setError(describeError(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="sign-in" id="main" tabIndex={-1}>
      <form onSubmit={submit} aria-labelledby="sign-in-title" noValidate>
        <h1 id="sign-in-title">mnogate console</h1>
        <p>Sign in with an admin API key. It is kept in this tab's session storage only.</p>
        <label htmlFor="admin-key">Admin API key</label>
        <input
          id="admin-key"
          name="admin-key"
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={key}
          onChange={(e) => setKey(e.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'sign-in-error' : undefined}
          required
        />
        {error && (
          <p id="sign-in-error" className="field-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
