package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shcr-project/shcr/internal/text"
)

// TestGetByName runs `shcr get --demo` with the find-by-name flags: one person is printed,
// twins are listed with exit 5, bad flags are exit 2.
func TestGetByName(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		code     int
		stdout   []string // each in stdout
		notOut   []string // none in stdout
		stderr   string   // in stderr
		auditNHS string   // the record-opened event's NHS number ("-": no event)
	}{
		{name: "family and birth date find one", args: []string{"--family", "fenwick", "--birth-date", "22-Jul-1946", "--sections", "care-packages"},
			code: 0, stdout: []string{"FENWICK, Doris", "999 456 0018", "Care packages"}, notOut: []string{"Medications ("}, auditNHS: "9994560018"},
		{name: "ISO date and given name", args: []string{"--family", "Hargreaves", "--given", "Brian", "--birth-date", "1950-06-30", "--section", "alerts"},
			code: 0, stdout: []string{"HARGREAVES, Brian", "999 222 0007", "Alerts ("}, notOut: []string{"999 111 0003"}, auditNHS: "9992220007"},
		{name: "twins are listed", args: []string{"--family", "Hargreaves", "--birth-date", "30/06/1950"},
			code: exitAmbiguous, stdout: []string{"2 people match", "HARGREAVES, Alan", "999 111 0003", "HARGREAVES, Brian", "999 222 0007", "30-Jun-1950", "DM2 5HW", "Demo NHS ShCR"},
			notOut: []string{"Care packages ("}, stderr: "2 people match", auditNHS: "-"},
		{name: "twins as JSON", args: []string{"--family", "Hargreaves", "--birth-date", "30-Jun-1950", "--output", "json"},
			code: exitAmbiguous, stdout: []string{`"matches": [`, `"nhs_number": "9991110003"`, `"nhs_number": "9992220007"`, `"postcode": "DM2 5HW"`},
			stderr: "2 people match", auditNHS: "-"},
		{name: "name without a date", args: []string{"--family", "Hargreaves"}, code: exitUsage, stderr: "--birth-date", auditNHS: "-"},
		{name: "bad date", args: []string{"--family", "Hargreaves", "--birth-date", "31-Feb-1950"}, code: exitUsage, stderr: "--birth-date", auditNHS: "-"},
		{name: "number and name", args: []string{"9994560018", "--family", "Fenwick", "--birth-date", "22-Jul-1946"}, code: exitUsage, stderr: "not both", auditNHS: "-"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := testEnv(t)
			r := shcr(t, env, append([]string{"get", "--demo"}, tt.args...)...)
			if r.code != tt.code {
				t.Fatalf("exit %d, want %d\n%s", r.code, tt.code, r)
			}
			for _, w := range tt.stdout {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("stdout lacks %q\n%s", w, r)
				}
			}
			for _, w := range tt.notOut {
				if strings.Contains(r.stdout, w) {
					t.Errorf("stdout has %q\n%s", w, r)
				}
			}
			if !strings.Contains(r.stderr, tt.stderr) {
				t.Errorf("stderr lacks %q\n%s", tt.stderr, r)
			}
			events := readTrail(t, env)
			opened := ""
			for _, e := range events {
				if e["event"] == "record-opened" {
					opened, _ = e["nhs_number"].(string)
				}
			}
			if tt.auditNHS == "-" && opened != "" || tt.auditNHS != "-" && opened != tt.auditNHS {
				t.Errorf("record-opened NHS number %q, want %q; trail %v", opened, tt.auditNHS, events)
			}
		})
	}
}

// TestGetByNameWithoutNHSNumber: a person known only to the council is opened and audited by
// the council's own identifier.
func TestGetByNameWithoutNHSNumber(t *testing.T) {
	env := testEnv(t)
	r := shcr(t, env, "get", "--demo", "--family", "Dunmore", "--birth-date", "12-Oct-2005", "--sections", "care-packages")
	// GP Connect searches by NHS number only: it cannot be asked, so the result is partial.
	if r.code != exitPartial || !strings.Contains(r.stdout, "DUNMORE, Kayleigh") || !strings.Contains(r.stdout, "Supported living") {
		t.Fatalf("want exit 4 with the record\n%s", r)
	}
	var ids []any
	for _, e := range readTrail(t, env) {
		if e["event"] == "record-opened" {
			if _, has := e["nhs_number"]; has {
				t.Errorf("record-opened has an NHS number: %v", e)
			}
			ids, _ = e["source_ids"].([]any)
		}
	}
	if len(ids) != 1 || !strings.HasPrefix(ids[0].(string), "Demo County Council/") {
		t.Errorf("source_ids = %v, want the council's id", ids)
	}
}

// readTrail reads the demo audit trail of env as JSON objects (none when it is absent).
func readTrail(t *testing.T, env []string) []map[string]any {
	t.Helper()
	return readTrailFile(t, filepath.Join(envValue(env, "XDG_STATE_HOME"), "shcr", "audit-demo.jsonl"))
}

func readTrailFile(t *testing.T, path string) []map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if line == "" {
			continue
		}
		var e map[string]any
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("%s: %v: %q", path, err, line)
		}
		out = append(out, e)
	}
	return out
}

// TestGetTextWidth: piped, lines are whole (the longest note is far past 120 columns);
// --width N lays out in N columns.
func TestGetTextWidth(t *testing.T) {
	p := demoPerson(t, "Active home-care package")
	tests := []struct {
		name          string
		args          []string
		longest, most int // the longest line is at least longest and at most most columns
	}{
		{"piped: full lines", nil, 200, 1000},
		{"--width 80", []string{"--width", "80"}, 60, 80},
		{"--width 120", []string{"--width", "120"}, 100, 120},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := shcr(t, testEnv(t), append([]string{"get", "--demo", p.NHSNumber}, tt.args...)...)
			if r.code != 0 {
				t.Fatalf("%s", r)
			}
			longest := 0
			for _, l := range strings.Split(r.stdout, "\n") {
				longest = max(longest, text.Width(l))
				if strings.HasSuffix(l, " ") {
					t.Errorf("line ends in a space: %q", l)
				}
			}
			if longest < tt.longest || longest > tt.most {
				t.Errorf("longest line %d columns, want %d..%d\n%s", longest, tt.longest, tt.most, r.stdout)
			}
		})
	}
}
