package audit

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The test binary doubles as a helper process that appends events in a loop, so that a test
// can kill a real writer mid-session (the standard os.Args[0] re-exec pattern).
const (
	helperEnvPath   = "SHCR_AUDIT_HELPER_PATH"
	helperEnvCount  = "SHCR_AUDIT_HELPER_COUNT"  // events to write; 0 = until killed
	helperEnvReason = "SHCR_AUDIT_HELPER_REASON" // bytes of reason per event (bigger lines tear more easily)
	helperEnvTag    = "SHCR_AUDIT_HELPER_TAG"
)

func TestMain(m *testing.M) {
	if path := os.Getenv(helperEnvPath); path != "" {
		os.Exit(runHelper(path))
	}
	os.Exit(m.Run())
}

func runHelper(path string) int {
	count, _ := strconv.Atoi(os.Getenv(helperEnvCount))
	size, _ := strconv.Atoi(os.Getenv(helperEnvReason))
	tag := os.Getenv(helperEnvTag)
	l, err := Open(path, Options{OSUser: "helper"})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	out := bufio.NewWriter(os.Stdout)
	for i := 0; count == 0 || i < count; i++ {
		err := l.Append(Event{Event: SectionViewed, NHSNumber: "9434765919", Purpose: "direct-care",
			Reason: tag + strings.Repeat("r", size), Backends: []string{"council"}, Sections: []string{strconv.Itoa(i)}})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		fmt.Fprintln(out, i)
		out.Flush()
	}
	return 0
}

func helperCmd(t *testing.T, path string, count, reasonSize int, tag string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(),
		helperEnvPath+"="+path,
		helperEnvCount+"="+strconv.Itoa(count),
		helperEnvReason+"="+strconv.Itoa(reasonSize),
		helperEnvTag+"="+tag)
	cmd.Stderr = os.Stderr
	return cmd
}

func fixedClock(t time.Time) func() time.Time { return func() time.Time { return t } }

func openT(t *testing.T, path string, opt Options) *Log {
	t.Helper()
	l, err := Open(path, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func appendT(t *testing.T, l *Log, e Event) {
	t.Helper()
	if err := l.Append(e); err != nil {
		t.Fatal(err)
	}
}

func readT(t *testing.T, path string, f Filter) ([]Event, []error) {
	t.Helper()
	ev, bad, err := Read(path, f)
	if err != nil {
		t.Fatal(err)
	}
	return ev, bad
}

func prefixHash(t *testing.T, path string, n int64) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(b)) < n {
		t.Fatalf("file shrank: %d bytes, had %d", len(b), n)
	}
	return sha256.Sum256(b[:n])
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

func TestPermissions(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Log("POSIX permissions are not meaningful on Windows; checking creation only")
	}
	dir := filepath.Join(t.TempDir(), "state", "shcr")
	path := filepath.Join(dir, "audit.jsonl")
	l := openT(t, path, Options{})
	appendT(t, l, Event{Event: RecordOpened, NHSNumber: "9434765919"})
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" {
		if got := fi.Mode().Perm(); got != 0o600 {
			t.Errorf("file mode %v, want 0600", got)
		}
		di, err := os.Stat(dir)
		if err != nil {
			t.Fatal(err)
		}
		if got := di.Mode().Perm(); got != 0o700 {
			t.Errorf("dir mode %v, want 0700", got)
		}
		di, _ = os.Stat(filepath.Dir(dir))
		if got := di.Mode().Perm(); got != 0o700 {
			t.Errorf("parent dir mode %v, want 0700", got)
		}
	}
}

func TestOpenNarrowsWidePermissions(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Log("not meaningful on Windows")
		return
	}
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	openT(t, path, Options{})
	fi, _ := os.Stat(path)
	if got := fi.Mode().Perm(); got != 0o600 {
		t.Errorf("mode %v after Open, want 0600", got)
	}
}

func TestOpenErrors(t *testing.T) {
	if _, err := Open("", Options{}); err == nil {
		t.Error("empty path accepted")
	}
	dir := t.TempDir()
	if _, err := Open(dir, Options{}); err == nil || !strings.Contains(err.Error(), dir) {
		t.Errorf("a directory as the audit file: %v", err)
	}
}

