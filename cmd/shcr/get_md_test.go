package main

import (
	"bytes"
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"
	"github.com/shcr-project/shcr/internal/demo"
)

// runAt runs the command line in process with the demo's reference date as the clock (the
// handover summary is dated and judged by it), in env.
func runAt(t *testing.T, env []string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	a := &app{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: func(k string) string { return envValue(env, k) },
		now: func() time.Time { return demo.ReferenceDate }}
	code := a.run(context.Background(), args)
	return result{stdout: out.String(), stderr: errb.String(), code: code}
}

// `shcr get NHS --output md` against the demo back ends: the handover summary, in both
// vocabularies, against golden files.
func TestGetHandoverMarkdown(t *testing.T) {
	t.Parallel()
	for _, who := range []string{"Active home-care package", "Dispatcher case", "safeguarding flag", "Deceased"} {
		p := demoPerson(t, who)
		for _, voc := range []string{"health", "social-care"} {
			t.Run(p.NHSNumber+"/"+voc, func(t *testing.T) {
				r := runAt(t, testEnv(t), "get", "--demo", p.NHSNumber, "--output", "md", "--vocabulary", voc)
				if r.code != 0 {
					t.Fatalf("%s", r)
				}
				for _, want := range []string{"# Handover summary: ", "## Alerts", "## Next of kin", "## Allergies", "## What could not be checked"} {
					if voc == "social-care" {
						want = strings.ReplaceAll(want, "Next of kin", "Family and friends")
					}
					if !strings.Contains(r.stdout, want) {
						t.Errorf("no %q in:\n%s", want, r.stdout)
					}
				}
				golden.RequireEqual(t, []byte(sortedSources(t, r.stdout)))
			})
		}
	}
}

// The real binary prints the summary (a clock of its own: only its shape is checked) and
// records the look in the audit trail; "markdown" is the same format.
func TestGetHandoverMarkdownBinary(t *testing.T) {
	t.Parallel()
	p := demoPerson(t, "Dispatcher case")
	env := testEnv(t)
	r := shcr(t, env, "get", "--demo", p.NHSNumber, "-o", "markdown")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "# Handover summary: BRACKENBURY, Stanley") || !strings.Contains(r.stdout, "NHS No. 999 234 0002") {
		t.Fatalf("%s", r)
	}
	if strings.Contains(r.stdout, "\x1b") {
		t.Error("escape sequence in the Markdown")
	}
	evs := auditEvents(t, env)
	if len(evs) == 0 || evs[len(evs)-1]["event"] != "record-opened" {
		t.Errorf("audit trail: %v", evs)
	}
}

// A back end that fails: every list says it could not be checked there, never "none
// recorded"; the exit code is 4 (partial).
func TestGetHandoverMarkdownWithAFailedBackEnd(t *testing.T) {
	t.Parallel()
	file, _ := brokenCouncilConfig(t)
	p := demoPerson(t, "Dispatcher case")
	r := runAt(t, testEnv(t), "--config", file, "get", p.NHSNumber, "--output", "md", "--purpose", "direct-care")
	if r.code != exitPartial {
		t.Fatalf("exit %d, want %d\n%s", r.code, exitPartial, r)
	}
	for _, part := range strings.Split(r.stdout, "\n## ")[1:] {
		title, body, _ := strings.Cut(part, "\n")
		if title == "Care package" {
			if !strings.Contains(body, "Unknown") {
				t.Errorf("care package verdict with a council down:\n%s", body)
			}
			continue
		}
		if !strings.Contains(body, "broken-council") {
			t.Errorf("%s does not say broken-council could not be checked:\n%s", title, body)
		}
		if strings.Contains(body, "- none recorded") {
			t.Errorf("%s says none recorded with a back end down:\n%s", title, body)
		}
	}
}

// --tab sets the tab a record opens on; a name that is not a tab is refused (exit 2).
func TestTabFlag(t *testing.T) {
	t.Parallel()
	r := runAt(t, testEnv(t), "get", "--demo", demoExample(), "--tab", "alerts")
	if r.code != exitUsage || !strings.Contains(r.stderr, `--tab: "alerts" is not a tab (summary | care-packages`) {
		t.Errorf("%s", r)
	}
	r = runAt(t, testEnv(t), "get", "--demo", demoExample(), "--tab", "next-of-kin", "--section", "alerts")
	if r.code != 0 {
		t.Errorf("%s", r)
	}
}

// sourceRe is a list line's source, in italics at its end.
var sourceRe = regexp.MustCompile(`(?m) — _[^_]*_$`)

// sortedSources writes each line's source as the sorted names of the back ends that
// reported the item: which back end answered first, and so whose provenance leads a merged
// item, depends on timing (record.Merge keeps the first), not on the record.
func sortedSources(t *testing.T, md string) string {
	backends := demoBackendNames(t)
	return sourceRe.ReplaceAllStringFunc(md, func(m string) string {
		var names []string
		for _, b := range backends {
			if strings.Contains(m, b) {
				names = append(names, b)
			}
		}
		slices.Sort(names)
		return " — _from " + strings.Join(names, ", ") + "_"
	})
}
