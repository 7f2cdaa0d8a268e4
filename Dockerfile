# perf-orchestrator worker / CLI / demo shop. Debian-based: the Temporal SDK's native module needs glibc.
FROM node:20-bookworm-slim
WORKDIR /app
# promtool checks and tests the alert rules the observability skill makes (the same release as the
# compose file's Prometheus); without it the rules are a note ("not made").
COPY --from=prom/prometheus:v2.53.4 /bin/promtool /usr/local/bin/promtool
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
ENV NODE_ENV=production
# The default command is the worker; the demo service overrides it.
CMD ["node", "--import", "tsx", "worker/main.ts"]
