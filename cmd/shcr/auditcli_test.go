package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shcr-project/shcr/internal/audit"
	"github.com/shcr-project/shcr/internal/text"
)

// realTrail writes events to the real (non-demo) default trail of env.
func realTrail(t *testing.T, env []string, events ...audit.Event) string {
	t.Helper()
	path := filepath.Join(envValue(env, "XDG_STATE_HOME"), "shcr", "audit.jsonl")
	l, err := audit.Open(path, audit.Options{OSUser: "jcarter"})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for _, e := range events {
		if err := l.Append(e); err != nil {
			t.Fatal(err)
		}
	}
	return path
}

func longTrail(t *testing.T, env []string) string {
	return realTrail(t, env,
		audit.Event{Time: time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC), Event: audit.RecordOpened, NHSNumber: "9434765919",
			Purpose: "direct-care", Backends: []string{"Regional Shared Care Record", "Demoshire County Council", "Kettlewick Surgery GP Connect"},
			Sections: []string{"care-packages", "care-team", "medications", "allergies", "next-of-kin", "encounters", "notes", "alerts"}},
		audit.Event{Time: time.Date(2026, 3, 31, 23, 30, 0, 0, time.UTC), Event: audit.RestrictedRevealed, NHSNumber: "9990000026",
			SignedInUser: "jane.carter@nhs.net", Purpose: "other", Reason: "safeguarding strategy meeting", Backends: []string{"council"}},
		audit.Event{Time: time.Date(2026, 4, 2, 8, 0, 0, 0, time.UTC), Event: audit.RecordOpened,
			Purpose: "direct-care", Backends: []string{"council"}, SourceIDs: []string{"council/dcc-0013"}},
	)
}

// TestAuditCommand runs `shcr audit` as a process: table in 80 columns, JSON lines, --until.
func TestAuditCommand(t *testing.T) {
	env := testEnv(t)
	longTrail(t, env)
	tests := []struct {
		name      string
		args      []string
		width     int      // every line at most this wide (0: not checked)
		contains  []string // in stdout
		notIn     []string
		jsonLines int // with --output json: this many lines, each an event (-1: not JSON)
	}{
		{name: "80 columns by default", args: nil, width: 80, jsonLines: -1,
			contains: []string{"TIME (UK)", "10-Mar-2026 09:30:00  record-opened", "Kettlewick Surgery GP Connect", "alerts", "ids: council/dcc-0013", "3 events."}},
		{name: "--width 60", args: []string{"--width", "60"}, width: 60, jsonLines: -1, contains: []string{"3 events."}},
		// 23:30 UTC on 31 March is 00:30 on 1 April in the UK (BST): after --until 31-Mar-2026.
		{name: "--until is a whole UK day", args: []string{"--until", "31-Mar-2026"}, width: 80, jsonLines: -1,
			contains: []string{"1 event until 31-Mar-2026."}, notIn: []string{"restricted-revealed"}},
		{name: "--until 01/04/2026", args: []string{"--since", "2026-03-11", "--until", "01/04/2026"}, jsonLines: -1,
			contains: []string{"1 event since 11-Mar-2026 until 01-Apr-2026.", "restricted-revealed"}},
		{name: "json lines", args: []string{"--output", "json"}, jsonLines: 3},
		{name: "json lines for one person", args: []string{"-o", "json", "--nhs", "999 000 0026"}, jsonLines: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := shcr(t, env, append([]string{"audit"}, tt.args...)...)
			if r.code != 0 || r.stderr != "" {
				t.Fatalf("%s", r)
			}
			lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
			for _, l := range lines {
				if tt.width > 0 && text.Width(l) > tt.width {
					t.Errorf("line of %d columns (max %d): %q", text.Width(l), tt.width, l)
				}
			}
			for _, w := range tt.contains {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("stdout lacks %q\n%s", w, r.stdout)
				}
			}
			for _, w := range tt.notIn {
				if strings.Contains(r.stdout, w) {
					t.Errorf("stdout has %q\n%s", w, r.stdout)
				}
			}
			if tt.jsonLines < 0 {
				return
			}
			if len(lines) != tt.jsonLines {
				t.Fatalf("%d lines, want %d JSON lines\n%s", len(lines), tt.jsonLines, r.stdout)
			}
			for _, l := range lines {
				var e map[string]any
				if err := json.Unmarshal([]byte(l), &e); err != nil {
					t.Fatalf("not JSON: %v: %q", err, l)
				}
				for _, k := range []string{"time", "event", "os_user", "purpose", "backends"} {
					if _, ok := e[k]; !ok {
						t.Errorf("event lacks %q: %s", k, l)
					}
				}
				if _, err := time.Parse(time.RFC3339, e["time"].(string)); err != nil {
					t.Errorf("time %v: %v", e["time"], err)
				}
			}
			if tt.jsonLines == 1 && !strings.Contains(lines[0], `"nhs_number":"9990000026"`) ||
				tt.jsonLines == 3 && !strings.Contains(lines[2], `"source_ids":["council/dcc-0013"]`) {
				t.Errorf("JSON lines:\n%s", r.stdout)
			}
		})
	}
	for _, args := range [][]string{{"--output", "yaml"}, {"--until", "soon"}, {"--width", "10"}} {
		if r := shcr(t, env, append([]string{"audit"}, args...)...); r.code != exitUsage || !strings.HasPrefix(r.stderr, "shcr audit: ") {
			t.Errorf("audit %v: want exit 2\n%s", args, r)
		}
	}
}

// TestDemoEventsGoToTheDemoTrail: `shcr get --demo` writes audit-demo.jsonl beside the real
// trail and leaves the real one exactly as it was; `shcr audit --demo` reads the demo one.
func TestDemoEventsGoToTheDemoTrail(t *testing.T) {
	env := testEnv(t)
	real := longTrail(t, env)
	before, err := os.ReadFile(real)
	if err != nil {
		t.Fatal(err)
	}
	p := demoPerson(t, "Active home-care package")
	if r := shcr(t, env, "get", "--demo", p.NHSNumber, "--sections", "alerts"); r.code != 0 {
		t.Fatalf("%s", r)
	}
	after, err := os.ReadFile(real)
	if err != nil || string(after) != string(before) {
		t.Errorf("the real trail changed (%v):\n%s", err, after)
	}
	demoEvents := readTrailFile(t, filepath.Join(filepath.Dir(real), "audit-demo.jsonl"))
	if len(demoEvents) != 1 || demoEvents[0]["event"] != "record-opened" || demoEvents[0]["nhs_number"] != p.NHSNumber || demoEvents[0]["purpose"] != "demo" {
		t.Errorf("demo trail: %v", demoEvents)
	}
	if r := shcr(t, env, "audit", "--demo", "--output", "json"); r.code != 0 || strings.Count(r.stdout, "\n") != 1 || !strings.Contains(r.stdout, p.NHSNumber) {
		t.Errorf("shcr audit --demo:\n%s", r)
	}
	if r := shcr(t, env, "audit", "--output", "json"); r.code != 0 || strings.Count(r.stdout, "\n") != 3 || strings.Contains(r.stdout, p.NHSNumber) {
		t.Errorf("shcr audit:\n%s", r)
	}
}