func TestEventLineFormat(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	london := time.FixedZone("BST", 3600)
	l := openT(t, path, Options{
		Now:          fixedClock(time.Date(2026, 3, 12, 15, 5, 0, 0, london)),
		OSUser:       "jcarter",
		SignedInUser: func() string { return "jane.carter@nhs.net" },
	})
	appendT(t, l, Event{Event: RestrictedRevealed, NHSNumber: "943 476 5919", Purpose: "safeguarding",
		Reason: "strategy\nmeeting", Backends: []string{"council", "region"}, Sections: []string{"notes"}, Items: []string{"k1"}})
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"time":"2026-03-12T14:05:00Z","event":"restricted-revealed","os_user":"jcarter",` +
		`"signed_in_user":"jane.carter@nhs.net","nhs_number":"9434765919","purpose":"safeguarding",` +
		`"reason":"strategy\nmeeting","backends":["council","region"],"sections":["notes"],"items":["k1"]}` + "\n"
	if string(b) != want {
		t.Errorf("line:\n%s\nwant:\n%s", b, want)
	}
	// Where nobody is signed in the field is absent; an event's own identity wins.
	path2 := filepath.Join(t.TempDir(), "audit.jsonl")
	l2 := openT(t, path2, Options{OSUser: "u", SignedInUser: func() string { return "" }})
	appendT(t, l2, Event{Event: AccessRefused, Detail: "HTTP 403", Time: time.Date(2026, 1, 2, 3, 4, 5, 6e6, time.UTC)})
	b, _ = os.ReadFile(path2)
	if want := `{"time":"2026-01-02T03:04:05.006Z","event":"access-refused","os_user":"u","detail":"HTTP 403"}` + "\n"; string(b) != want {
		t.Errorf("line:\n%s\nwant:\n%s", b, want)
	}
}

func TestAppendRejectsMissingKindAndClosed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	l := openT(t, path, Options{})
	if err := l.Append(Event{NHSNumber: "9434765919"}); err == nil {
		t.Error("event without a kind accepted")
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := l.Append(Event{Event: RecordOpened}); !errors.Is(err, ErrClosed) {
		t.Errorf("append after close: %v", err)
	}
	if err := l.Close(); err != nil {
		t.Errorf("second close: %v", err)
	}
}

func TestAppendOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	l := openT(t, path, Options{})
	for i := range 3 {
		appendT(t, l, Event{Event: RecordOpened, NHSNumber: "9434765919", Sections: []string{strconv.Itoa(i)}})
	}
	l.Close()
	size := fileSize(t, path)
	before := prefixHash(t, path, size)

	l2 := openT(t, path, Options{})
	for i := 3; i < 6; i++ {
		appendT(t, l2, Event{Event: SectionViewed, NHSNumber: "9434765919", Sections: []string{strconv.Itoa(i)}})
	}
	if after := prefixHash(t, path, size); after != before {
		t.Fatal("earlier bytes changed after reopening and appending")
	}
	ev, bad := readT(t, path, Filter{})
	if len(bad) != 0 || len(ev) != 6 {
		t.Fatalf("read %d events, %v bad", len(ev), bad)
	}
	for i, e := range ev {
		if e.Sections[0] != strconv.Itoa(i) {
			t.Errorf("event %d out of order: %v", i, e.Sections)
		}
	}
}

// A crash that leaves a partial last line damages that line only: the next writer starts on
// a new line and the reader skips the damaged one with a warning.
func TestTornLastLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	l := openT(t, path, Options{})
	appendT(t, l, Event{Event: RecordOpened, NHSNumber: "9434765919"})
	appendT(t, l, Event{Event: SectionViewed, NHSNumber: "9434765919"})
	l.Close()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(`{"time":"2026-03-12T14:05:00Z","event":"sect`); err != nil {
		t.Fatal(err)
	}
	f.Close()
	size := fileSize(t, path)
	before := prefixHash(t, path, size)

	ev, bad := readT(t, path, Filter{})
	if len(ev) != 2 || len(bad) != 1 {
		t.Fatalf("before repair: %d events, %d bad", len(ev), len(bad))
	}

	l2 := openT(t, path, Options{})
	appendT(t, l2, Event{Event: RestrictedRevealed, NHSNumber: "9434765919", Reason: "after crash"})
	appendT(t, l2, Event{Event: SectionViewed, NHSNumber: "9434765919"})
	if prefixHash(t, path, size) != before {
		t.Fatal("earlier bytes changed")
	}
	ev, bad = readT(t, path, Filter{})
	if len(ev) != 4 {
		t.Fatalf("%d events, want 4", len(ev))
	}
	if ev[2].Reason != "after crash" {
		t.Errorf("event after the crash = %+v", ev[2])
	}
	var le *LineError
	if len(bad) != 1 || !errors.As(bad[0], &le) || le.Line != 3 {
		t.Fatalf("bad lines %v, want just line 3", bad)
	}
	if !strings.Contains(bad[0].Error(), "line 3 is damaged") {
		t.Errorf("message %q", bad[0])
	}
}

