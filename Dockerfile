# One image for every service (the command picks which): built where a Docker engine exists.
FROM node:26.12.1-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json .swcrc nest-cli.json ./
COPY contracts ./contracts
COPY libs ./libs
COPY services ./services
COPY simulator ./simulator
RUN npx swc libs services simulator -d dist --quiet --ignore '**/*.spec.ts' && npm prune --omit=dev

FROM node:26.12.1-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/contracts ./contracts
COPY deploy/catalog ./deploy/catalog
COPY package.json ./
# Numeric, so the kubelet can verify runAsNonRoot against the image itself.
USER 1000:1000
# e.g. command: ["node", "dist/services/claim-api/src/main.js"]
CMD ["node", "dist/services/claim-api/src/main.js"]
