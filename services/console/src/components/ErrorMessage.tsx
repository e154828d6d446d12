import { Link } from 'react-router';
import { ApiError } from '../api';
import { useAuth } from '../auth';

/**
 * An API error as the user should read it: its message and field details, when to try
 * again after a 429, and the way back when what the page shows no longer exists.
 */
export function ErrorMessage({ error, backTo, backLabel }: { error: unknown; backTo?: string; backLabel?: string }) {
  const { signOut } = useAuth();
  if (!error) return null;
  const apiError = error instanceof ApiError ? error : undefined;
  const message = apiError?.message ?? (error instanceof Error ? error.message : 'Something went wrong');
  return (
    <div role="alert" className="error">
      {apiError?.status === 401 ? (
        <>
          <p>
            <strong>Your API key was refused:</strong> it is wrong or has been revoked.
          </p>
          <button type="button" onClick={() => signOut('Your API key was refused (wrong or revoked). Paste a valid key.')}>
            Sign in with another key
          </button>
        </>
      ) : apiError?.status === 404 ? (
        <>
          <p>
            <strong>This page has expired:</strong> what it showed no longer exists (it may have been deleted meanwhile).
          </p>
          {backTo ? <Link to={backTo}>{backLabel ?? 'Go back'}</Link> : null}
        </>
      ) : apiError?.status === 429 ? (
        <p>
          <strong>Too many requests.</strong> Try again in {apiError.retryAfterSeconds ?? 1} s
          {apiError.retryAfterSeconds ? ` (after ${new Date(Date.now() + apiError.retryAfterSeconds * 1000).toLocaleTimeString()})` : ''}.
        </p>
      ) : (
        <p>{message}</p>
      )}
      {apiError && apiError.details.length > 0 ? (
        <ul>
          {apiError.details.map((detail) => (
            <li key={`${detail.location}:${detail.field}`}>
              <code>{detail.field}</code>: {detail.message}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
