# The Tidemark worker image for compose/docker-compose.yml: the package built in one stage, run
# under plain node with the runtime dependencies alone in the next.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --ignore-scripts
COPY . .
RUN npm run build

FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --ignore-scripts
COPY --from=build /app/dist ./dist
# The worker's V8 heap budget (workers/heap-budget.ts); compose and `docker run -e` may override it.
ENV NODE_OPTIONS=--max-old-space-size=640
CMD ["node", "dist/workers/main.js"]
