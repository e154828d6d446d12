import { Agent, type Dispatcher } from 'undici';
import type { FailureKind } from '@hookstream/messages';
import { checkWebhookUrl, type Cidr } from '@hookstream/target-safety';
import { boundedMemo } from './bounded-memo';
import { createCachingResolver, type CachingResolverOptions } from './dns-resolver';
import { createSafeConnector, TargetRefusedError } from './safe-connector';

/** What one POST came to (docs/webhooks.md "Success and failure"). */
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
  /** Name resolution (c-ares, cached): the DNS servers (default: the system's) and limits. */
  dns?: Partial<CachingResolverOptions>;
}

export interface WebhookClient {
  post(url: string, headers: Record<string, string>, body: Buffer): Promise<HttpAttemptResult>;
  close(): Promise<void>;
}

/** getaddrinfo's and c-ares' codes for a name that did not resolve. */
const DNS_ERROR_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NODATA', 'ENODATA', 'ETIMEOUT', 'ESERVFAIL', 'EREFUSED']);

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
  if (DNS_ERROR_CODES.has(code)) return { kind: 'dns_error', message };
  if (TLS_ERROR.test(code)) return { kind: 'tls_error', message };
  return { kind: 'connection_error', message: code ? `${code}: ${message}` : message };
}

/** The URL rules' verdict on a webhook URL, in the form a request needs. */
type UrlVerdict = { ok: true; origin: string; path: string } | { ok: false; message: string };

/** URLs whose verdict is kept: far more than the endpoints one sender calls at a time. */
const REMEMBERED_URLS = 10_000;

/** What AbortSignal.timeout aborts with, so that a timed-out call reads the same. */
const timeoutReason = () => new DOMException('The operation was aborted due to timeout', 'TimeoutError');

/** Aborts a call whose response body reached the read limit; the call itself succeeded. */
class BodyReadLimitReached extends Error {}

interface HttpResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * One POST through undici's dispatch API, the response collected by a handler: no
 * response stream, async iterator or abort signal per call (undici's `request` builds all
 * three), which took about a fifth of the client's CPU per call. Rejects with undici's
 * error, or with the TimeoutError once `timeoutMs` has passed since the call began.
 */
function dispatchPost(
  agent: Agent,
  target: { origin: string; path: string },
  headers: Record<string, string>,
  body: Buffer,
  limits: { timeoutMs: number; readBodyBytes: number; keptBodyBytes: number },
): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    let controller: Dispatcher.DispatchController | undefined;
    let timedOut: Error | undefined;
    let settled = false;
    let statusCode = 0;
    let responseHeaders: Record<string, string> = {};
    const kept: Buffer[] = [];
    let keptBytes = 0;
    let read = 0;

    // The whole call (response and capped body read) within timeoutMs. The timer is
    // cleared when the call ends; AbortSignal.timeout's would outlive it by the whole
    // timeout (tens of thousands of live timers at full rate).
    const timer = setTimeout(() => {
      timedOut = timeoutReason();
      // Not yet on a connection: undici calls onRequestStart when it is, and we abort then.
      controller?.abort(timedOut);
    }, limits.timeoutMs);
    timer.unref();

    const succeed = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ statusCode, headers: responseHeaders, body: Buffer.concat(kept).subarray(0, limits.keptBodyBytes).toString('utf8') });
    };
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(error);
    };

    const handler: Dispatcher.DispatchHandler = {
      onRequestStart(started) {
        controller = started;
        if (timedOut) started.abort(timedOut);
      },
      onResponseStart(_controller, status, parsedHeaders) {
        if (status < 200) return; // 1xx informational: the final response follows
        statusCode = status;
        responseHeaders = {};
        for (const [name, value] of Object.entries(parsedHeaders)) {
          if (value !== undefined) responseHeaders[name] = Array.isArray(value) ? value.join(', ') : value;
        }
      },
      onResponseData(dataController, chunk) {
        if (settled || read >= limits.readBodyBytes) return;
        read += chunk.length;
        if (keptBytes < limits.keptBodyBytes) {
          kept.push(chunk);
          keptBytes += chunk.length;
        }
        if (read >= limits.readBodyBytes) {
          // Read no further: the connection is dropped and what was read is the body.
          dataController.abort(new BodyReadLimitReached());
          succeed();
        }
      },
      onResponseEnd: succeed,
      onResponseError(_controller, error) {
        if (error instanceof BodyReadLimitReached) succeed();
        else fail(error);
      },
    };
    try {
      agent.dispatch({ origin: target.origin, path: target.path, method: 'POST', headers, body }, handler);
    } catch (error) {
      fail(error as Error);
    }
  });
}

function failedAttempt(kind: FailureKind, error: string, durationMs: number): HttpAttemptResult {
  return { succeeded: false, statusCode: null, failureKind: kind, error, responseHeaders: {}, responseBody: '', durationMs };
}

/**
 * POSTs webhook calls with undici and keep-alive. Redirects are never followed (undici's
 * dispatch does not follow them), so a 3xx is a failure; the body read is capped.
 */
export function createWebhookClient(options: WebhookClientOptions): WebhookClient {
  const resolver = createCachingResolver({ timeoutMs: 2_000, ...options.dns });
  const agent = new Agent({
    connect: createSafeConnector({ allowlist: options.allowlist, connectTimeoutMs: options.connectTimeoutMs, resolve: resolver.lookup }),
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
      const target = verdictOf(url);
      if (!target.ok) return failedAttempt('target_refused', target.message, Math.round(performance.now() - started));

      let response: HttpResponse;
      try {
        response = await dispatchPost(agent, target, headers, body, options);
      } catch (caught) {
        const { kind, message } = classifyError(caught);
        return failedAttempt(kind, message, Math.round(performance.now() - started));
      }
      const { statusCode } = response;
      const succeeded = statusCode >= 200 && statusCode < 300;
      let failureKind: FailureKind | null = null;
      let error: string | null = null;
      if (!succeeded) {
        failureKind = statusCode >= 300 && statusCode < 400 ? 'redirect' : 'http_status';
        error =
          failureKind === 'redirect'
            ? `redirect ${statusCode} to ${response.headers.location ?? '(no location)'} not followed`
            : `HTTP ${statusCode}`;
      }
      return {
        succeeded,
        statusCode,
        failureKind,
        error,
        responseHeaders: response.headers,
        responseBody: response.body,
        durationMs: Math.round(performance.now() - started),
      };
    },
    close: async () => {
      await agent.close();
      resolver.close();
    },
  };
}
