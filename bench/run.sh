#!/usr/bin/env bash
# bench/run.sh — shcr's speed and memory figures in one table.
#
# Builds shcr, starts the demo back ends as a separate process (`shcr demo --serve`), and
# measures, against them over loopback:
#   1. a cold `shcr get NHSNUMBER --section next-of-kin` (a whole process, start to exit)
#      beside two sequential curl requests doing the same look-ups (Patient search by NHS
#      number, then RelatedPerson?patient=ID), in the same hyperfine run. Goal: ≤ 1.5×.
#   2. the large demo record (5,000+ encounters, 240 medications) from all three demo back
#      ends: `shcr get LARGE --output json > /dev/null`, wall time (goal ≤ 1 s) and the
#      process's peak RSS from /usr/bin/time -v (goal ≤ 150 MB).
#   3. Go benchmarks: BenchmarkFetchLargeRecord (Federation.Fetch of the large record,
#      in-process demo servers included) and BenchmarkDecodeEncounterBundle (MB/s and
#      allocations per entry for 5,000 published UK Core Encounters).
#
# Needs: go, hyperfine, curl, jq, /usr/bin/time (GNU). Usage: bench/run.sh [RUNS] (default 30).
# Nothing it writes outlives it (a temp dir with HOME and XDG dirs, so no real config,
# keyring or audit trail is touched).
set -euo pipefail

