import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import express, { type Express } from 'express';
import { setRouteLabel } from './operation';

/**
 * The console's Content-Security-Policy: its own scripts, styles and API only; nothing
 * inline, nothing from another origin, no framing.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Where the console's build output lives: services/console/dist, from the api's src or dist. */
export function defaultConsoleDir(): string {
  return path.resolve(__dirname, '..', '..', '..', 'console', 'dist');
}

const securityHeaders = (response: express.Response) => {
  response.setHeader('Content-Security-Policy', CONSOLE_CSP);
  response.setHeader('X-Frame-Options', 'DENY');
  response.setHeader('Referrer-Policy', 'no-referrer');
  response.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
};

/**
 * Serves the Console App under /console: hashed assets cached for good, every other
 * path the app's index.html (its router reads the path). Without a build, a plain 404
 * saying how to build it.
 */
export function mountConsole(app: Express, consoleDir: string): void {
  const indexPath = path.join(consoleDir, 'index.html');
  const built = existsSync(indexPath);
  const indexHtml = built ? readFileSync(indexPath) : undefined;

  if (built) {
    app.use(
      '/console/assets',
      (_request, response, next) => {
        setRouteLabel(response, '/console/assets');
        securityHeaders(response);
        // Hashed names: the content of a name never changes, so it may be cached for good.
        response.removeHeader('Cache-Control');
        next();
      },
      express.static(path.join(consoleDir, 'assets'), {
        index: false,
        immutable: true,
        maxAge: '365d',
      }),
      (_request: express.Request, response: express.Response) => {
        response.setHeader('Cache-Control', 'no-store');
        response.status(404).type('text/plain').send('No such console asset');
      },
    );
  }
  app.get(['/console', '/console/{*rest}'], (request, response) => {
    setRouteLabel(response, '/console');
    if (request.originalUrl === '/console' || request.originalUrl.startsWith('/console?')) {
      response.redirect(301, '/console/');
      return;
    }
    securityHeaders(response);
    if (!indexHtml) {
      response.status(404).type('text/plain').send('The console is not built: run `npm run build`.');
      return;
    }
    response.type('html').send(indexHtml);
  });
}
