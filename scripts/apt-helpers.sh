# shellcheck shell=bash
# apt-helpers.sh: sourced by scripts/build-kernel and scripts/vmcheck.
#
# Installs Debian packages on demand. Backports suites (trixie-backports holds
# linux-source-7.3) go to /etc/apt/sources.list.d/gmemsuite-backports.sources,
# with the same mirror as the system's own sources, signed by
# debian-archive-keyring. Install from them as PKG/SUITE (not -t SUITE, which
# also upgrades installed packages such as linux-libc-dev to the suite's version).
#
# Callers define die() and log() before sourcing this file.

GMEMSUITE_APT_SOURCES=/etc/apt/sources.list.d/gmemsuite-backports.sources
GMEMSUITE_APT_LOG=${GMEMSUITE_APT_LOG:-/tmp/gmemsuite-apt.log}

# Print the mirror URI that serves the running release (e.g. bookworm).
apt_mirror_uri() {
	local codename uri=""
	codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
	if [[ -r /etc/apt/sources.list.d/debian.sources ]]; then
		# deb822 stanzas: take URIs of the stanza whose Suites lists $codename.
		uri=$(awk -v c="$codename" '
			BEGIN { RS = ""; FS = "\n" }
			{
				u = ""; ok = 0
				for (i = 1; i <= NF; i++) {
					if ($i ~ /^URIs:/) { u = $i; sub(/^URIs:[ \t]*/, "", u); sub(/[ \t].*/, "", u) }
					if ($i ~ /^Suites:/) { n = split($i, w, /[ \t]+/); for (j = 2; j <= n; j++) if (w[j] == c) ok = 1 }
				}
				if (ok && u != "") { print u; exit }
			}' /etc/apt/sources.list.d/debian.sources)
	fi
	if [[ -z $uri && -r /etc/apt/sources.list ]]; then
		uri=$(awk -v c="$codename" '$1 == "deb" { for (i = 2; i < NF; i++) if ($i ~ /^[a-z]+:\/\//) { if ($(i + 1) == c) { print $i; exit } } }' /etc/apt/sources.list)
	fi
	echo "${uri:-http://deb.debian.org/debian}"
}

# True if every named package is installed.
apt_have() {
	local p
	for p in "$@"; do
		[[ $(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null) == ii* ]] || return 1
	done
}

require_root() {
	[[ $(id -u) -eq 0 ]] || die "need root to install $* (or install it yourself)"
}

# Make sure the given backports suites are in our sources file; apt-get update if we changed it.
apt_ensure_suites() {
	local want=("$@") have=() s changed=0 uri
	if [[ -r $GMEMSUITE_APT_SOURCES ]]; then
		read -r -a have < <(sed -n 's/^Suites:[[:space:]]*//p' "$GMEMSUITE_APT_SOURCES" | head -n1)
	fi
	for s in "${want[@]}"; do
		[[ " ${have[*]-} " == *" $s "* ]] || { have+=("$s"); changed=1; }
	done
	if ((changed)); then
		require_root "apt suites ${want[*]}"
		uri=$(apt_mirror_uri)
		log "adding ${have[*]} ($uri) to $GMEMSUITE_APT_SOURCES"
		cat >"$GMEMSUITE_APT_SOURCES" <<-EOF
			# Added by gmemsuite (scripts/apt-helpers.sh): linux-source-7.3, newer QEMU.
			Types: deb
			URIs: $uri
			Suites: ${have[*]}
			Components: main
			Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
		EOF
		apt_update
	fi
}

apt_update() {
	log "apt-get update (log: $GMEMSUITE_APT_LOG)"
	apt-get update >>"$GMEMSUITE_APT_LOG" 2>&1 ||
		die "apt-get update failed; see $GMEMSUITE_APT_LOG"
}

# apt_install [-t SUITE] PKG...: install (without recommends) those not yet installed.
apt_install() {
	local target=() missing=() p
	if [[ ${1-} == -t ]]; then target=(-t "$2"); shift 2; fi
	for p in "$@"; do apt_have "${p%%/*}" || missing+=("$p"); done
	((${#missing[@]})) || return 0
	require_root "${missing[*]}"
	# Package lists may never have been fetched on a fresh machine.
	if ! apt-cache show "${missing[0]%%/*}" >/dev/null 2>&1; then apt_update; fi
	log "apt-get install ${target[*]+${target[*]} }${missing[*]} (log: $GMEMSUITE_APT_LOG)"
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
		"${target[@]}" "${missing[@]}" >>"$GMEMSUITE_APT_LOG" 2>&1 ||
		die "apt-get install ${missing[*]} failed; see $GMEMSUITE_APT_LOG"
}
