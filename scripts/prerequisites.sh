# Installs what the system needs and is missing on this machine. Safe to run again.
# Sourced by start.sh and test.sh; set AIPROGRESS_SKIP_PREREQUISITES=1 to skip it.

_repo_root() { cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd; }

_missing_debian_packages() {
  local package
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || echo "$package"
  done
}

_install_debian_packages() {
  local missing
  missing=$(_missing_debian_packages "$@")
  [ -z "$missing" ] && return 0
  echo "prerequisites: installing Debian packages: $missing"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  # shellcheck disable=SC2086
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
}

_container_runtime_works() {
  command -v docker >/dev/null 2>&1 && timeout 10 docker info >/dev/null 2>&1
}

_stop_distribution_services() {
  # The Debian packages start system-wide servers on the default ports; the AppHost runs its own
  # instances on its own ports and data folders, so the system ones are not needed.
  local service
  for service in redis-server mariadb; do
    if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet "$service" 2>/dev/null; then
      systemctl stop "$service" >/dev/null 2>&1 || true
    fi
  done
}

_install_web_packages() {
  local web
  web="$(_repo_root)/AiProgress.Web"
  [ -f "$web/package.json" ] || return 0
  if [ ! -d "$web/node_modules" ] || [ "$web/package-lock.json" -nt "$web/node_modules/.package-lock.json" ]; then
    echo "prerequisites: npm ci in AiProgress.Web"
    (cd "$web" && npm ci --no-audit --no-fund --loglevel=error) || return 1
  fi
}

# $1: "run" (local servers) or "test" (local servers and a browser).
install_prerequisites() {
  [ "${AIPROGRESS_SKIP_PREREQUISITES:-}" = "1" ] && return 0
  local purpose="${1:-run}"
  local packages=()
  if [ "$purpose" = "test" ] || ! _container_runtime_works || [ "${AppHost__Mode:-}" = "local" ]; then
    packages+=(redis-server mariadb-server)
  fi
  [ "$purpose" = "test" ] && packages+=(chromium chromium-driver fonts-dejavu-core fonts-noto-color-emoji)
  if [ "${#packages[@]}" -gt 0 ]; then
    _install_debian_packages "${packages[@]}" || { echo "prerequisites: apt-get failed" >&2; return 1; }
    _stop_distribution_services
  fi
  _install_web_packages || { echo "prerequisites: npm ci failed" >&2; return 1; }
}
