# One image for every Airlock app; the command chooses the app:
#   node apps/api/dist/main.js | node apps/worker/dist/main.js | node apps/shadow-runner/dist/main.js
#   node apps/cli/bin/airlock.js migrate   (the Helm chart's pre-install/pre-upgrade Job)
# Not built on the project's machines (no Docker there): see README, "Deploying (Helm)".

# ---- build: full install (the root `prepare` script compiles every workspace), then prune to production deps
FROM node:24-bookworm-slim AS build
WORKDIR /app
# onnxruntime-node's postinstall downloads a CUDA provider; the CPU runtime ships inside the package. The root
# package.json's allowScripts already denies it; this covers npm versions that ignore allowScripts.
ENV ONNXRUNTIME_NODE_INSTALL=skip \
    CI=true
COPY . .
RUN npm ci --no-audit --no-fund \
 && npm prune --omit=dev --ignore-scripts --no-audit --no-fund \
 && rm -rf test docs \
 && find . -name '*.tsbuildinfo' -not -path './node_modules/*' -delete \
 && npm cache clean --force

# ---- runtime: production dependencies and compiled output only, as the unprivileged `node` user (uid 1000)
FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    AIRLOCK_DATA_DIR=/data
WORKDIR /app
COPY --from=build --chown=root:root /app /app
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8080 8081 8082
CMD ["node", "apps/api/dist/main.js"]
