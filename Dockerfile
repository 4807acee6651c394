# syntax=docker/dockerfile:1
# newsattrib API image: CPU-only torch, the trained compressor (service/models/) and the spaCy model baked
# in, so the container never reaches a model hub. Build from the repository root: docker build -t newsattrib .
# Without Docker Hub or download.pytorch.org: see docs/container.md (BASE_IMAGE, TORCH_FIND_LINKS), or run
# scripts/container_smoke.sh, which builds and checks the image either way.

# Any Debian-like image with Python 3.11 and venv: python:3.11-slim, or a local bookworm base.
ARG BASE_IMAGE=python:3.11-slim

FROM ${BASE_IMAGE} AS build
# CPU wheel index first: otherwise the resolver pulls the CUDA build of torch (gigabytes of unused libraries).
# TORCH_FIND_LINKS: a directory or URL holding the torch 2.13.0 CPU wheel, for a build without that index.
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
ARG TORCH_FIND_LINKS=""
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/venv/bin:$PATH
RUN python -m venv /opt/venv \
    && PIP_FIND_LINKS="$TORCH_FIND_LINKS" pip install --no-cache-dir torch==2.13.0 --index-url "$TORCH_INDEX_URL" \
    && python -c "import torch; assert torch.version.cuda is None, 'a CUDA build of torch was installed'"
WORKDIR /src
# Dependencies first, from the project metadata alone (an empty package stands in for the code), so that
# a code change rebuilds only the layers below.
COPY pyproject.toml ./
RUN mkdir service && touch service/__init__.py \
    && pip install --no-cache-dir . && pip uninstall --yes newsattrib

FROM ${BASE_IMAGE}
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    NEWSATTRIB_WORKERS=1 \
    NEWSATTRIB_PORT=8000
RUN useradd --no-log-init --create-home --uid 10001 newsattrib
COPY --from=build /opt/venv /opt/venv
# The project runs from /app: the package as in the repository (its prompts and models travel inside it).
WORKDIR /app
COPY service ./service
USER 10001
# Fail the build, not the deployment, when a model is missing or corrupt: load every model once now.
RUN python -c "from service.pipeline import Pipeline; from service.settings import Settings; Pipeline.from_settings(Settings()).ready()"
EXPOSE 8000
# /healthz answers only once start-up has loaded and warmed every model (service.api lifespan).
HEALTHCHECK --interval=10s --timeout=5s --start-period=120s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f\"http://127.0.0.1:{os.environ['NEWSATTRIB_PORT']}/healthz\", timeout=4)"]
# uvicorn stops gracefully on SIGTERM (docker stop). NEWSATTRIB_PORT sets the port, NEWSATTRIB_WORKERS the
# worker processes.
CMD ["python", "-m", "service", "serve", "--host", "0.0.0.0"]
