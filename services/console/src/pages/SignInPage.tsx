import { useState, type FormEvent } from 'react';
import { ApiError, apiRequest } from '../api';

/** The workspace API key, pasted once; checked against the API before it is kept. */
export function SignInPage({ onSignedIn, notice }: { onSignedIn: (key: string) => void; notice?: string | undefined }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const trimmed = key.trim();
    if (!trimmed) {
      setError('Paste your workspace API key.');
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await apiRequest('GET', '/webhooks', { query: { limit: 1 }, apiKey: trimmed });
      onSignedIn(trimmed);
    } catch (caught) {
      if (caught instanceof ApiError && caught.status === 401) setError('This API key was refused: it is wrong or has been revoked.');
      else if (caught instanceof ApiError && caught.status === 429) setError(`Too many requests: try again in ${caught.retryAfterSeconds ?? 1} s.`);
      else setError(caught instanceof Error ? caught.message : 'The API could not be reached.');
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" className="sign-in">
      <h1>hookstream console</h1>
      <p>See and retry your webhook calls, and manage your webhooks.</p>
      {notice ? <p className="notice" role="status">{notice}</p> : null}
      <form onSubmit={(event) => void submit(event)} noValidate>
        <label htmlFor="api-key">Workspace API key</label>
        <input
          id="api-key"
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={key}
          onChange={(event) => setKey(event.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'api-key-error key-help' : 'key-help'}
        />
        <p id="key-help" className="help">
          Kept in this browser tab only (session storage) and sent to the API only; closing the tab or signing out forgets it.
        </p>
        {error ? (
          <p id="api-key-error" className="field-error" role="alert">
            {error}
          </p>
        ) : null}
        <button type="submit" disabled={busy}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
