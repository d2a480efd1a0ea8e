# syntax=docker/dockerfile:1
# The mnogate gateway. Built by `cdk deploy` from the asset that `mnogate synth` stages (see
# docs/infra.md), or by hand: docker build -t mnogate .
# The configuration is not baked in: mount it (or a derived image's copy) at /etc/mnogate/mnogate.yaml.

FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 compiles a native module when no prebuilt binary matches
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
COPY packages/core/package.json packages/core/
COPY packages/network/package.json packages/network/
COPY packages/simulator/package.json packages/simulator/
COPY packages/gateway/package.json packages/gateway/
COPY packages/infra/package.json packages/infra/
COPY packages/cli/package.json packages/cli/
# production dependencies, plus tsx: the sources are TypeScript, run through tsx's loader
RUN npm ci --omit=dev --no-audit --no-fund \
  && npm install --no-save --omit=dev --no-audit --no-fund "tsx@$(node -p "require('./package.json').devDependencies.tsx")"
COPY packages ./packages

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
  MNOGATE_HEALTH_URL=http://127.0.0.1:8080/healthz
WORKDIR /app
# owned by root, read-only to the service user
COPY --from=build /app /app
RUN mkdir -p /etc/mnogate /var/lib/mnogate && chown node:node /var/lib/mnogate
USER node
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch(process.env.MNOGATE_HEALTH_URL).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "packages/cli/bin/mnogate.js"]
CMD ["serve", "--config", "/etc/mnogate/mnogate.yaml"]
