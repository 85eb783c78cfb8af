#!/usr/bin/env bash
# Prepares everything deskbot needs, each piece cached outside the clone by a hash of its inputs,
# then runs the requested command with the prepared paths in the environment:
#   scripts/bootstrap.sh run    start the whole stack (make run)
#   scripts/bootstrap.sh cluster  the scale-out topology on loopback (make cluster)
#   scripts/bootstrap.sh test   run the whole test suite (make test)
#   scripts/bootstrap.sh lint   ruff over the code (also part of the test suite)
#   scripts/bootstrap.sh console create-user NAME --role admin   a console account
#   scripts/bootstrap.sh eval-retrieval DIR   retrieval quality (make eval-retrieval DATA=DIR)
#   scripts/bootstrap.sh threshold DIR        the no-good-match trade-off (make threshold DATA=DIR)
#   scripts/bootstrap.sh eval-nlu             NLU cross-validation, per language (make eval-nlu)
#   scripts/bootstrap.sh eval-nlu-held-out    NLU on phrasings it never saw (make eval-nlu-held-out)
#   scripts/bootstrap.sh eval-clinc DIR       the NLU pipeline on CLINC150 (make eval-clinc DATA=DIR)
#   scripts/bootstrap.sh eval-routing DIR     the share of questions reaching the KB search
#   scripts/bootstrap.sh calibrate DIR...     learn the search fusion's weights (make calibrate)
#   scripts/bootstrap.sh bench-turns          whole-turn load test (make bench-turns)
#   scripts/bootstrap.sh bench-scale          search at 1k/10k/100k articles (make bench-scale)
#   scripts/bootstrap.sh env    print the exports, for `eval "$(scripts/bootstrap.sh env)"`
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${DESKBOT_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/deskbot}
PYTHON=${DESKBOT_PYTHON:-python3.11}
cd "$ROOT"
mkdir -p "$CACHE"

say() { echo "[bootstrap] $*" >&2; }

# Hash of files' contents (and names), plus any extra words, as 16 hex digits.
content_hash() {
  local extra=$1; shift
  { echo "$extra"; for f in "$@"; do echo "== $f"; cat "$f"; done; } | sha256sum | cut -c1-16
}

# ensure_venv NAME HASH INSTALL-FUNCTION: a venv at $CACHE/venvs/NAME-HASH, built once.
ensure_venv() {
  local dir="$CACHE/venvs/$1-$2" install=$3
  (
    flock 9
    if [ ! -f "$dir/.ready" ]; then
      say "building the $1 env in $dir (first time only; this takes several minutes)"
      rm -rf "$dir"
      "$PYTHON" -m venv "$dir"
      "$dir/bin/pip" install --quiet --upgrade pip 2>&1 | grep -v '^WARNING: Location' || true
      "$install" "$dir"
      touch "$dir/.ready"
    fi
  ) 9>"$CACHE/.lock-$1"
  echo "$dir"
}

pip_quiet() { "$@" 2>&1 | { grep -v '^WARNING: Location' || true; }; return "${PIPESTATUS[0]}"; }

install_app() {
  pip_quiet "$1/bin/pip" install --quiet --prefer-binary -r requirements/app.txt
}

install_rasa() {
  pip_quiet "$1/bin/pip" install --quiet --prefer-binary -r requirements/rasa.txt
  pip_quiet "$1/bin/pip" install --quiet --no-deps --ignore-requires-python -r requirements/rasa-core.txt
}

python_version=$("$PYTHON" -c 'import sys; print(sys.version)')
APP_ENV=$(ensure_venv app "$(content_hash "$python_version" requirements/app.txt)" install_app)
RASA_ENV=$(ensure_venv rasa "$(content_hash "$python_version" requirements/rasa.txt requirements/rasa-core.txt)" install_rasa)
export RASA_TELEMETRY_ENABLED=false HF_HUB_OFFLINE=1 TRANSFORMERS_VERBOSITY=error
export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}"

# The Rasa model, retrained only when nlu/ or its own components (nlu_features/, dialogue/)
# change.
mapfile -t nlu_files < <({ find nlu/config.yml nlu/domain.yml nlu/data -type f -name '*.yml'
                          find nlu_features dialogue -type f -name '*.py'; } | sort)
model_key=$(content_hash "$RASA_ENV" "${nlu_files[@]}")
MODEL="$CACHE/models/nlu-$model_key.tar.gz"
if [ ! -f "$MODEL" ]; then
  say "training the Rasa model (nlu/ changed)"
  mkdir -p "$CACHE/models"
  (cd nlu && RASA_CACHE_DIRECTORY="$CACHE/rasa-train-cache" "$RASA_ENV/bin/rasa" train \
     --fixed-model-name "nlu-$model_key" --out "$CACHE/models" >"$CACHE/models/train-$model_key.log" 2>&1) \
    || { tail -40 "$CACHE/models/train-$model_key.log" >&2; exit 1; }