// Real writer processes killed with SIGKILL mid-session, several times over the same file:
// each kill loses at most the event being written, every earlier line stays whole and
// byte-for-byte unchanged, and the next writer appends cleanly after any damaged line.
func TestKilledMidSession(t *testing.T) {
	path := filepath.Join(t.TempDir(), "shcr", "audit.jsonl")
	const rounds = 6
	var (
		prevEvents, prevBad int
		size                int64
		before              [32]byte
	)
	for round := range rounds {
		// Lines of 256 KiB span many pages, and a kill after a varying delay lands before,
		// during or after a write or an fsync: a kill during write() cuts the line short.
		cmd := helperCmd(t, path, 0, 256<<10, strconv.Itoa(round))
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(stdout)
		acked := 0
		for acked < 5 && sc.Scan() {
			acked++
		}
		time.Sleep(time.Duration(round) * 700 * time.Microsecond)
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		err = cmd.Wait()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.Success() {
			t.Fatalf("round %d: helper was not killed: %v", round, err)
		}
		if acked < 5 {
			t.Fatalf("round %d: helper acknowledged only %d events", round, acked)
		}
		if round > 0 && prefixHash(t, path, size) != before {
			t.Fatalf("round %d: bytes written before this round changed", round)
		}

		ev, bad := readT(t, path, Filter{})
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if len(bad) > prevBad+1 {
			t.Fatalf("round %d: %d damaged lines (had %d): one kill damaged more than one line: %v", round, len(bad), prevBad, bad)
		}
		if len(ev) < prevEvents+acked {
			t.Fatalf("round %d: %d events, want at least %d: acknowledged (fsync'd) events were lost", round, len(ev), prevEvents+acked)
		}
		// This round's events are all there, in order, after the earlier rounds' ones.
		var mine []Event
		for _, e := range ev[prevEvents:] {
			if e.Reason[:1] != strconv.Itoa(round) {
				t.Fatalf("round %d: event from round %s after the earlier rounds' events", round, e.Reason[:1])
			}
			mine = append(mine, e)
		}
		for i, e := range mine {
			if e.Sections[0] != strconv.Itoa(i) {
				t.Fatalf("round %d: event %d is %v: events lost or reordered", round, i, e.Sections)
			}
		}
		// A damaged line from this round can only be the file's last line.
		if len(bad) > prevBad {
			var le *LineError
			lines := bytes.Count(raw, []byte{'\n'})
			if !errors.As(bad[len(bad)-1], &le) || le.Line != lines+1 {
				t.Fatalf("round %d: damaged %v; only the last line (%d) may be", round, bad[len(bad)-1], lines+1)
			}
		}
		t.Logf("round %d: %d acknowledged, %d whole lines written, %d damaged so far", round, acked, len(mine), len(bad))
		prevEvents, prevBad = len(ev), len(bad)
		size = int64(len(raw))
		before = prefixHash(t, path, size)
	}

	// A fresh writer in this process appends cleanly after whatever the last kill left.
	l := openT(t, path, Options{})
	appendT(t, l, Event{Event: RecordOpened, NHSNumber: "9434765919", Reason: "after the kills"})
	if prefixHash(t, path, size) != before {
		t.Fatal("earlier bytes changed")
	}
	ev, bad := readT(t, path, Filter{})
	if len(bad) != prevBad || len(ev) != prevEvents+1 || ev[len(ev)-1].Reason != "after the kills" {
		t.Fatalf("after a fresh append: %d events (had %d), %d bad (had %d)", len(ev), prevEvents, len(bad), prevBad)
	}
}

func TestConcurrentGoroutines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	l := openT(t, path, Options{})
	const workers, each = 8, 40
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				if err := l.Append(Event{Event: SectionViewed, NHSNumber: "9434765919",
					Reason: strings.Repeat(string(rune('a'+w)), 5000), Sections: []string{fmt.Sprint(w, "-", i)}}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	ev, bad := readT(t, path, Filter{})
	if len(bad) != 0 || len(ev) != workers*each {
		t.Fatalf("%d events, %d bad; want %d, 0", len(ev), len(bad), workers*each)
	}
	seen := map[string]bool{}
	for _, e := range ev {
		if len(e.Reason) != 5000 || strings.Count(e.Reason, e.Reason[:1]) != 5000 {
			t.Fatal("a line mixes two events")
		}
		seen[e.Sections[0]] = true
	}
	if len(seen) != workers*each {
		t.Fatalf("%d distinct events", len(seen))
	}
}

