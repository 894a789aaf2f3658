package audit

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// TestAuditEventGolden keeps one AuditEvent per event kind in testdata/auditevent/, so that a
// change of shape shows in review. SHCR_UPDATE_GOLDEN=1 rewrites them.
func TestAuditEventGolden(t *testing.T) {
	base := Event{Time: t0, OSUser: "jcarter", SignedInUser: "Dr Jane Carter (jane.carter@nhs.net)", NHSNumber: "9434765919",
		Purpose: "direct-care", Backends: []string{"essex-shcr", "gp"}, Sections: []string{"summary", "medications"}}
	cases := map[string]Event{}
	for _, k := range []Kind{RecordOpened, SectionViewed, RestrictedRevealed, AccessRefused, PersonNotFound, AccessFailed,
		ScreenLocked, ScreenUnlocked, SignedOut, SignedIn, BreakGlassStarted, RecordExported} {
		e := base
		e.Event = k
		switch k {
		case RecordOpened:
			e.RequestID = "4f6c1b3e-8d2a-4c55-9e0b-7a1d2c3e4f50"
		case RestrictedRevealed:
			e.Reason, e.Items = "safeguarding strategy meeting", []string{"AllergyIntolerance/a1"}
		case AccessRefused:
			e.Backends, e.Detail = []string{"gp"}, "HTTP 403"
		case AccessFailed:
			e.Backends, e.Detail = []string{"gp"}, "timed out"
		case PersonNotFound:
			e.Sections, e.Detail = nil, "searched by NHS number"
		case BreakGlassStarted:
			e.Purpose = "emergency"
		case RecordExported:
			e.Sections, e.Detail = nil, ExportFile
		case ScreenLocked, ScreenUnlocked, SignedOut, SignedIn:
			e.NHSNumber, e.Purpose, e.Sections = "", "", nil
			e.Backends = nil
			if k == SignedIn {
				e.Backends = []string{"essex-shcr"}
			}
		}
		cases[k] = e
	}
	emergency := base
	emergency.Event, emergency.Purpose = RecordOpened, "emergency"
	cases["record-opened-emergency"] = emergency

	for name, e := range cases {
		b, err := json.MarshalIndent(ToAuditEvent(e, "shcr-0123456789abcdef0123456789abcdef01234567", testSite), "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		b = append(b, '\n')
		path := filepath.Join("testdata", "auditevent", name+".json")
		if os.Getenv("SHCR_UPDATE_GOLDEN") == "1" {
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, b, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (SHCR_UPDATE_GOLDEN=1 writes it)", err)
		}
		if !bytes.Equal(b, want) {
			t.Errorf("%s differs from %s:\n%s", name, path, b)
		}
	}
}
