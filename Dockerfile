# A campus instance. Node 24 comes from the image; the node@24 dev dependency is not needed here.
FROM node:24-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY db ./db
COPY server ./server
COPY federation ./federation
COPY scripts ./scripts
ENV NODE_ENV=production PORT=3000 HALLWAY_DATA_DIR=/data
VOLUME /data
EXPOSE 3000
CMD ["node", "server/main.ts"]
