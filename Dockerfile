# Crossdock gateway image; the same image runs the vendor sandbox
# (`node dist/sandbox/main.js`, see docker-compose.yml).
#
# Three stages, so the image holds neither dev dependencies nor a compiler:
#   build    compiles TypeScript (needs dev dependencies: typescript, types)
#   deps     installs the runtime dependencies alone (`npm ci --omit=dev`), with the
#            toolchain better-sqlite3 needs when no prebuilt binary matches
#   runtime  node, the runtime node_modules, dist/, schema/ — runs as `node`
#
# test/repo/dockerfile.test.ts replays these steps in a clean directory (there is
# no Docker engine where the suite runs) and starts the result; keep every RUN a
# command that can run from the stage's WORKDIR.
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
# Compiling needs only types, not native addons: no install scripts in this stage.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY schema ./schema
COPY src ./src
RUN npm run build

FROM ${NODE_IMAGE} AS deps
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
# The lock decides every version; install scripts run only for the packages
# package.json's allowScripts approves (better-sqlite3 builds its addon here).
RUN npm ci --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production CROSSDOCK_MODE=production HOST=0.0.0.0 PORT=4000 CROSSDOCK_DATA_DIR=/data
# V8's old space capped at 1024 MiB and its young generation at 2 x 8 MiB (README,
# "Memory" under "Scale-out"). Left to itself V8 sizes the heap from the machine's RAM
# and collects late, so RSS is mostly garbage not yet collected (304-362 MiB for a
# 100,000-row import or export; 191-198 MiB with these flags: bench/RESULTS.md, bulkCsv).
# The cap is far above what the default cache bounds hold (both caches full: 198 MiB of
# old space, bench heapBounds), and it sets how far V8 lets the heap grow between full
# collections: ~1.3x the live size at 256 MiB, ~1.6x at 1024. At 256 a gateway under
# distinct queries ran a mark-compact every ~0.4 s and spent 12% more CPU a request
# (294-306 against 260-275 us, side by side) for 10-15 MiB less RSS under load.
# The young-generation bound: V8 grows it to 2 x 16 MiB under any burst and keeps it
# until its memory reducer runs, so an idle gateway held 141-150 MiB after serving
# against 126-129 MiB with it, at the same CPU a request within the run's noise.
ENV NODE_OPTIONS="--max-old-space-size=1024 --max-semi-space-size=8"
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY schema ./schema
COPY bin ./bin
COPY package.json ./
# The records directory belongs to the unprivileged user the process runs as;
# a named volume mounted here takes this ownership.
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 4000
# Liveness only (/ready also checks upstreams and the store, which a restart does not fix).
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||4000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/main.js"]
