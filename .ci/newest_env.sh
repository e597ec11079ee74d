#!/usr/bin/env bash
# The second CI environment: audit as a user without the attack extra gets it. A fresh venv (no
# system packages, no constraints) with the newest torch, transformers 5 and datasets 5 that resolve
# here (this machine's pip takes torch from its local wheels), the project with the test extra, and
# every test that needs neither TextAttack nor Ray. Run by .ci/run after the main environment's tests; on its
# own: bash .ci/newest_env.sh [VENV_DIR] (default: a temporary folder, removed at the end).
set -euo pipefail
cd "$(dirname "$0")/.."
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 HF_DATASETS_OFFLINE=1 PIP_DISABLE_PIP_VERSION_CHECK=1
if [ $# -gt 0 ]; then
  VENV="$1"
else
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  VENV="$tmp/newest"
fi
# pip's lines about local package folders that hold no such project (this machine's extra indexes) are noise.
quiet_pip() { "$@" 2>&1 | { grep -v "is ignored: it is neither a file nor a directory" || true; }; }
t0=$(date +%s)
python -m venv "$VENV"
quiet_pip "$VENV/bin/python" -m pip install -q -e ".[test]" "transformers>=5" "datasets>=5"
echo "newest environment (no attack extra, no constraints): install $(( $(date +%s) - t0 )) s, $(du -sh "$VENV" | cut -f1), load $(cut -d' ' -f1-3 /proc/loadavg)"
"$VENV/bin/python" .ci/versions.py "newest environment"
"$VENV/bin/python" -m pytest -m "not slow and not gpu and not network and not textattack and not ray"
