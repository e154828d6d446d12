# syntax=docker/dockerfile:1
# One image for the four hookstream services and the one-shot migration. docker-compose.yml
# picks what a container runs with its command (node services/<name>/dist/main.js); the
# default below is the API.

ARG NODE_IMAGE=node:24-slim

# ---- build: every dependency, then the TypeScript build of every workspace
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1 NPM_CONFIG_UPDATE_NOTIFIER=false
COPY . .
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund --loglevel=error
RUN npx turbo run build --output-logs=errors-only
# Leave only what runs: production dependencies (workspace links included).
RUN npm prune --omit=dev --no-audit --no-fund --loglevel=error

# ---- runtime: compiled output and production dependencies, as an unprivileged user
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    # The metrics/health port of every container (Prometheus scrapes <service>:9464).
    METRICS_PORT=9464 \
    # A young generation of at most 8 MiB per semi-space: V8 would grow it to 64 MiB
    # (SERVICE_NODE_FLAGS in packages/local-infra; docs/operations.md "Memory").
    NODE_OPTIONS=--max-semi-space-size=8
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/packages ./packages
COPY --from=build /app/services ./services
COPY --from=build /app/infra/compose ./infra/compose
# The `node` user (uid 1000) ships with the image; nothing here needs root.
USER node
EXPOSE 8080 9464
# Liveness from the service's own ops server; node:24-slim has no curl.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.METRICS_PORT || '9464') + '/healthz').then((response) => process.exit(response.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "services/api/dist/main.js"]
