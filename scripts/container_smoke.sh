#!/usr/bin/env bash
# Build the image, run it, and check it as a deployment would: HEALTHCHECK healthy, the seed page answered
# (200, 2 articles, 14 quotes) within 3 s of reporting healthy, junk refused (422, 413, 415), and a
# graceful `docker stop` (exit code 0). Prints the build time and the image size.
#
#   scripts/container_smoke.sh            (from anywhere; needs a running Docker engine)
#
# Environment:
#   BASE_IMAGE        base image (default python:3.11-slim; when that is neither present nor pullable and
#                     debootstrap is installed, a local bookworm base is made by scripts/debian_base_image.sh)
#   TORCH_WHEEL_DIR   a directory holding the torch 2.13.0 CPU wheel, served to the build on loopback
#                     (default: /opt/wheels when it has one; else download.pytorch.org's CPU index is used)
#   IMAGE             tag to build (default newsattrib:smoke)
#   PORT              host port the container listens on (default: a free one; the container uses the host
#                     network, since hosts without a Docker bridge have no port publishing)
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
image=${IMAGE:-newsattrib:smoke}
seed_page="$repo/examples/arab-news-page.txt"
first_request_limit_s=3
health_timeout_s=300
work=$(mktemp -d)
container=""
wheel_server_pid=""

cleanup() {
  [[ -n $wheel_server_pid ]] && kill "$wheel_server_pid" 2>/dev/null || true
  [[ -n $container ]] && docker rm -f "$container" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  if [[ -n $container ]]; then
    echo "--- container log (last 40 lines) ---" >&2
    docker logs --tail 40 "$container" >&2 || true
  fi
  exit 1
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

docker info >/dev/null 2>&1 || fail "no Docker engine answers (start one: dockerd, or see docs/container.md)"

# --- base image ------------------------------------------------------------------------------------------
base_image=${BASE_IMAGE:-python:3.11-slim}
if ! docker image inspect "$base_image" >/dev/null 2>&1; then
  echo "== pulling $base_image"
  if ! timeout 120 docker pull "$base_image"; then
    if [[ -z ${BASE_IMAGE:-} ]] && command -v debootstrap >/dev/null; then
      base_image=newsattrib-base:bookworm
      if ! docker image inspect "$base_image" >/dev/null 2>&1; then
        echo "== $base_image: building a local Debian bookworm base (no registry reachable)"
        "$repo/scripts/debian_base_image.sh" "$base_image"
      fi
    else
      fail "base image $base_image is not available; set BASE_IMAGE or see docs/container.md"
    fi
  fi
fi

# --- torch source ----------------------------------------------------------------------------------------
build_args=(--build-arg "BASE_IMAGE=$base_image")
wheel_dir=${TORCH_WHEEL_DIR:-/opt/wheels}
if compgen -G "$wheel_dir/torch-2.13.0*cpu*.whl" >/dev/null; then
  wheel_port=$(free_port)
  python3 -m http.server "$wheel_port" --bind 127.0.0.1 --directory "$wheel_dir" >"$work/wheels.log" 2>&1 &
  wheel_server_pid=$!
  # The wheel comes from the loopback server, torch's own dependencies from PyPI.
  build_args+=(--build-arg "TORCH_FIND_LINKS=http://127.0.0.1:$wheel_port/" --build-arg "TORCH_INDEX_URL=https://pypi.org/simple")
  echo "== torch from $wheel_dir (served on 127.0.0.1:$wheel_port)"
fi

# --- build -----------------------------------------------------------------------------------------------
echo "== building $image on $base_image"
build_started=$(date +%s)
# Host network: pip inside the build reaches the index (and the loopback wheel server) as this host does.
docker build --network host "${build_args[@]}" -t "$image" "$repo" >"$work/build.log" 2>&1 \
  || { tail -40 "$work/build.log" >&2; fail "docker build failed"; }
build_s=$(($(date +%s) - build_started))
size_bytes=$(docker image inspect -f '{{.Size}}' "$image")
echo "build time: ${build_s} s"
echo "image size: $((size_bytes / 1000000)) MB ($size_bytes bytes)"

# --- run until healthy -----------------------------------------------------------------------------------
port=${PORT:-$(free_port)}
url="http://127.0.0.1:$port"
run_started=$(date +%s)
container=$(docker run -d --network host -e "NEWSATTRIB_PORT=$port" "$image")
echo "== container ${container:0:12} on port $port; waiting for the HEALTHCHECK"
while :; do
  health=$(docker inspect -f '{{.State.Health.Status}}' "$container")
  [[ $health == healthy ]] && break
  [[ $(docker inspect -f '{{.State.Running}}' "$container") == true ]] || fail "the container exited while starting"
  [[ $health == unhealthy ]] && fail "the HEALTHCHECK reports unhealthy"
  (($(date +%s) - run_started < health_timeout_s)) || fail "not healthy after $health_timeout_s s"
  sleep 1
done
echo "healthy after: $(($(date +%s) - run_started)) s"

# --- requests --------------------------------------------------------------------------------------------
# post NAME EXPECTED_STATUS CURL_ARGS...: the status and the time taken; the body is kept in $work/NAME.json.
post() {
  local name=$1 expected=$2
  shift 2
  local answer status seconds
  answer=$(curl -sS -o "$work/$name.json" -w '%{http_code} %{time_total}' -X POST "$url/v1/summarize" "$@")
  read -r status seconds <<<"$answer"
  echo "$name: HTTP $status in ${seconds} s"
  [[ $status == "$expected" ]] || fail "$name: expected HTTP $expected, got $status: $(head -c 300 "$work/$name.json")"
  last_seconds=$seconds
}

post seed-page 200 -H 'content-type: text/plain; charset=utf-8' --data-binary "@$seed_page"
seed_seconds=$last_seconds
python3 - "$work/seed-page.json" "$seed_seconds" "$first_request_limit_s" <<'EOF' || fail "the seed page's answer is wrong"
import json, sys
document = json.load(open(sys.argv[1]))
articles = document["articles"]
quoted = sum(1 for article in articles for quote in article["quotes"] if quote["kind"] != "indirect")
print(f"seed page: {len(articles)} articles, {quoted} quotes (direct or partial)")
assert len(articles) == 2 and quoted == 14, "expected 2 articles and 14 quotes"
assert float(sys.argv[2]) < float(sys.argv[3]), f"first request took {sys.argv[2]} s (limit {sys.argv[3]} s)"
EOF

post malformed-json 422 -H 'content-type: application/json' --data-binary '{"text": '
post empty-text 422 -H 'content-type: application/json' --data-binary '{"text": "   "}'
head -c 1100000 /dev/zero | tr '\0' 'a' >"$work/too-large.txt"
post too-large 413 -H 'content-type: text/plain' --data-binary "@$work/too-large.txt"
post wrong-type 415 -H 'content-type: image/png' --data-binary "@$seed_page"

# --- graceful stop ---------------------------------------------------------------------------------------
stop_started=$(date +%s)
docker stop --time 30 "$container" >/dev/null
exit_code=$(docker inspect -f '{{.State.ExitCode}}' "$container")
echo "docker stop: exit code $exit_code after $(($(date +%s) - stop_started)) s"
[[ $exit_code == 0 ]] || fail "the container exited with $exit_code on docker stop"
docker logs "$container" 2>&1 | grep -q "Application shutdown complete" || fail "no graceful shutdown in the log"

echo "PASS: $image (base $base_image): built in ${build_s} s, $((size_bytes / 1000000)) MB; first request (seed page) in ${seed_seconds} s"
