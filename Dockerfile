# Crossdock gateway image (also runs the sandbox: `npm run sandbox`).
# Build: compile TypeScript once; run: `node dist/main.js`, no tsx on the request path.
FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 builds from source when no prebuilt binary matches.
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY schema ./schema
COPY src ./src
COPY bin ./bin
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production CROSSDOCK_MODE=production HOST=0.0.0.0 PORT=4000 CROSSDOCK_DATA_DIR=/data
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The sandbox service runs the TypeScript sources through tsx (a runtime dependency).
COPY --from=build /app/src ./src
COPY --from=build /app/schema ./schema
COPY --from=build /app/bin ./bin
COPY package.json tsconfig.json ./
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 4000
CMD ["node", "dist/main.js"]
