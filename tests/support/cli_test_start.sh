# Sourced first by the tests/cli scripts that run against a real dccd, with the script's
# own arguments DCC DCCD PROFILES_DIR: sets dcc and dccd (absolute) and profiles, makes
# $work, stops the server and removes $work on exit, then sources dccd_fixture.sh, which
# starts the server (set with_s3=1 before sourcing for its S3 endpoint too).
dcc=$(realpath "$1")
dccd=$(realpath "$2")
profiles=$3
work=$(mktemp -d "/tmp/dcc-cli-$(basename "$0" .sh)-XXXXXX")
pid=""
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$work"' EXIT
. "$(dirname "${BASH_SOURCE[0]}")/dccd_fixture.sh"
