#!/usr/bin/env bash
# Install what the tests need on Debian/Ubuntu (PostgreSQL, python3-venv, Chromium, Node.js),
# then the project with its test extras into .venv, and axe-core (accessibility checks of the
# browser tests) into tests/.npm.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

have_initdb() {  # same search as tests/support/postgres.py
  local bindir
  if command -v pg_config >/dev/null && bindir=$(pg_config --bindir 2>/dev/null) \
    && [[ -f $bindir/initdb ]]; then
    return 0
  fi
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || command -v initdb >/dev/null
}

have_venv() {
  command -v python3 >/dev/null && python3 -c 'import ensurepip, venv' 2>/dev/null
}

# Only what is missing, so that an installed PostgreSQL is not upgraded under its users.
packages=()
have_initdb || packages+=(postgresql)
have_venv || packages+=(python3-venv)
[[ -x /usr/bin/chromium ]] || packages+=(chromium)
command -v npm >/dev/null || packages+=(nodejs npm)

if ((${#packages[@]})); then
  sudo=()
  [[ $(id -u) -eq 0 ]] || sudo=(sudo)
  echo "install.sh: installing ${packages[*]} with apt-get"
  "${sudo[@]}" apt-get update
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends "${packages[@]}"
else
  echo "install.sh: PostgreSQL, python3-venv, Chromium and npm are present; skipping apt-get"
fi

if [[ ! -x .venv/bin/python ]]; then
  echo "install.sh: creating .venv"
  python3 -m venv .venv
fi
echo "install.sh: installing the project and its test dependencies into .venv"
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/pip install --quiet -e '.[test]'

axe=tests/.npm/node_modules/axe-core/axe.min.js
if [[ ! -f $axe ]]; then
  echo "install.sh: installing axe-core into tests/.npm"
  npm install --prefix tests/.npm --no-audit --no-fund --silent axe-core@4
fi

if [[ ! -f tests/.npm/node_modules/@microsoft/app-manifest/package.json || ! -d tests/.npm/node_modules/fs-extra ]]; then
  echo "install.sh: installing @microsoft/app-manifest into tests/.npm"
  npm install --prefix tests/.npm --no-audit --no-fund --silent @microsoft/app-manifest@1.1.2 fs-extra@11
fi

teamsjs=tests/.npm/node_modules/@microsoft/teams-js/package.json
if [[ ! -f $teamsjs ]] || ! grep -q '"version": "2.58.0"' "$teamsjs"; then
  echo "install.sh: installing @microsoft/teams-js into tests/.npm (to check the pinned CDN file's hash)"
  npm install --prefix tests/.npm --no-audit --no-fund --silent @microsoft/teams-js@2.58.0
fi
