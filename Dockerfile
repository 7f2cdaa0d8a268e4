# perf-orchestrator worker / CLI / demo shop. Debian-based: the Temporal SDK's native module needs glibc.
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
ENV NODE_ENV=production
# The default command is the worker; the demo service overrides it.
CMD ["node", "--import", "tsx", "worker/main.ts"]
