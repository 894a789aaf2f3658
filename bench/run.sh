#!/usr/bin/env bash
# bench/run.sh — shcr's speed and memory figures beside the targets of issue 15, one table.
#
# Builds shcr and bench/bigserver, starts back ends as separate processes, and measures over
# loopback, each timing the median of RUNS runs (min–max beside it):
#   1. cold `shcr get NHSNUMBER --section next-of-kin` beside two curl requests doing the
#      same look-ups (Patient search by NHS number, then RelatedPerson?patient=ID). Goal ≤ 1.5×.
#   2. the demo's large person (5,200 encounters, 254 medications) from the three demo back
#      ends (`shcr demo --serve`): `shcr get LARGE --output json`, wall time (goal ≤ 250 ms)
#      and peak RSS (/usr/bin/time -v).
#   3. a 50,000-encounter record (bench/bigserver: the demo with a bigger large record,
#      1,000 entries a page): `shcr get --output json` time and peak RSS (goals ≤ 1.5 s,
#      ≤ 150 MB) beside curl fetching the same Encounter pages in one process (goal ≤ 3×).
#   3a. the same record at 10,000 encounters: ms per 1,000 encounters beside the 50,000's
#      (growth stays linear).
#   3b. fifty back ends in another process (bench/bigserver -sets 17, 100 ms a request), the
#      large record (5,200 encounters on each of the 17 regional records, merged into 5,200
#      items of 17 sources): `shcr get --output json` time and peak RSS (goal < 200 MB).
#   4. `shcr demo`'s first screen: from exec to the first full frame on a pseudo-terminal
#      (goal ≤ 50 ms); and `shcr demo --serve` until its three back ends are listed.
#   5. Go benchmarks on one core (-cpu 1, -count 3, ranges): decoding and mapping FHIR JSON
#      (goal ≥ 100 MB/s, allocations per resource), References, get's JSON writer, the demo's
#      start and lazy build, one TUI frame of 10,000 encounters at 200×60 (goal ≤ 1 ms).
#   6. round trips (Go tests counting each host's waves of requests: a request that starts
#      after another's answer came back is one round trip later): one ordinary server whose
#      includes cover every reference, the published examples with a complete and an
#      incomplete CapabilityStatement, the demo's three back ends, fifty back ends; and
#      BenchmarkFiftyBackends (50 loopback back ends at 100 ms a request, 3 runs): round
#      trips, time, -benchmem and the peak heap in use (runtime.MemStats); and
#      BenchmarkFirstPage: how soon a big section's first encounters are emitted.
#
# Needs: go, curl, jq, python3, GNU /usr/bin/time (apt-get install -y time curl jq).
# Usage: bench/run.sh [RUNS] (default 10). Nothing it writes outlives it (a temp dir with
# HOME and XDG dirs, so no real config, keyring or audit trail is touched).
set -euo pipefail

RUNS=${1:-10}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/shcr-bench.XXXXXX")
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	rm -rf "$TMP"
}
trap cleanup EXIT

for tool in go curl jq python3 /usr/bin/time; do
	command -v "$tool" >/dev/null || { echo "bench/run.sh: $tool is needed (apt-get install -y time curl jq)" >&2; exit 2; }
done

# Keep Go's caches where they are, then point HOME and the XDG dirs at the temp dir.
GOCACHE=$(go env GOCACHE) GOPATH=$(go env GOPATH) GOMODCACHE=$(go env GOMODCACHE)
export GOCACHE GOPATH GOMODCACHE
export HOME="$TMP/home" XDG_CONFIG_HOME="$TMP/config" XDG_STATE_HOME="$TMP/state" XDG_CACHE_HOME="$TMP/cache"
mkdir -p "$HOME" "$XDG_CONFIG_HOME" "$XDG_STATE_HOME"

NOK_NHS=9992340002
LARGE_NHS=9990120005
BIG_ENCOUNTERS=50000
ACCEPT='Accept: application/fhir+json'

