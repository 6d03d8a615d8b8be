# syntax=docker/dockerfile:1
# One image recipe for every chatstream app (gateway, persister, api).
#
#   docker build --build-arg APP=gateway -t chatstream-gateway .
#   docker run --env-file prod.env chatstream-gateway
#
# Stages: deps (all packages, from the lock file) -> build (npm run build: tsc + tsc-alias into
#                                                   dist/, and the web client's bundle in web/dist/)
#         build -> web (nginx with the web client: index.html, styles.css, the bundle)
#         prod-deps (production packages only)    -> runtime (node:20-slim, dist + prod node_modules,
#                                                     non-root, one app chosen by APP)
# docker-compose.yml builds it once per app with `args: { APP: ... }` and once with `target: web`
# for its nginx service; the layers up to the build stage are shared, so the images cost one build.

ARG NODE_IMAGE=node:20-slim
ARG NGINX_IMAGE=nginx:1.27-alpine

# ---------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
# patches/: fixes to installed packages, applied by the postinstall script (patch-package).
COPY package.json package-lock.json ./
COPY patches ./patches
RUN npm ci --no-audit --no-fund

# ---------------------------------------------------------------------------------------------
FROM deps AS build
# Sources only: .dockerignore keeps node_modules, dist, .data, tests and secrets out.
COPY . .
RUN npm run build \
 && test -f dist/apps/gateway/src/main.js \
 && test -f dist/apps/persister/src/main.js \
 && test -f dist/apps/api/src/main.js \
 && test -f web/dist/main.js

# ---------------------------------------------------------------------------------------------
# The static web client as Nginx serves it (docker-compose.yml: the nginx service, target web;
# its nginx.conf is mounted from the repo). The bundle is made here, so the host needs no Node.
FROM ${NGINX_IMAGE} AS web
COPY --from=build /app/web/index.html /app/web/styles.css /usr/share/nginx/html/
COPY --from=build /app/web/dist/main.js /app/web/dist/main.js.map /usr/share/nginx/html/dist/

# ---------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY patches ./patches
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# ---------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
# gateway | persister | api. Baked in as the default; the APP environment variable overrides it.
ARG APP=gateway
ENV NODE_ENV=production \
    APP=${APP} \
    BIND_HOST=0.0.0.0
WORKDIR /app
COPY --from=prod-deps --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --chown=node:node package.json ./
# The official node image ships the unprivileged user "node" (uid 1000).
USER node
# gateway 3101 (Socket.IO), api 3200 (REST), persister 3300 (health/metrics only).
EXPOSE 3101 3200 3300
# Liveness: the process serves HTTP. (docker-compose.yml checks readiness, /health, instead.)
# node:20-slim has no curl/wget; Node 20's fetch does the request.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "const e=process.env,p={gateway:e.GATEWAY_PORT||3101,api:e.API_PORT||3200,persister:e.PERSISTER_PORT||3300}[e.APP];fetch('http://127.0.0.1:'+p+'/health/live',{signal:AbortSignal.timeout(2500)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# exec: node replaces the shell as PID 1 and gets SIGTERM itself (Nest runs its shutdown hooks).
CMD ["sh", "-c", "exec node dist/apps/${APP}/src/main.js"]
