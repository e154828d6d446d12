import { useCallback, useMemo, useState } from 'react';
import { NavLink, Navigate, Route, Routes } from 'react-router';
import { forgetApiKey, storedApiKey, storeApiKey } from './api';
import { AuthContext } from './auth';
import { CallDetailPage } from './pages/CallDetailPage';
import { CallLogsPage } from './pages/CallLogsPage';
import { SignInPage } from './pages/SignInPage';
import { WebhookDetailPage } from './pages/WebhookDetailPage';
import { WebhookFormPage } from './pages/WebhookFormPage';
import { WebhooksPage } from './pages/WebhooksPage';

export function App() {
  const [apiKey, setApiKey] = useState<string | null>(() => storedApiKey());
  const [notice, setNotice] = useState<string | undefined>();
  const signOut = useCallback((reason?: string) => {
    forgetApiKey();
    setApiKey(null);
    setNotice(reason);
  }, []);
  const auth = useMemo(() => ({ signOut }), [signOut]);

  if (!apiKey) {
    return (
      <SignInPage
        notice={notice}
        onSignedIn={(key) => {
          storeApiKey(key);
          setNotice(undefined);
          setApiKey(key);
        }}
      />
    );
  }
  return (
    <AuthContext.Provider value={auth}>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">hookstream console</span>
        <nav aria-label="Main">
          <NavLink to="/webhooks">Webhooks</NavLink>
          <NavLink to="/logs">Call logs</NavLink>
          <a href="/docs">API reference</a>
        </nav>
        <button type="button" className="secondary" onClick={() => signOut('You are signed out: the API key is forgotten.')}>
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        <Routes>
          <Route path="/" element={<Navigate to="/webhooks" replace />} />
          <Route path="/webhooks" element={<WebhooksPage />} />
          <Route path="/webhooks/new" element={<WebhookFormPage />} />
          <Route path="/webhooks/:id" element={<WebhookDetailPage />} />
          <Route path="/webhooks/:id/edit" element={<WebhookFormPage />} />
          <Route path="/logs" element={<CallLogsPage />} />
          <Route path="/logs/:id" element={<CallDetailPage />} />
          <Route path="*" element={<NotFound />} />
        </Routes>
      </main>
    </AuthContext.Provider>
  );
}

function NotFound() {
  return (
    <section>
      <h1>Page not found</h1>
      <p>
        <NavLink to="/webhooks">Back to the webhooks</NavLink>
      </p>
    </section>
  );
}
