package logscrub

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"testing/slogtest"
	"time"
)

func TestStringRedacts(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		// NHS numbers (9434765919 and 9990000026 pass Modulus 11)
		{"patient 9434765919 not found", "patient [redacted:nhs-number] not found"},
		{"nhs=943 476 5919;", "nhs=[redacted:nhs-number];"},
		{"943-476-5919", "[redacted:nhs-number]"},
		{"identifier=https://fhir.nhs.uk/Id/nhs-number|9990000026&_count=50", "identifier=https://fhir.nhs.uk/Id/nhs-number|[redacted:nhs-number]&_count=50"},
		{"two: 9434765919,9990000026", "two: [redacted:nhs-number],[redacted:nhs-number]"},
		// UK phone numbers
		{"call 07700 900123 now", "call [redacted:phone] now"},
		{"07700900123", "[redacted:phone]"},
		{"tel:+44 7700 900123", "tel:[redacted:phone]"},
		{"+447700900123", "[redacted:phone]"},
		{"(0113) 496 0000 office", "[redacted:phone] office"},
		{"0113 496 0000", "[redacted:phone]"},
		{"020 7946 0000", "[redacted:phone]"},
		{"+44 (0)20 7946 0000", "[redacted:phone]"},
		{"0113-496-0000", "[redacted:phone]"},
		{"016977 3456", "[redacted:phone]"},
		// tokens
		{"Authorization: Bearer abc.DEF-123_x~y+z/==", "Authorization: Bearer [redacted:token]"},
		{"authorization=bearer%20abcdef", "authorization=bearer [redacted:token]"},
		{"id_token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl end", "id_token [redacted:token] end"},
		{"eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", "[redacted:token]"},
	} {
		if got := String(tc.in); got != tc.want {
			t.Errorf("String(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
}

func TestStringKeepsWhatLogsNeed(t *testing.T) {
	for _, s := range []string{
		"GET /EpisodeOfCare status=403 elapsed=1.234s backend=council count=5000",
		"2026-03-12T14:05:00.123456789Z",
		"12-Mar-2026 09:30",
		"9434765918",           // fails Modulus 11: not an NHS number
		"19434765919",          // 11 digits: not an NHS number
		"94347659190",          // neither
		"elapsed 1.0023456789", // a decimal, not a phone
		"trace 123e4567-e89b-12d3-a456-426614174000",
		"bytes=1048576 entries=10000 pages=3",
		"HTTP 429, retry after 30s",
		"abc07700900123",
	} {
		if got := String(s); got != s {
			t.Errorf("String(%q) = %q; it should be unchanged", s, got)
		}
	}
}

type patientID string

func (p patientID) String() string { return "Patient " + string(p) }

type nhsValuer struct{}

func (nhsValuer) LogValue() slog.Value { return slog.StringValue("9434765919") }

type contact struct {
	Name  string
	Phone string
}

func TestHandlerScrubsEverything(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	log = log.With("token", "s3cr3t-refresh", slog.String("who", "943 476 5919"))
	log.Debug("searching for 9434765919",
		"nhs", "9434765919",
		"nhs_int", int64(9434765919),
		"nhs_uint", uint64(9990000026),
		"err", fmt.Errorf("back end said: no patient 943-476-5919 at 07700 900123: %w", errors.New("404")),
		"stringer", patientID("9990000026"),
		"valuer", nhsValuer{},
		"struct", contact{Name: "Kin", Phone: "+44 7700 900123"},
		"bytes", []byte("Bearer abc123"),
		slog.Group("req", slog.String("authorization", "Bearer abc.def"), slog.Group("deep", "phone", "0113 496 0000")),
		"access_token", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl",
		"status", 403, "count", 12, "elapsed", 1500*time.Millisecond, "backend", "council",
	)
	log.WithGroup("g").Info("x", "client_secret", "hunter2", "phone", "07700900123")
	out := buf.String()
	for _, secret := range []string{"9434765919", "943 476 5919", "943-476-5919", "9990000026", "07700 900123", "07700900123",
		"7700 900123", "0113 496 0000", "abc123", "abc.def", "eyJ", "s3cr3t", "hunter2"} {
		if strings.Contains(out, secret) {
			t.Errorf("log contains %q:\n%s", secret, out)
		}
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines:\n%s", len(lines), out)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &m); err != nil {
		t.Fatal(err)
	}
	// What a log needs stays as it was, types included.
	if m["status"] != 403.0 || m["count"] != 12.0 || m["backend"] != "council" || m["elapsed"] != float64(1500*time.Millisecond) {
		t.Errorf("kept fields changed: %v", m)
	}
	if m["msg"] != "searching for "+RedactedNHSNumber || m["token"] != Redacted || m["nhs_int"] != RedactedNHSNumber ||
		m["valuer"] != RedactedNHSNumber || m["access_token"] != Redacted {
		t.Errorf("redactions: %v", m)
	}
	if req := m["req"].(map[string]any); req["authorization"] != Redacted || req["deep"].(map[string]any)["phone"] != RedactedPhone {
		t.Errorf("groups: %v", req)
	}
	if !strings.Contains(m["err"].(string), "back end said: no patient "+RedactedNHSNumber+" at "+RedactedPhone+": 404") {
		t.Errorf("error value: %v", m["err"])
	}
	if !strings.Contains(lines[1], `"g":{"client_secret":"[redacted]","phone":"[redacted:phone]"}`) {
		t.Errorf("WithGroup: %s", lines[1])
	}
}

// The wrapper is a well-behaved slog.Handler.
func TestSlogtest(t *testing.T) {
	var buf bytes.Buffer
	slogtest.Run(t, func(*testing.T) slog.Handler {
		buf.Reset()
		return New(slog.NewJSONHandler(&buf, nil))
	}, func(t *testing.T) map[string]any {
		var m map[string]any
		if err := json.Unmarshal(buf.Bytes(), &m); err != nil {
			t.Fatal(err)
		}
		return m
	})
}

func TestEnabledFollowsInner(t *testing.T) {
	h := New(slog.NewTextHandler(&bytes.Buffer{}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if h.Enabled(t.Context(), slog.LevelInfo) || !h.Enabled(t.Context(), slog.LevelError) {
		t.Error("Enabled does not follow the inner handler")
	}
}

func BenchmarkString(b *testing.B) {
	s := "GET /EpisodeOfCare?patient=123&_count=50 status=200 elapsed=0.123s backend=council entries=50"
	b.ReportAllocs()
	for b.Loop() {
		_ = String(s)
	}
}