fi

# The embedding model's transformer, exported to ONNX on first use (kb_index/onnx_encoder.py).
export DESKBOT_SEARCH_ENCODER_CACHE_DIR="$CACHE/encoder"

# The knowledge-base index, rebuilt only when the articles, the index code (the e5 encoder it
# shares with the NLU included) or the models change.
mapfile -t kb_files < <(find data/kb kb_index nlu_features -type f \( -name '*.md' -o -name '*.py' \) | sort)
index_key=$(content_hash "${DESKBOT_SEARCH_MODEL:-packaged} ${DESKBOT_SEARCH_ENGLISH_MODEL:-packaged}" "${kb_files[@]}")
INDEX="$CACHE/kb-index/$index_key"
if [ ! -f "$INDEX/articles.json" ]; then
  say "building the knowledge-base index (articles changed)"
  "$APP_ENV/bin/python" -m kb_index build --kb data/kb --out "$INDEX" >&2
fi

export DESKBOT_APP_ENV="$APP_ENV" DESKBOT_RASA_BIN="$RASA_ENV/bin" DESKBOT_RASA_MODEL="$MODEL"
export DESKBOT_SEARCH_INDEX_DIR="$INDEX"

# The servers the scale-out topology shares: PostgreSQL, Redis and HAProxy, installed when
# missing.
ensure_cluster_servers() {
  "$ROOT/scripts/ensure-postgres.sh"; "$ROOT/scripts/ensure-redis.sh"
  "$ROOT/scripts/ensure-haproxy.sh"
}

case "${1:-}" in
  run)  exec "$APP_ENV/bin/python" -m launcher ;;
  cluster) ensure_cluster_servers
        exec "$APP_ENV/bin/python" -m launcher.cluster ;;
  test) shift; ensure_cluster_servers; "$ROOT/scripts/ensure-deploy-tools.sh"
        "$ROOT/scripts/ensure-prosody.sh"
        "$ROOT/scripts/ensure-chromium.sh"
        exec "$APP_ENV/bin/python" -m pytest "$@" ;;
  lint) exec "$APP_ENV/bin/ruff" check . ;;
  eval-retrieval) shift; exec "$APP_ENV/bin/python" -m kb_index eval "$@" ;;
  threshold) shift; exec "$APP_ENV/bin/python" -m kb_index threshold "$@" ;;
  eval-nlu) shift; exec "$RASA_ENV/bin/python" -m nlu_quality cross-validate "$@" ;;
  eval-nlu-held-out) shift; exec "$RASA_ENV/bin/python" -m nlu_quality held-out "$@" ;;
  eval-clinc) shift; exec "$RASA_ENV/bin/python" -m nlu_quality clinc "$@" ;;
  eval-routing) shift; exec "$RASA_ENV/bin/python" -m nlu_quality routing --model "$MODEL" "$@" ;;
  calibrate) shift; exec "$APP_ENV/bin/python" -m kb_index calibrate "$@" ;;
  bench-turns) shift
        case " $* " in *" cluster "* | *"=cluster "* | *" both "* | *"=both "*) ensure_cluster_servers ;; esac
        exec "$APP_ENV/bin/python" -m benchmarks.turns "$@" ;;
  bench-scale) shift; exec "$APP_ENV/bin/python" -m benchmarks.scale "$@" ;;
  console) shift; "$APP_ENV/bin/python" -c 'from servicedesk.db.migrate import upgrade; from servicedesk.settings import DatabaseSettings; upgrade(DatabaseSettings().url)'
           exec "$APP_ENV/bin/python" -m console "$@" ;;
  env)  for v in DESKBOT_APP_ENV DESKBOT_RASA_BIN DESKBOT_RASA_MODEL DESKBOT_SEARCH_INDEX_DIR \
                 DESKBOT_SEARCH_ENCODER_CACHE_DIR \
                 RASA_TELEMETRY_ENABLED HF_HUB_OFFLINE PYTHONPATH; do
          printf 'export %s=%q\n' "$v" "${!v}"; done ;;
  *)    echo "usage: $0 run|cluster|test|lint|console|eval-retrieval|threshold|calibrate|eval-nlu|eval-nlu-held-out|eval-clinc|eval-routing|bench-turns|bench-scale|env" >&2
        exit 2 ;;
esac
