# costbridge: one image for `costbridge serve` (web + worker + scheduler).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    COSTBRIDGE_DATA_DIR=/data \
    COSTBRIDGE_DATABASE_URL=sqlite:////data/costbridge.db

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY sync ./sync
COPY mappings ./mappings
COPY db ./db
COPY sandbox ./sandbox
RUN pip install . && useradd --system --uid 10001 --home /data costbridge \
    && mkdir -p /data && chown costbridge /data

USER costbridge
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz').status == 200 else 1)"
CMD ["costbridge", "serve", "--host", "0.0.0.0", "--port", "8000"]
