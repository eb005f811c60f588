# Production image. Set SPACEFACTS_DATABASE_URL to a PostgreSQL URL; without it the image uses
# an SQLite file under /srv/spacefacts/var (mount a volume there to keep it).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /srv/spacefacts

COPY pyproject.toml README.md ./
COPY app ./app
# Installed in place: migrations/ and seed/ are found beside app/, as in a checkout.
RUN pip install -e . && useradd --system --home /srv/spacefacts spacefacts
COPY alembic.ini ./
COPY migrations ./migrations
COPY seed ./seed
RUN mkdir -p var && chown spacefacts var

USER spacefacts
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)" || exit 1
CMD ["sh", "-c", "spacefacts db upgrade && spacefacts seed && exec spacefacts serve --host 0.0.0.0 --port 8000"]