func TestConcurrentProcesses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	const each = 60
	var cmds []*exec.Cmd
	for _, tag := range []string{"A", "B"} {
		cmd := helperCmd(t, path, each, 8<<10, tag)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
	}
	for _, c := range cmds {
		if err := c.Wait(); err != nil {
			t.Fatal(err)
		}
	}
	ev, bad := readT(t, path, Filter{})
	if len(bad) != 0 || len(ev) != 2*each {
		t.Fatalf("%d events, %d bad; want %d, 0", len(ev), len(bad), 2*each)
	}
	count := map[byte]int{}
	for _, e := range ev {
		count[e.Reason[0]]++
		if len(e.Reason) != 1+8<<10 {
			t.Fatal("a line mixes two processes' events")
		}
	}
	if count['A'] != each || count['B'] != each {
		t.Fatalf("per process: %v", count)
	}
}

func TestReadFilter(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	l := openT(t, path, Options{})
	day := func(d int) time.Time { return time.Date(2026, 3, d, 9, 0, 0, 0, time.UTC) }
	appendT(t, l, Event{Time: day(10), Event: RecordOpened, NHSNumber: "9434765919"})
	appendT(t, l, Event{Time: day(11), Event: RecordOpened, NHSNumber: "9990000026"})
	appendT(t, l, Event{Time: day(12), Event: SectionViewed, NHSNumber: "9434765919"})
	appendT(t, l, Event{Time: day(13), Event: PersonNotFound})

	count := func(f Filter) int {
		ev, bad := readT(t, path, f)
		if len(bad) != 0 {
			t.Fatal(bad)
		}
		return len(ev)
	}
	if n := count(Filter{}); n != 4 {
		t.Errorf("all: %d", n)
	}
	if n := count(Filter{Since: day(11)}); n != 3 {
		t.Errorf("since the 11th (inclusive): %d", n)
	}
	if n := count(Filter{NHSNumber: "943 476 5919"}); n != 2 {
		t.Errorf("by NHS number: %d", n)
	}
	if n := count(Filter{NHSNumber: "9434765919", Since: day(11)}); n != 1 {
		t.Errorf("both: %d", n)
	}
	if n := count(Filter{Since: day(14)}); n != 0 {
		t.Errorf("future: %d", n)
	}
}

func TestReadDamagedLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	good, _ := json.Marshal(Event{Time: time.Date(2026, 3, 12, 9, 0, 0, 0, time.UTC), Event: RecordOpened})
	content := string(good) + "\n" +
		"\n" + // blank: ignored
		"not json\n" +
		`{"event":"record-opened"}` + "\n" + // no time
		`{"time":"2026-03-12T09:00:00Z"}` + "\n" + // no kind
		`{"time":"2026-03-12T09:00:00Z","event":"x"} trailing` + "\n" +
		`{"time":"2026-03-12T09:00:00Z","event":"` + strings.Repeat("x", maxLine) + `"}` + "\n" +
		string(good) + "\r\n" +
		string(good) // last line without newline but whole: kept
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	ev, bad := readT(t, path, Filter{})
	if len(ev) != 3 {
		t.Errorf("%d good events, want 3", len(ev))
	}
	var lines []int
	for _, b := range bad {
		var le *LineError
		if !errors.As(b, &le) {
			t.Fatalf("%T %v", b, b)
		}
		lines = append(lines, le.Line)
	}
	if fmt.Sprint(lines) != "[3 4 5 6 7]" {
		t.Errorf("damaged lines %v, want [3 4 5 6 7]", lines)
	}
}

func TestReadMissingFile(t *testing.T) {
	_, _, err := Read(filepath.Join(t.TempDir(), "none.jsonl"), Filter{})
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func TestFailureKind(t *testing.T) {
	for status, want := range map[int]Kind{401: AccessRefused, 403: AccessRefused, 404: AccessFailed, 500: AccessFailed, 429: AccessFailed} {
		if got := FailureKind(status); got != want {
			t.Errorf("FailureKind(%d) = %s", status, got)
		}
	}
}
