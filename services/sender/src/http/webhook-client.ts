import { Agent } from 'undici';
import type { FailureKind } from '@hookstream/messages';
import { checkWebhookUrl, type Cidr } from '@hookstream/target-safety';
import { boundedMemo } from '../bounded-memo';
import { createSafeConnector, TargetRefusedError } from './safe-connector';

/** What one POST came to (spec/delivery.md "Outcome of an attempt"). */
export interface HttpAttemptResult {
  succeeded: boolean;
  statusCode: number | null;
  failureKind: FailureKind | null;
  error: string | null;
  responseHeaders: Record<string, string>;
  /** The first `keptBodyBytes` of the response body. */
  responseBody: string;
  durationMs: number;
}

export interface WebhookClientOptions {
  allowlist: readonly Cidr[];
  allowHttp: boolean;
  timeoutMs: number;
  connectTimeoutMs: number;
  /** Connections kept per endpoint origin (keep-alive). */
  connectionsPerOrigin: number;
  /** Read at most this much of a response body... */
  readBodyBytes: number;
  /** ...and keep this much of it for the call log. */
  keptBodyBytes: number;
}

export interface WebhookClient {
  post(url: string, headers: Record<string, string>, body: Buffer): Promise<HttpAttemptResult>;
  close(): Promise<void>;
}

const TLS_ERROR = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_MISMATCH|ERR_OSSL)/;

export function classifyError(error: unknown): { kind: FailureKind; message: string } {
  const err = error as { code?: string; name?: string; message?: string; cause?: unknown };
  if (error instanceof TargetRefusedError || err.code === 'HOOKSTREAM_TARGET_REFUSED') {
    return { kind: 'target_refused', message: err.message ?? 'target refused' };
  }
  const cause = err.cause as { code?: string; message?: string } | undefined;
  if (cause && (cause as { code?: string }).code === 'HOOKSTREAM_TARGET_REFUSED') {
    return { kind: 'target_refused', message: cause.message ?? 'target refused' };
  }
  const code = err.code ?? cause?.code ?? '';
  const message = err.message ?? String(error);
  if (code === 'UND_ERR_CONNECT_TIMEOUT') return { kind: 'connect_timeout', message };
  if (err.name === 'TimeoutError' || err.name === 'AbortError' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return { kind: 'timeout', message: message || 'timed out' };
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_FAIL' || code === 'EAI_NODATA') return { kind: 'dns_error', message };
  if (TLS_ERROR.test(code)) return { kind: 'tls_error', message };
  return { kind: 'connection_error', message: code ? `${code}: ${message}` : message };
}

/** The URL rules' verdict on a webhook URL, in the form a request needs. */
type UrlVerdict = { ok: true; origin: string; path: string } | { ok: false; message: string };

/** URLs whose verdict is kept: far more than the endpoints one sender calls at a time. */
const REMEMBERED_URLS = 10_000;

/** What AbortSignal.timeout aborts with, so that a timed-out call reads the same. */
const timeoutReason = () => new DOMException('The operation was aborted due to timeout', 'TimeoutError');

/**
 * POSTs webhook calls with undici and keep-alive. Redirects are never followed (undici's
 * request does not follow them), so a 3xx is a failure; the body read is capped.
 */
export function createWebhookClient(options: WebhookClientOptions): WebhookClient {
  const agent = new Agent({
    connect: createSafeConnector({ allowlist: options.allowlist, connectTimeoutMs: options.connectTimeoutMs }),
    connections: options.connectionsPerOrigin,
    keepAliveTimeout: 10_000,
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
  });

  // The URL rules are a pure function of the URL and this client's fixed policy, so each
  // URL is parsed and checked once, not per call. The connect-time checks (IP literals
  // before dialling, the guarded lookup, the connected peer) run per connection as before.
  const policy = { allowHttp: options.allowHttp, allowlist: options.allowlist };
  const verdictOf = boundedMemo(REMEMBERED_URLS, (url): UrlVerdict => {
    const check = checkWebhookUrl(url, policy);
    return check.ok ? { ok: true, origin: check.url.origin, path: `${check.url.pathname}${check.url.search}` } : { ok: false, message: check.message };
  });

  return {
    async post(url, headers, body) {
      const started = performance.now();
      const elapsed = () => Math.round(performance.now() - started);
      const failed = (kind: FailureKind, error: string, extra: Partial<HttpAttemptResult> = {}): HttpAttemptResult => ({
        succeeded: false,
        statusCode: null,
        failureKind: kind,
        error,
        responseHeaders: {},
        responseBody: '',
        durationMs: elapsed(),
        ...extra,
      });

      const target = verdictOf(url);
      if (!target.ok) return failed('target_refused', target.message);

      // The whole call (response and capped body read) within timeoutMs. A timer cleared
      // when the call ends, rather than AbortSignal.timeout, whose timer outlives the call
      // by the whole timeout: tens of thousands of live timers at full rate.
      const abort = new AbortController();
      const timer = setTimeout(() => abort.abort(timeoutReason()), options.timeoutMs);
      timer.unref();
      try {
        const response = await agent.request({
          origin: target.origin,
          path: target.path,
          method: 'POST',
          headers,
          body,
          signal: abort.signal,
        });
        const chunks: Buffer[] = [];
        let read = 0;
        for await (const chunk of response.body) {
          const buffer = chunk as Buffer;
          chunks.push(buffer);
          read += buffer.length;
          if (read >= options.readBodyBytes) {
            response.body.destroy();
            break;
          }
        }
        const responseBody = Buffer.concat(chunks).subarray(0, options.keptBodyBytes).toString('utf8');
        const responseHeaders: Record<string, string> = {};
        for (const [name, value] of Object.entries(response.headers)) {
          if (value !== undefined) responseHeaders[name] = Array.isArray(value) ? value.join(', ') : value;
        }
        const statusCode = response.statusCode;
        const succeeded = statusCode >= 200 && statusCode < 300;
        let failureKind: FailureKind | null = null;
        let error: string | null = null;
        if (!succeeded) {
          failureKind = statusCode >= 300 && statusCode < 400 ? 'redirect' : 'http_status';
          error =
            failureKind === 'redirect'
              ? `redirect ${statusCode} to ${responseHeaders.location ?? '(no location)'} not followed`
              : `HTTP ${statusCode}`;
        }
        return { succeeded, statusCode, failureKind, error, responseHeaders, responseBody, durationMs: elapsed() };
      } catch (caught) {
        const { kind, message } = classifyError(caught);
        return failed(kind, message);
      } finally {
        clearTimeout(timer);
      }
    },
    close: () => agent.close(),
  };
}
