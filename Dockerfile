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
# V8's old space capped at 256 MiB (README, "Memory" under "Scale-out"): left to itself
# V8 sizes the heap from the machine's RAM and collects late, so RSS is mostly garbage
# not yet collected (up to 381 MiB for a 100,000-row import or export, 397 MiB under
# distinct queries; 196-233 MiB capped: bench/RESULTS.md, bulkCsv and throughput). The
# default cache bounds fit: both caches full hold up to 153 MiB of old space (bench
# heapBounds; the response cache's bodies are Buffers, outside the cap), which 192 did
# not survive. Raise the cap with CACHE_MAX_ENTRIES (about 0.5 KiB an entry).
# The young generation at most 2 x 8 MiB: V8 grows it to 2 x 16 MiB under any burst and
# keeps it until its memory reducer runs, so an idle gateway held 141-150 MiB after
# serving against 126-129 MiB with this bound, at the same executing-path CPU within the
# run's noise (308-361 against 316-342 us a request, side by side; README, "Memory").
ENV NODE_OPTIONS="--max-old-space-size=256 --max-semi-space-size=8"
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
