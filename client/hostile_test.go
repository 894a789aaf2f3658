package client

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/shcr-project/shcr/internal/hostile"
	"github.com/shcr-project/shcr/record"
)

// hostileToken is the bearer token the hostile server echoes in its errors.
const hostileToken = "hostile-test-token.Zm9vYmFy-0123456789"

func hostileFederation(t *testing.T, log *bytes.Buffer) (*Federation, *hostile.Server) {
	t.Helper()
	srv := hostile.Start()
	t.Cleanup(srv.Close)
	fed, err := NewFederation(srv.Backends(""), Options{
		Logger: slog.New(slog.NewJSONHandler(log, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Tokens: func(string) oauth2.TokenSource {
			return oauth2.StaticTokenSource(&oauth2.Token{AccessToken: hostileToken, TokenType: "Bearer"})
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fed.Close)
	return fed, srv
}

// A server that puts escape sequences, bidi overrides and invisible characters in every
// text field, and echoes the bearer token in its errors: the merged record holds none of it
// anywhere — fields, statuses, errors, notices — and still carries the data.
func TestHostileServerRecordIsSafe(t *testing.T) {
	var log bytes.Buffer
	fed, srv := hostileFederation(t, &log)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	matches, statuses := fed.Search(ctx, record.Query{NHSNumber: hostile.NHSNumber})
	if len(matches) != 1 {
		t.Fatalf("search: %d matches, statuses %+v", len(matches), statuses)
	}
	for _, v := range []any{matches[0].Person, matches[0].Discrepancies, statuses} {
		if bad, _ := hostile.Unsafe(v); len(bad) > 0 {
			t.Errorf("search result not safe:\n%s", strings.Join(bad, "\n"))
		}
	}

	rec, found := fed.Fetch(ctx, hostile.NHSNumber, record.Sections())
	if !found {
		t.Fatalf("not found: %+v", rec.Backends)
	}
	bad, n := hostile.Unsafe(rec)
	if len(bad) > 0 {
		t.Errorf("%d of %d strings in the record are not safe:\n%s", len(bad), n, strings.Join(bad, "\n"))
	}

	// The data is still there, legible.
	s := rec.Sections
	if !strings.Contains(rec.Person.Name.Family, "Smith") || len(rec.Person.Phones) == 0 || !strings.Contains(rec.Person.Phones[0].Number, "07700 900123") {
		t.Errorf("person: %+v", rec.Person)
	}
	if len(s.CarePackages) == 0 || len(s.CareTeam) == 0 || len(s.Medications) == 0 || len(s.Allergies) == 0 ||
		len(s.NextOfKin) == 0 || len(s.Encounters) == 0 || len(s.Notes) < 2 || len(s.Alerts) == 0 {
		t.Errorf("sections missing: %d care packages, %d care team, %d medications, %d allergies, %d contacts, %d encounters, %d notes, %d alerts",
			len(s.CarePackages), len(s.CareTeam), len(s.Medications), len(s.Allergies), len(s.NextOfKin), len(s.Encounters), len(s.Notes), len(s.Alerts))
	}
	inline := false
	for _, nt := range s.Notes {
		if strings.Contains(nt.Text, "Discharged home.") {
			inline = true
			if !strings.Contains(nt.Text, "\n") || !strings.Contains(nt.Text, "Daughter visiting") {
				t.Errorf("the note's text should keep its lines and words: %q", nt.Text)
			}
		}
	}
	if !inline {
		t.Errorf("the inline note was not read: %+v", s.Notes)
	}

	// The errors back end failed, said why, and the token it echoed is gone.
	var errs []string
	for _, b := range rec.Backends {
		errs = append(errs, b.Error)
	}
	for _, st := range rec.SectionStatus {
		errs = append(errs, st.Error)
		errs = append(errs, st.Warnings...)
	}
	all := strings.Join(errs, "\n")
	if !strings.Contains(all, "Internal failure") || !strings.Contains(all, "an HTML page") {
		t.Errorf("the errors back end's failures should be reported: %s", all)
	}
	if len(srv.Authorizations()) == 0 || !strings.Contains(srv.Authorizations()[0], hostileToken) {
		t.Fatalf("the server should have received the token: %q", srv.Authorizations())
	}

	// Nothing carries the token, the escape sequences or the bidi controls: not the JSON of
	// the record (what `shcr get --output json` prints), not the log.
	js, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	for what, out := range map[string]string{"record JSON": string(js), "debug log": log.String()} {
		if strings.Contains(out, hostileToken) {
			t.Errorf("%s holds the bearer token", what)
		}
		if strings.Contains(out, `\u001b`) || strings.Contains(out, "\x1b") || strings.Contains(out, `\u009b`) {
			t.Errorf("%s holds ESC or a C1 control", what)
		}
		if leaks := hostile.TerminalLeaks(out); len(leaks) > 0 {
			t.Errorf("%s: %v", what, leaks)
		}
	}
}