cd "$ROOT"
echo "building shcr and bench/bigserver…" >&2
go build -o "$TMP/shcr" ./cmd/shcr
go build -o "$TMP/bigserver" ./bench/bigserver
SHCR="$TMP/shcr"

# --- helpers ----------------------------------------------------------------------------
now_ns() { date +%s%N; }
# timeit NAME RUNS CMD…: runs CMD (stdout to /dev/null) RUNS times; writes the wall times
# in ms, one a line, to $TMP/NAME.ms.
timeit() {
	local name=$1 n=$2; shift 2
	: >"$TMP/$name.ms"
	for _ in $(seq "$n"); do
		local t0 t1
		t0=$(now_ns)
		"$@" >/dev/null 2>"$TMP/$name.err" || { echo "bench/run.sh: $name failed:" >&2; cat "$TMP/$name.err" >&2; exit 1; }
		t1=$(now_ns)
		echo $(((t1 - t0) / 1000)) | awk '{printf "%.1f\n", $1 / 1000}' >>"$TMP/$name.ms"
	done
}
median() { sort -g "$1" | awk '{a[NR] = $1} END {if (NR % 2) print a[(NR + 1) / 2]; else printf "%.1f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
range() { sort -g "$1" | awk 'NR == 1 {lo = $1} {hi = $1} END {printf "%s-%s", lo, hi}'; }
# peakrss N CMD…: the largest peak RSS (MB) of N runs.
peakrss() {
	local n=$1; shift
	local max=0
	for _ in $(seq "$n"); do
		/usr/bin/time -v -o "$TMP/time.txt" "$@" >/dev/null 2>&1
		local kb
		kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$TMP/time.txt")
		((kb > max)) && max=$kb
	done
	awk -v k="$max" 'BEGIN {printf "%.0f", k / 1024}'
}
# serve NAME CMD…: starts a back end process printing "name<TAB or spaces>kind<…>url" lines.
serve() {
	local name=$1; shift
	"$@" >"$TMP/$name.out" 2>"$TMP/$name.err" &
	PIDS+=($!)
	for _ in $(seq 300); do
		[[ $(grep -c 'http://' "$TMP/$name.out" || true) -ge 3 ]] && return 0
		sleep 0.1
	done
	echo "bench/run.sh: $name did not list three back ends:" >&2
	cat "$TMP/$name.out" "$TMP/$name.err" >&2
	exit 1
}
url_of() { awk -v n="$2" 'index($0, n) == 1 {print $NF}' "$TMP/$1.out"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
met_le() { awk -v v="$1" -v g="$2" 'BEGIN {print (v <= g) ? "yes" : "NO"}'; }
met_ge() { awk -v v="$1" -v g="$2" 'BEGIN {print (v >= g) ? "yes" : "NO"}'; }

# --- 1, 2: the demo back ends -----------------------------------------------------------
serve demo "$SHCR" demo --serve
NHS_URL=$(url_of demo "Demo NHS ShCR")
COUNCIL_URL=$(url_of demo "Demo County Council")
GP_URL=$(url_of demo "Demo GP Practice")
cat >"$TMP/one.yaml" <<EOF
backends:
  - name: bench-council
    kind: fhir-r4
    url: $COUNCIL_URL
    domain: social-care
EOF
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
GET_NOK=("$SHCR" get "$NOK_NHS" --section next-of-kin --config "$TMP/one.yaml" --purpose direct-care)
GET_LARGE=("$SHCR" get "$LARGE_NHS" --output json --config "$TMP/all.yaml" --purpose direct-care)
"${GET_NOK[@]}" >"$TMP/nok.txt"
"${GET_LARGE[@]}" >"$TMP/large.json" # also builds the demo's large record (once, lazily)
ENCOUNTERS=$(jq '.sections.encounters | length' "$TMP/large.json")
MEDICATIONS=$(jq '.sections.medications | length' "$TMP/large.json")
PID_=$(curl -sf -H "$ACCEPT" "$COUNCIL_URL/Patient?identifier=https://fhir.nhs.uk/Id/nhs-number%7C$NOK_NHS" | jq -r '.entry[0].resource.id')
curl2() {
	curl -sf -o /dev/null -H "$ACCEPT" "$COUNCIL_URL/Patient?identifier=https://fhir.nhs.uk/Id/nhs-number%7C$NOK_NHS" &&
		curl -sf -o /dev/null -H "$ACCEPT" "$COUNCIL_URL/RelatedPerson?patient=$PID_"
}
echo "timing next of kin: shcr get vs two curls ($RUNS runs each)…" >&2
timeit nok "$RUNS" "${GET_NOK[@]}"
timeit curl2 "$RUNS" curl2
echo "timing the demo's large person ($RUNS runs)…" >&2
timeit large "$RUNS" "${GET_LARGE[@]}"
LARGE_RSS=$(peakrss 3 "${GET_LARGE[@]}")

# --- 3: the 50,000-encounter record -----------------------------------------------------
echo "starting a $BIG_ENCOUNTERS-encounter back end…" >&2
serve big "$TMP/bigserver" -encounters "$BIG_ENCOUNTERS" -page 1000
BIG_URL=$(url_of big "Demo NHS ShCR")
cat >"$TMP/big.yaml" <<EOF
user:
  name: Dr Jane Carter
  id: G13579135
backends:
  - name: bench-big
    kind: fhir-r4
    url: $BIG_URL
    domain: health
EOF
GET_BIG=("$SHCR" get "$LARGE_NHS" --output json --config "$TMP/big.yaml" --purpose direct-care)
"${GET_BIG[@]}" >"$TMP/big.json" # builds the server's record (once, lazily)
BIG_ENC=$(jq '.sections.encounters | length' "$TMP/big.json")
BIG_PID=$(curl -sf -H "$ACCEPT" "$BIG_URL/Patient?identifier=https://fhir.nhs.uk/Id/nhs-number%7C$LARGE_NHS" | jq -r '.entry[0].resource.id')
# The same Encounter pages shcr reads (1,000 entries each, with the referenced locations,
# organisations and practitioners, and Provenance), in one curl process (one connection).
CURL_ARGS=()
for ((off = 0; off < BIG_ENC; off += 1000)); do
	CURL_ARGS+=(-o /dev/null "$BIG_URL/Encounter?patient=$BIG_PID&_count=1000&_getpagesoffset=$off&_include=Encounter:location&_include=Encounter:service-provider&_include=Encounter:participant&_revinclude=Provenance:target")
done
curl_big() { curl -sf -H "$ACCEPT" "${CURL_ARGS[@]}"; }
BIG_RUNS=$((RUNS < 5 ? RUNS : 5))
echo "timing the $BIG_ENCOUNTERS-encounter record and curl ($BIG_RUNS runs each)…" >&2
timeit big "$BIG_RUNS" "${GET_BIG[@]}"
timeit curlbig "$BIG_RUNS" curl_big
BIG_RSS=$(peakrss 3 "${GET_BIG[@]}")
CURL_RSS=$(peakrss 1 curl -sf -H "$ACCEPT" "${CURL_ARGS[@]}")

# --- 3a: growth: the same at a fifth of the size ---------------------------------------
# A 10,000-encounter record served the same way: time and memory per 1,000 encounters
# at 10,000 and at 50,000 say whether growth stays linear (the issue's last word on size).
SMALL_ENCOUNTERS=$((BIG_ENCOUNTERS / 5))
echo "starting a $SMALL_ENCOUNTERS-encounter back end…" >&2
serve tenk "$TMP/bigserver" -encounters "$SMALL_ENCOUNTERS" -page 1000
sed "s|url: .*|url: $(url_of tenk "Demo NHS ShCR")|" "$TMP/big.yaml" >"$TMP/tenk.yaml"
GET_TENK=("$SHCR" get "$LARGE_NHS" --output json --config "$TMP/tenk.yaml" --purpose direct-care)
"${GET_TENK[@]}" >"$TMP/tenk.json"
TENK_ENC=$(jq '.sections.encounters | length' "$TMP/tenk.json")
echo "timing the $SMALL_ENCOUNTERS-encounter record ($BIG_RUNS runs)…" >&2
timeit tenk "$BIG_RUNS" "${GET_TENK[@]}"
TENK_RSS=$(peakrss 3 "${GET_TENK[@]}")

# --- 3b: fifty back ends, each its own server, shcr in its own process -------------------
# bench/bigserver -sets 17: 51 back ends (17 demo sets) at 100 ms a request; the first 50
# configured (34 FHIR R4, 16 GP Connect; the 17 regional records serve the 5,200
# encounters, the councils do not serve Encounter). shcr's peak RSS
# is its own: the servers run in another process (BenchmarkFiftyBackends counts theirs).
echo "starting fifty back ends (17 demo sets, 100 ms a request)…" >&2
serve fifty "$TMP/bigserver" -encounters 5200 -page 0 -sets 17 -latency 100ms
for _ in $(seq 300); do
	[[ $(grep -c 'http://' "$TMP/fifty.out" || true) -ge 51 ]] && break
	sleep 0.1
done
{
	printf 'user:\n  name: Dr Jane Carter\n  id: G13579135\nbackends:\n'
	head -50 "$TMP/fifty.out" | while IFS=$'\t' read -r name kind url; do
		domain=health
		[[ $name == *Council* ]] && domain=social-care
		printf '  - name: %s\n    kind: %s\n    url: %s\n    domain: %s\n' "$name" "$kind" "$url" "$domain"
		if [[ $kind == gp-connect ]]; then
			printf '    gp_connect:\n      from_asid: "200000000999"\n      to_asid: "918999000111"\n      from_ods: DMX01\n      org_name: Demo shcr user organisation\n'
		fi
	done
} >"$TMP/fifty.yaml"
GET_FIFTY=("$SHCR" get "$LARGE_NHS" --output json --config "$TMP/fifty.yaml" --purpose direct-care)
"${GET_FIFTY[@]}" >"$TMP/fifty.json" # builds every server's large record (once, lazily)
FIFTY_ENC=$(jq '.sections.encounters | length' "$TMP/fifty.json")
FIFTY_SRC=$(jq '[.sections.encounters[0].also_reported_by | length] | .[0] + 1' "$TMP/fifty.json")
echo "timing the large record from fifty back ends ($BIG_RUNS runs)…" >&2
timeit fifty "$BIG_RUNS" "${GET_FIFTY[@]}"
FIFTY_RSS=$(peakrss 3 "${GET_FIFTY[@]}")

# --- 4: shcr demo's first screen ---------------------------------------------------------
echo "timing shcr demo's first screen ($RUNS runs)…" >&2
cat >"$TMP/firstscreen.py" <<'EOF'
# Runs argv[1:] on a 200x60 pseudo-terminal and prints the ms from exec until the output
# holds a first frame (the alternate screen entered and 500 bytes drawn on it), then ends it.
import os, pty, select, signal, struct, sys, time, fcntl, termios
t0 = time.monotonic()
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 60, 200, 0, 0))
buf = b""
while time.monotonic() - t0 < 10:
    r, _, _ = select.select([fd], [], [], 0.05)
    if fd in r:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        buf += chunk
        # Answer the terminal queries (background colour, cursor position) as a terminal would.
        if b"\x1b]11;?" in chunk:
            os.write(fd, b"\x1b]11;rgb:0000/0000/0000\x1b\\")
        if b"\x1b[6n" in chunk:
            os.write(fd, b"\x1b[1;1R")
        alt = buf.find(b"\x1b[?1049h")
        if alt >= 0 and len(buf) - alt > 500:
            break
