# The Tidemark worker image for compose/docker-compose.yml.
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --ignore-scripts
COPY . .
CMD ["npx", "tsx", "workers/main.ts", "--no-stack"]