RUNS=${1:-30}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/shcr-bench.XXXXXX")
SERVE_PID=""
cleanup() {
	if [[ -n "$SERVE_PID" ]]; then
		kill "$SERVE_PID" 2>/dev/null || true
		wait "$SERVE_PID" 2>/dev/null || true
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT

for tool in go hyperfine curl jq /usr/bin/time; do
	command -v "$tool" >/dev/null || { echo "bench/run.sh: $tool is needed" >&2; exit 2; }
done

# Keep Go's caches where they are, then point HOME and the XDG dirs at the temp dir.
GOCACHE=$(go env GOCACHE) GOPATH=$(go env GOPATH) GOMODCACHE=$(go env GOMODCACHE)
export GOCACHE GOPATH GOMODCACHE
export HOME="$TMP/home" XDG_CONFIG_HOME="$TMP/config" XDG_STATE_HOME="$TMP/state" XDG_CACHE_HOME="$TMP/cache"
mkdir -p "$HOME" "$XDG_CONFIG_HOME" "$XDG_STATE_HOME"

# The demo people: the dispatcher case (several next of kin) and the large record.
NOK_NHS=9992340002
LARGE_NHS=9990120005

cd "$ROOT"
echo "building shcr…" >&2
go build -o "$TMP/shcr" ./cmd/shcr
SHCR="$TMP/shcr"

# Start the demo back ends and read their base URLs (name, kind, URL per line).
"$SHCR" demo --serve >"$TMP/serve.out" 2>"$TMP/serve.err" &
SERVE_PID=$!
for _ in $(seq 100); do
	[[ $(grep -c 'http://' "$TMP/serve.out" || true) -ge 3 ]] && break
	sleep 0.1
done
NHS_URL=$(awk '/^Demo NHS ShCR/ {print $NF}' "$TMP/serve.out")
COUNCIL_URL=$(awk '/^Demo County Council/ {print $NF}' "$TMP/serve.out")
GP_URL=$(awk '/^Demo GP Practice/ {print $NF}' "$TMP/serve.out")
if [[ -z "$NHS_URL" || -z "$COUNCIL_URL" || -z "$GP_URL" ]]; then
	echo "bench/run.sh: shcr demo --serve did not print three back ends:" >&2
	cat "$TMP/serve.out" "$TMP/serve.err" >&2
	exit 1
fi

# One back end for the next-of-kin comparison with curl: the council's social care record,
# which serves next of kin as RelatedPerson (the demo NHS record has them in Patient.contact).
cat >"$TMP/one.yaml" <<EOF
backends:
  - name: bench-council
    kind: fhir-r4
    url: $COUNCIL_URL
    domain: social-care
EOF
# All three for the large record.
cat >"$TMP/all.yaml" <<EOF
user:
  name: Dr Jane Carter
  id: G13579135
backends:
  - name: bench-shcr
    kind: fhir-r4
    url: $NHS_URL
    domain: health
  - name: bench-council
    kind: fhir-r4
    url: $COUNCIL_URL
    domain: social-care
  - name: bench-gp
    kind: gp-connect
    url: $GP_URL
    domain: health
    gp_connect:
      from_asid: "200000000999"
      to_asid: "918999000111"
      from_ods: DMX01
      org_name: Demo shcr user organisation
EOF

GET_NOK="$SHCR get $NOK_NHS --section next-of-kin --config $TMP/one.yaml --purpose direct-care"
GET_LARGE="$SHCR get $LARGE_NHS --output json --config $TMP/all.yaml --purpose direct-care"
$GET_NOK >"$TMP/nok.txt" || { echo "bench/run.sh: shcr get failed:" >&2; cat "$TMP/nok.txt" >&2; exit 1; }
$GET_LARGE >"$TMP/large.json" || { echo "bench/run.sh: shcr get (large) failed" >&2; exit 1; }
ENCOUNTERS=$(jq '.sections.encounters | length' "$TMP/large.json")
MEDICATIONS=$(jq '.sections.medications | length' "$TMP/large.json")

# The same look-ups with curl: the Patient search by NHS number, then its RelatedPersons.
ACCEPT='Accept: application/fhir+json'
PID_=$(curl -sf -H "$ACCEPT" "$COUNCIL_URL/Patient?identifier=https://fhir.nhs.uk/Id/nhs-number%7C$NOK_NHS" | jq -r '.entry[0].resource.id')
CURL2="curl -sf -o /dev/null -H '$ACCEPT' '$COUNCIL_URL/Patient?identifier=https://fhir.nhs.uk/Id/nhs-number%7C$NOK_NHS' && curl -sf -o /dev/null -H '$ACCEPT' '$COUNCIL_URL/RelatedPerson?patient=$PID_'"

echo "timing shcr get next-of-kin against two curl requests ($RUNS runs each)…" >&2
hyperfine --style none --warmup 3 --runs "$RUNS" --export-json "$TMP/nok.json" \
	-n "shcr get" "$GET_NOK > /dev/null" -n "2 x curl" "$CURL2" >/dev/null

echo "timing the large record…" >&2
LARGE_RUNS=$(( RUNS < 10 ? RUNS : 10 ))
hyperfine --style none --warmup 1 --runs "$LARGE_RUNS" --export-json "$TMP/large-time.json" \
	-n "shcr get large" "$GET_LARGE > /dev/null" >/dev/null
RSS_KB=0
for _ in 1 2 3; do
	/usr/bin/time -v -o "$TMP/time.txt" $GET_LARGE >/dev/null
	kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$TMP/time.txt")
	(( kb > RSS_KB )) && RSS_KB=$kb
done

echo "running Go benchmarks…" >&2
go test -run '^$' -bench 'BenchmarkFetchLargeRecord/cold' -benchtime 5x -count 1 ./client >"$TMP/bench-client.txt"
go test -run '^$' -bench 'BenchmarkDecodeEncounterBundle' -benchtime 5x -count 1 ./client/fhir >"$TMP/bench-fhir.txt"

# --- the table --------------------------------------------------------------------------
ms() { jq -r --arg n "$2" '.results[] | select(.command == $n) | "\(.mean * 1000)"' "$1"; }
sd() { jq -r --arg n "$2" '.results[] | select(.command == $n) | "\(.stddev * 1000)"' "$1"; }
SHCR_MS=$(ms "$TMP/nok.json" "shcr get"); SHCR_SD=$(sd "$TMP/nok.json" "shcr get")
CURL_MS=$(ms "$TMP/nok.json" "2 x curl"); CURL_SD=$(sd "$TMP/nok.json" "2 x curl")
LARGE_MS=$(ms "$TMP/large-time.json" "shcr get large"); LARGE_SD=$(sd "$TMP/large-time.json" "shcr get large")
RATIO=$(awk -v a="$SHCR_MS" -v b="$CURL_MS" 'BEGIN {printf "%.2f", a / b}')
RSS_MB=$(awk -v k="$RSS_KB" 'BEGIN {printf "%.0f", k / 1024}')
benchfield() { # file, benchmark name prefix, unit → value before the unit
	awk -v n="$2" -v u="$3" '$1 ~ "^"n { for (i = 2; i < NF; i++) if ($(i+1) == u) { print $i; exit } }' "$1"
}
FETCH_NS=$(benchfield "$TMP/bench-client.txt" "BenchmarkFetchLargeRecord/cold" "ns/op")
FETCH_B=$(benchfield "$TMP/bench-client.txt" "BenchmarkFetchLargeRecord/cold" "B/op")
FETCH_ALLOCS=$(benchfield "$TMP/bench-client.txt" "BenchmarkFetchLargeRecord/cold" "allocs/op")
DEC_MBS=$(benchfield "$TMP/bench-fhir.txt" "BenchmarkDecodeEncounterBundle/decode-" "MB/s")
DEC_APE=$(benchfield "$TMP/bench-fhir.txt" "BenchmarkDecodeEncounterBundle/decode-" "allocs/entry")
MAP_MBS=$(benchfield "$TMP/bench-fhir.txt" "BenchmarkDecodeEncounterBundle/decode\\+map" "MB/s")
MAP_APE=$(benchfield "$TMP/bench-fhir.txt" "BenchmarkDecodeEncounterBundle/decode\\+map" "allocs/entry")
met() { awk -v v="$1" -v g="$2" 'BEGIN { print (v <= g) ? "yes" : "NO" }'; }

CPU=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
echo
echo "shcr benchmarks — $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs ($CPU), $(go version | awk '{print $3, $4}'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo
printf '| %-66s | %-32s | %-9s | %-4s |\n' "Measure" "Result" "Goal" "Met"
printf '|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..68})" "$(printf -- '-%.0s' {1..34})" "$(printf -- '-%.0s' {1..11})" "$(printf -- '-%.0s' {1..6})"
row() { printf '| %-66s | %-32s | %-9s | %-4s |\n' "$@"; }
row "shcr get --section next-of-kin (council back end), cold process" "$(printf '%.1f +/- %.1f ms' "$SHCR_MS" "$SHCR_SD")" "" ""
row "2 x curl: Patient search, RelatedPerson search (same run)" "$(printf '%.1f +/- %.1f ms' "$CURL_MS" "$CURL_SD")" "" ""
row "  ratio shcr get / curl" "${RATIO}x" "<= 1.5x" "$(met "$RATIO" 1.5)"
row "shcr get large record --output json (3 back ends), whole process" "$(printf '%.0f +/- %.0f ms' "$LARGE_MS" "$LARGE_SD")" "<= 1 s" "$(met "$LARGE_MS" 1000)"
row "  record size" "$ENCOUNTERS encounters, $MEDICATIONS meds" "" ""
row "  peak RSS of that process (max of 3, /usr/bin/time -v)" "${RSS_MB} MB" "<= 150 MB" "$(met "$RSS_MB" 150)"
row "Federation.Fetch large record, Go bench (cold, servers in-process)" "$(awk -v n="$FETCH_NS" 'BEGIN {printf "%.0f ms/op", n / 1e6}')" "<= 1 s" "$(met "$FETCH_NS" 1e9)"
row "  allocated per load" "$(awk -v b="$FETCH_B" -v a="$FETCH_ALLOCS" 'BEGIN {printf "%.0f MB, %.0fk allocs", b / 1e6, a / 1e3}')" "" ""
row "Decode 5,000 UK Core Encounters (ParseBundle)" "$DEC_MBS MB/s, $DEC_APE allocs/entry" "" ""
row "Decode + map encounters section" "$MAP_MBS MB/s, $MAP_APE allocs/entry" "" ""