print("%.1f" % ((time.monotonic() - t0) * 1000))
os.kill(pid, signal.SIGKILL)
os.waitpid(pid, 0)
EOF
: >"$TMP/first.ms"
for _ in $(seq "$RUNS"); do
	python3 "$TMP/firstscreen.py" "$SHCR" demo >>"$TMP/first.ms"
done
: >"$TMP/serveup.ms"
for _ in $(seq "$RUNS"); do
	t0=$(now_ns)
	"$SHCR" demo --serve >"$TMP/up.out" 2>/dev/null &
	up=$!
	while [[ $(grep -c 'http://' "$TMP/up.out" || true) -lt 3 ]]; do sleep 0.002; done
	t1=$(now_ns)
	kill "$up"; wait "$up" 2>/dev/null || true
	awk -v d=$((t1 - t0)) 'BEGIN {printf "%.1f\n", d / 1e6}' >>"$TMP/serveup.ms"
done

# --- 5: Go benchmarks --------------------------------------------------------------------
echo "running Go benchmarks (one core, 3 runs each)…" >&2
gobench() { go test -run '^$' -cpu 1 -count 3 -benchtime "${3:-1s}" -bench "$2" "$1"; }
gobench ./client/fhir 'BenchmarkDecodeEncounterBundle|BenchmarkMapEncounters5000|BenchmarkReferences' >"$TMP/b-fhir.txt"
gobench ./cmd/shcr 'BenchmarkWriteJSON' >"$TMP/b-get.txt"
gobench ./internal/demo 'BenchmarkStartCold|BenchmarkBuildLargeBulk' 5x >"$TMP/b-demo.txt"
gobench ./tui 'BenchmarkRenderEncounters10k' >"$TMP/b-tui.txt"
# field FILE NAME UNIT: "lo–hi" of the value before UNIT on NAME's lines (exact name).
field() {
	awk -v n="$2" -v u="$3" '$1 == n { for (i = 2; i < NF; i++) if ($(i+1) == u) print $i }' "$1" |
		sort -g | awk 'NR == 1 {lo = $1} {hi = $1} END {if (NR == 0) print "?"; else if (lo == hi) print lo; else print lo "-" hi}'
}
lo() { echo "${1%%-*}"; }
hi() { echo "${1##*-}"; }
ns2ms() { awk -v r="$1" 'BEGIN {n = split(r, p, "-"); if (n == 1) printf "%.1f", p[1] / 1e6; else printf "%.1f-%.1f", p[1] / 1e6, p[2] / 1e6}'; }
DEC_MBS=$(field "$TMP/b-fhir.txt" BenchmarkDecodeEncounterBundle/decode MB/s)
DEC_APE=$(field "$TMP/b-fhir.txt" BenchmarkDecodeEncounterBundle/decode allocs/entry)
MAP_MBS=$(field "$TMP/b-fhir.txt" BenchmarkDecodeEncounterBundle/decode+map MB/s)
MAP_APE=$(field "$TMP/b-fhir.txt" BenchmarkDecodeEncounterBundle/decode+map allocs/entry)
SMALL_MBS=$(field "$TMP/b-fhir.txt" BenchmarkMapEncounters5000 MB/s)
SMALL_APE=$(field "$TMP/b-fhir.txt" BenchmarkMapEncounters5000 allocs/entry)
REF_MBS=$(field "$TMP/b-fhir.txt" BenchmarkReferences/scan MB/s)
REFMAP_MBS=$(field "$TMP/b-fhir.txt" BenchmarkReferences/maps MB/s)
WJ_NS=$(field "$TMP/b-get.txt" BenchmarkWriteJSON/one-pass ns/op)
WJOLD_NS=$(field "$TMP/b-get.txt" BenchmarkWriteJSON/old ns/op)
COLD_NS=$(field "$TMP/b-demo.txt" BenchmarkStartCold ns/op)
BULK_NS=$(field "$TMP/b-demo.txt" BenchmarkBuildLargeBulk ns/op)
TUI_NS=$(field "$TMP/b-tui.txt" BenchmarkRenderEncounters10k ns/op)

