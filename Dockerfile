# syntax=docker/dockerfile:1
# newsattrib API image: CPU-only torch, the trained compressor (service/models/) and the spaCy model baked
# in, so the container never reaches a model hub. Build from the repository root: docker build -t newsattrib .

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/venv/bin:$PATH
# CPU wheel index first: otherwise the resolver pulls the CUDA build of torch (gigabytes of unused libraries).
RUN python -m venv /opt/venv \
    && pip install --no-cache-dir torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu
WORKDIR /src
COPY pyproject.toml ./
COPY service ./service
COPY prompts ./prompts
# Installs the dependencies (spaCy model package included); the project itself then runs from /app, where
# settings find prompts/ beside service/, so its installed copy is removed rather than shipped twice.
RUN pip install --no-cache-dir . && pip uninstall --yes newsattrib

FROM python:3.11-slim
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    NEWSATTRIB_WORKERS=1
RUN useradd --no-log-init --create-home --uid 10001 newsattrib
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY service ./service
COPY prompts ./prompts
USER 10001
# Fail the build, not the deployment, when a model is missing or corrupt: load every model once now.
RUN python -c "from service.pipeline import Pipeline; from service.settings import Settings; Pipeline.from_settings(Settings()).ready()"
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=90s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
# uvicorn stops gracefully on SIGTERM (docker stop); NEWSATTRIB_WORKERS sets the worker processes.
CMD ["python", "-m", "service", "serve", "--host", "0.0.0.0", "--port", "8000"]
