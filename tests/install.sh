#!/usr/bin/env bash
# Install what the tests need on Debian/Ubuntu (PostgreSQL, python3-venv, Chromium, Node.js,
# and for WeasyPrint's PDFs Pango, HarfBuzz's subsetter and the DejaVu fonts), then the
# project with its test extras into .venv at the versions pinned in tests/constraints.txt, and
# the npm packages pinned in tests/npm/package-lock.json (axe-core, @microsoft/app-manifest
# with fs-extra, @microsoft/teams-js) into tests/.npm.
# A second run skips what is in place; a changed pin is installed again.
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

have_deb() {
  dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null | grep -qx installed
}

# Only what is missing, so that an installed PostgreSQL is not upgraded under its users.
packages=()
have_initdb || packages+=(postgresql)
have_venv || packages+=(python3-venv)
[[ -x /usr/bin/chromium ]] || packages+=(chromium)
command -v npm >/dev/null || packages+=(nodejs npm)
# WeasyPrint (the signed form's PDF) loads these with ctypes/cffi; the form is set in DejaVu.
for package in libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core; do
  have_deb "$package" || packages+=("$package")
done

if ((${#packages[@]})); then
  sudo=()
  [[ $(id -u) -eq 0 ]] || sudo=(sudo)
  echo "install.sh: installing ${packages[*]} with apt-get"
  "${sudo[@]}" apt-get update
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends "${packages[@]}"
else
  echo "install.sh: PostgreSQL, python3-venv, Chromium, npm and the PDF libraries are present;" \
    "skipping apt-get"
fi

if [[ ! -x .venv/bin/python ]]; then
  echo "install.sh: creating .venv"
  python3 -m venv .venv
fi

constraints=tests/constraints.txt
# What the last complete pip run installed from; pyproject.toml counts because a new dependency
# there changes what `.[test]` means.
python_stamp=.venv/.ontwikkelgesprek-pins
python_inputs=$(cat pyproject.toml "$constraints" | sha256sum)

# Exit 0 when .venv matches the pins: the project installed editable from this checkout, every
# pinned package at its pinned version, and nothing of the `.[test]` closure left unpinned
# (exit 3 then, naming it, so that a forgotten pin cannot drift silently).
check_pins() {
  .venv/bin/python - "$constraints" "$PWD" <<'PY'
import importlib.metadata as md
import json
import sys
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

constraints, root = sys.argv[1], Path(sys.argv[2])
pins = {}
for line in Path(constraints).read_text(encoding="utf-8").splitlines():
    line = line.split("#", 1)[0].strip()
    if line:
        name, _, version = line.partition("==")
        pins[canonicalize_name(name)] = version.strip()
try:
    url = json.loads(md.distribution("ontwikkelgesprek").read_text("direct_url.json") or "{}")
except md.PackageNotFoundError:
    sys.exit(1)
if not url.get("dir_info", {}).get("editable") or url.get("url") != root.resolve().as_uri():
    sys.exit(1)
for name, version in pins.items():
    try:
        if md.version(name) != version:
            sys.exit(1)
    except md.PackageNotFoundError:
        sys.exit(1)
# The closure of ontwikkelgesprek[test] as installed, markers evaluated per extra.
seen: dict[str, set[str]] = {}
todo = [("ontwikkelgesprek", {"test"})]
while todo:
    name, extras = todo.pop()
    key = canonicalize_name(name)
    if key in seen and extras <= seen[key]:
        continue
    seen[key] = seen.get(key, set()) | extras
    for raw in md.requires(name) or []:
        requirement = Requirement(raw)
        contexts = [{"extra": extra} for extra in seen[key] or {""}]
        if requirement.marker is None or any(requirement.marker.evaluate(c) for c in contexts):
            todo.append((requirement.name, set(requirement.extras)))
unpinned = sorted(set(seen) - set(pins) - {"ontwikkelgesprek"})
if unpinned:
    print(
        "install.sh: not pinned in tests/constraints.txt: "
        + ", ".join(f"{name}=={md.version(name)}" for name in unpinned),
        file=sys.stderr,
    )
    sys.exit(3)
PY
}

pins_status=0
if [[ $(cat "$python_stamp" 2>/dev/null) == "$python_inputs" ]]; then
  check_pins || pins_status=$?
else
  pins_status=1
fi
if ((pins_status == 0)); then
  echo "install.sh: .venv matches $constraints; skipping pip"
elif ((pins_status == 3)); then
  exit 1
else
  echo "install.sh: installing the project and its pinned test dependencies into .venv"
  rm -f "$python_stamp"
  pip=(.venv/bin/python -m pip install --quiet --constraint "$constraints")
  "${pip[@]}" pip
  # The build backend (and editables, which it asks for editable builds) from the pins too,
  # and the build without an isolated environment, which pip would fill with the newest
  # hatchling, unpinned, from the network.
  "${pip[@]}" hatchling editables
  "${pip[@]}" --no-build-isolation -e '.[test]'
  check_pins
  echo "$python_inputs" >"$python_stamp"
fi

# tests/.npm is git-ignored: `npm ci` installs exactly the committed lock file there.
npm_stamp=tests/.npm/.ontwikkelgesprek-pins
npm_inputs=$(cat tests/npm/package.json tests/npm/package-lock.json | sha256sum)
if [[ $(cat "$npm_stamp" 2>/dev/null) == "$npm_inputs" && -d tests/.npm/node_modules ]]; then
  echo "install.sh: tests/.npm matches tests/npm/package-lock.json; skipping npm"
else
  echo "install.sh: installing the pinned npm packages into tests/.npm"
  mkdir -p tests/.npm
  rm -f "$npm_stamp"
  cp tests/npm/package.json tests/npm/package-lock.json tests/.npm/
  npm ci --prefix tests/.npm --no-audit --no-fund --silent
  echo "$npm_inputs" >"$npm_stamp"
fi