# --- 6: round trips and fifty back ends --------------------------------------------------
echo "counting round trips (Go tests) and opening records from fifty back ends (Go benchmark, 3 runs)…" >&2
go test ./client -count 1 -v -run 'TestRoundTripsOneBackend|TestRoundTripsIncludes|TestRoundTripsDemo|TestFiftyBackendsRoundTrips' >"$TMP/rt.txt"
# rt CASE: "N (search S + open O)" from the test's "round trips: CASE: search S, open O, …" line.
rt() {
	awk -v c="round trips: $1:" 'index($0, c) {
		s = $0; sub(/.*search /, "", s); sub(/,.*/, "", s)
		o = $0; sub(/.*open /, "", o); sub(/,.*/, "", o)
		printf "%d (search %d + open %d)\n", s + o, s, o; exit }' "$TMP/rt.txt"
}
RT_INCLUDES=$(rt "ordinary server, includes cover every reference")
RT_COMPLETE=$(rt "ordinary server, complete statement")
RT_INCOMPLETE=$(rt "ordinary server, incomplete statement")
RT_DEMO=$(rt "demo (3 back ends)")
RT_FIFTY=$(rt "fifty back ends")
go test ./client -run '^$' -count 3 -benchmem -timeout 30m -bench 'BenchmarkFiftyBackends' >"$TMP/b-fifty.txt"
echo "timing the first page of a big section (Go benchmark, 3 runs)…" >&2
go test ./client -run '^$' -count 3 -benchtime 3x -benchmem -bench 'BenchmarkFirstPage' >"$TMP/b-first.txt"
FPN=BenchmarkFirstPage-$(nproc)
FP_FIRST=$(field "$TMP/b-first.txt" "$FPN" first-page-ms)
FP_WHOLE=$(field "$TMP/b-first.txt" "$FPN" whole-ms)
FP_HEAP=$(field "$TMP/b-first.txt" "$FPN" peak-heap-MB)
FP=BenchmarkFiftyBackends/person-$(nproc)
FL=BenchmarkFiftyBackends/large-$(nproc)
F_RT=$(awk -v n="$FP" '$1 == n { for (i = 2; i < NF; i++) { if ($(i+1) == "search-rt") s = $i; if ($(i+1) == "open-rt") o = $i } print s + o }' "$TMP/b-fifty.txt" | sort -g | awk 'NR == 1 {lo = $1} {hi = $1} END {print (lo == hi) ? lo : lo "-" hi}')
F_NS=$(field "$TMP/b-fifty.txt" "$FP" ns/op)
F_HEAP=$(field "$TMP/b-fifty.txt" "$FP" peak-heap-MB)
F_BOP=$(field "$TMP/b-fifty.txt" "$FP" B/op)
FL_RT=$(awk -v n="$FL" '$1 == n { for (i = 2; i < NF; i++) { if ($(i+1) == "search-rt") s = $i; if ($(i+1) == "open-rt") o = $i } print s + o }' "$TMP/b-fifty.txt" | sort -g | awk 'NR == 1 {lo = $1} {hi = $1} END {print (lo == hi) ? lo : lo "-" hi}')
FL_NS=$(field "$TMP/b-fifty.txt" "$FL" ns/op)
FL_HEAP=$(field "$TMP/b-fifty.txt" "$FL" peak-heap-MB)
FL_BOP=$(field "$TMP/b-fifty.txt" "$FL" B/op)
b2mb() { awk -v r="$1" 'BEGIN {n = split(r, p, "-"); if (n == 1) printf "%.0f", p[1] / 1048576; else printf "%.0f-%.0f", p[1] / 1048576, p[2] / 1048576}'; }

