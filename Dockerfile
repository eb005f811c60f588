# The production image: `docker build -t spacefacts .` (README.md, "Deployment").
#
#   docker run spacefacts migrate   one-shot job: migrate the database, load the seed, exit
#   docker run spacefacts           serve on :8000 (SPACEFACTS_MIGRATE=1 migrates first)
#   docker run spacefacts spacefacts keys create --name N --scope write   any other command
#
# Set SPACEFACTS_DATABASE_URL to a PostgreSQL URL; without it the image uses an SQLite file under
# /srv/spacefacts/var (mount a volume there to keep it; one container only).
#
# PYTHON_IMAGE: any Debian-based CPython 3.11+ image with `python3 -m venv` (scripts/image-check
# builds with a local stand-in). PIP_INDEX_URL: a PyPI mirror, if PyPI is not reachable; every
# dependency is checked against the hashes in uv.lock, whichever index serves it.
ARG PYTHON_IMAGE=python:3.11-slim

FROM ${PYTHON_IMAGE} AS builder
ARG PIP_INDEX_URL=https://pypi.org/simple
ENV PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_INDEX_URL=${PIP_INDEX_URL}
WORKDIR /srv/spacefacts

# uv (pinned with its hashes) in a venv of its own: it only turns the lock into a requirements
# file and never reaches the image.
COPY .ci/uv-requirements.txt /tmp/uv-requirements.txt
RUN python3 -m venv /opt/uv \
    && /opt/uv/bin/pip install --no-cache-dir --require-hashes -r /tmp/uv-requirements.txt

# The dependencies, in a layer of their own that only pyproject.toml and uv.lock invalidate:
# exactly the locked versions, each checked against its hash, no resolver.
COPY pyproject.toml uv.lock ./
RUN /opt/uv/bin/uv export --frozen --no-dev --no-emit-project --format requirements-txt \
        --output-file /tmp/requirements.txt \
    && python3 -m venv /opt/venv \
    && /opt/venv/bin/pip install --no-cache-dir --require-hashes --no-deps \
        -r /tmp/requirements.txt

# The project itself, without dependencies, in place: migrations/, seed/ and alembic.ini are
# found beside app/, as in a checkout (app/config.py).
COPY README.md ./
COPY app ./app
RUN /opt/venv/bin/pip install --no-cache-dir --no-deps --editable .


FROM ${PYTHON_IMAGE}
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:${PATH} \
    SPACEFACTS_WORKERS=2
RUN groupadd --system --gid 10001 spacefacts \
    && useradd --system --no-log-init --uid 10001 --gid 10001 \
        --home-dir /srv/spacefacts --no-create-home --shell /usr/sbin/nologin spacefacts
WORKDIR /srv/spacefacts

COPY --from=builder /opt/venv /opt/venv
COPY alembic.ini ./
COPY migrations ./migrations
COPY seed ./seed
COPY app ./app
COPY scripts/docker-entrypoint.sh /usr/local/bin/spacefacts-entrypoint
# Byte-code compiled once here (the code is read-only at run time); var/ is the one writable
# folder (the SQLite default).
RUN python3 -m compileall -q app migrations \
    && mkdir -p var \
    && chown 10001:10001 var

USER 10001:10001
EXPOSE 8000
# /livez answers 200 without touching the database: a database outage is /readyz's business,
# and must not get every replica restarted at once.
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python3", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/livez', timeout=2)"]
ENTRYPOINT ["/usr/local/bin/spacefacts-entrypoint"]
CMD ["serve"]
