# One image for the api and the worker (and the designer build the api serves).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json turbo.json tsconfig.base.json jest.base.cjs eslint.config.mjs ./
COPY packages packages
COPY apps apps
COPY examples examples
RUN npm ci --no-audit --no-fund && npx turbo run build

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app /app
USER node
EXPOSE 3000
CMD ["node", "apps/api/dist/main.js"]