# --- the table ---------------------------------------------------------------------------
NOK_MS=$(median "$TMP/nok.ms"); CURL2_MS=$(median "$TMP/curl2.ms")
LARGE_MS=$(median "$TMP/large.ms")
BIG_MS=$(median "$TMP/big.ms"); CURLBIG_MS=$(median "$TMP/curlbig.ms")
FIRST_MS=$(median "$TMP/first.ms"); UP_MS=$(median "$TMP/serveup.ms")
CPU=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
echo
echo "shcr benchmarks — $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs ($CPU), $(go version | awk '{print $3, $4}'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "timings: median of $RUNS runs (min-max); Go benchmarks: -cpu 1, range of 3 runs"
echo
printf '| %-70s | %-36s | %-20s | %-4s |\n' "Target (issue 15)" "Today" "Goal" "Met"
printf '|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..72})" "$(printf -- '-%.0s' {1..38})" "$(printf -- '-%.0s' {1..22})" "$(printf -- '-%.0s' {1..6})"
row() { printf '| %-70s | %-36s | %-20s | %-4s |\n' "$@"; }
row "Decode + map FHIR JSON, 5,000 UK Core encounters (~3 KB each), one core" "$MAP_MBS MB/s" ">= 100 MB/s" "$(met_ge "$(lo "$MAP_MBS")" 100)"
row "  allocations per resource" "$MAP_APE" "reported" ""
row "Decode + map, 5,000 small demo-shaped encounters (~0.7 KB), one core" "$SMALL_MBS MB/s" ">= 100 MB/s" "$(met_ge "$(lo "$SMALL_MBS")" 100)"
row "  allocations per resource" "$SMALL_APE" "reported" ""
row "  decode alone (ParseBundle: route every entry), UK Core" "$DEC_MBS MB/s, $DEC_APE allocs/entry" "" ""
row "  References (was: decode into maps $REFMAP_MBS MB/s)" "$REF_MBS MB/s" "" ""
row "$BIG_ENC-encounter record, shcr get --output json, 1,000 a page" "$BIG_MS ms ($(range "$TMP/big.ms"))" "<= 1500 ms" "$(met_le "$BIG_MS" 1500)"
row "  peak RSS (max of 3)" "$BIG_RSS MB" "<= 150 MB" "$(met_le "$BIG_RSS" 150)"
row "  curl: the same $((BIG_ENC / 1000)) Encounter pages, one process" "$CURLBIG_MS ms ($(range "$TMP/curlbig.ms")), $CURL_RSS MB" "" ""
row "  ratio shcr get / curl" "$(ratio "$BIG_MS" "$CURLBIG_MS")x" "<= 3x" "$(met_le "$(ratio "$BIG_MS" "$CURLBIG_MS")" 3)"
TENK_MS=$(median "$TMP/tenk.ms")
PER_BIG=$(awk -v t="$BIG_MS" -v n="$BIG_ENC" 'BEGIN {printf "%.1f", t / (n / 1000)}')
PER_TENK=$(awk -v t="$TENK_MS" -v n="$TENK_ENC" 'BEGIN {printf "%.1f", t / (n / 1000)}')
row "  growth: $TENK_ENC encounters, get (peak RSS)" "$TENK_MS ms ($(range "$TMP/tenk.ms")), $TENK_RSS MB" "" ""
row "  ms per 1,000 encounters at $TENK_ENC / at $BIG_ENC" "$PER_TENK / $PER_BIG" "linear (<= 1.25x)" "$(met_le "$(ratio "$PER_BIG" "$PER_TENK")" 1.25)"
row "Demo large person ($ENCOUNTERS enc., $MEDICATIONS meds), get --output json" "$LARGE_MS ms ($(range "$TMP/large.ms"))" "<= 250 ms" "$(met_le "$LARGE_MS" 250)"
row "  peak RSS (max of 3)" "$LARGE_RSS MB" "" ""
row "  get's JSON writer alone, 5,200 encounters (was $(ns2ms "$WJOLD_NS") ms)" "$(ns2ms "$WJ_NS") ms" "" ""
row "shcr demo: first full screen on a 200x60 pty, from exec" "$FIRST_MS ms ($(range "$TMP/first.ms"))" "<= 50 ms" "$(met_le "$FIRST_MS" 50)"
row "  shcr demo --serve: three back ends listening, from exec" "$UP_MS ms ($(range "$TMP/serveup.ms"))" "" ""
row "  demo.Start in a new process (Go bench; large record lazy)" "$(ns2ms "$COLD_NS") ms" "" ""
row "  building the large record, once, on first need (Go bench)" "$(ns2ms "$BULK_NS") ms" "" ""
row "shcr get next-of-kin (council back end), cold process" "$NOK_MS ms ($(range "$TMP/nok.ms"))" "" ""
row "  2 x curl: Patient search, RelatedPerson search" "$CURL2_MS ms ($(range "$TMP/curl2.ms"))" "" ""
row "  ratio shcr get / curl" "$(ratio "$NOK_MS" "$CURL2_MS")x" "<= 1.5x" "$(met_le "$(ratio "$NOK_MS" "$CURL2_MS")" 1.5)"
row "One TUI frame, 10,000 encounters at 200x60 (Go bench)" "$(ns2ms "$TUI_NS") ms" "<= 1 ms" "$(met_le "$(hi "$(ns2ms "$TUI_NS")")" 1)"
row "Big section: first encounters emitted (20,000 enc., 1,000 a page)" "$FP_FIRST ms" "at once" ""
row "  ... the whole record; peak heap in use (Go bench)" "$FP_WHOLE ms; $FP_HEAP MB" "" ""
row "Whole record, one back end: round trips (any latency; Go test)" "" "2 (3 without _include)" ""
row "  includes cover every reference (complete statement)" "$RT_INCLUDES" "2" "$(met_le "${RT_INCLUDES%% *}" 2)"
row "  published examples, complete statement (3 elements no search" "$RT_COMPLETE" "3" "$(met_le "${RT_COMPLETE%% *}" 3)"
row "    parameter covers: ServiceRequest.locationReference, …)" "" "" ""
row "  ordinary server, incomplete CapabilityStatement" "$RT_INCOMPLETE" "3" "$(met_le "${RT_INCOMPLETE%% *}" 3)"
row "  the demo's three back ends (CareTeam.managingOrganization)" "$RT_DEMO" "3" "$(met_le "${RT_DEMO%% *}" 3)"
row "Fifty back ends, 100 ms a request: round trips (Go test; bench)" "$RT_FIFTY; $F_RT" "<= 4" "$(met_le "$(hi "$F_RT")" 4)"
row "  time to the whole record, an ordinary person (Go bench)" "$(ns2ms "$F_NS") ms" "" ""
row "  peak heap in use; allocated per record" "$F_HEAP MB; $(b2mb "$F_BOP") MB" "< 200 MB" "$(met_le "$(hi "$F_HEAP")" 200)"
row "  the large record on all fifty (17 records x 5,200 enc.): round trips" "$FL_RT" "" ""
row "  ... time; peak heap in use; allocated" "$(ns2ms "$FL_NS") ms; $FL_HEAP MB; $(b2mb "$FL_BOP") MB" "< 200 MB" "$(met_le "$(hi "$FL_HEAP")" 200)"
row "  ... shcr get --output json in its own process ($FIFTY_ENC enc. x $FIFTY_SRC sources)" "$(median "$TMP/fifty.ms") ms ($(range "$TMP/fifty.ms"))" "" ""
row "  ... its peak RSS (max of 3; the servers in another process)" "$FIFTY_RSS MB" "< 200 MB" "$(met_le "$FIFTY_RSS" 200)"
