package views_test

import (
	"strings"
	"testing"

	"github.com/shcr-project/shcr/record"
	"github.com/shcr-project/shcr/views"
	"github.com/shcr-project/shcr/views/viewstest"
	"github.com/shcr-project/shcr/views/vocab"
)

// While a back end is still being asked, the verdict and the Summary say "checking X…" and
// never Yes, No or "none recorded"; once it has answered they settle.
func TestVerdictChecksUntilEveryBackEndAnswered(t *testing.T) {
	for _, v := range []vocab.Vocabulary{vocab.Health(), vocab.SocialCare()} {
		t.Run(v.Name, func(t *testing.T) {
			// The council (which holds the packages) has not answered; the NHS back end has,
			// with no care package.
			rec := viewstest.Record()
			rec.Sections.CarePackages = nil
			rec.Sections.NextOfKin = nil
			for _, sec := range record.Sections() {
				rec.SetStatus(record.SectionStatus{Backend: viewstest.Social, Section: sec, State: record.StateLoading})
			}
			rec.SetStatus(record.SectionStatus{Backend: viewstest.Health, Section: record.SectionCarePackages, State: record.StateReturned})
			rec.SetStatus(record.SectionStatus{Backend: viewstest.Health, Section: record.SectionNextOfKin, State: record.StateReturned})

			verdict := views.CarePackageVerdict(rec, v, viewstest.Now, nil)
			prefix := strings.TrimSuffix(v.VerdictChecking, "%s…")
			if verdict != prefix+viewstest.Social+"…" {
				t.Errorf("verdict while the council is asked = %q", verdict)
			}
			if strings.Contains(verdict, ": No") || strings.Contains(verdict, ": Yes") || strings.Contains(verdict, "Unknown") {
				t.Errorf("verdict settled before the council answered: %q", verdict)
			}
			kin := summaryLine(t, rec, v, v.SumNextOfKin)
			if kin != "checking "+viewstest.Social+"…" {
				t.Errorf("next of kin line while the council is asked = %q", kin)
			}
			cp := summaryLine(t, rec, v, v.SumCarePackage)
			if cp != verdict {
				t.Errorf("Summary's care package line %q, verdict %q", cp, verdict)
			}
			lines := views.SectionNoticeWaiting(rec, record.SectionCarePackages, v, views.TextStyles(), 200, views.Wait{Frame: "⠋", Elapsed: 4500e6})
			if got := strings.Join(lines, "\n"); !strings.Contains(got, "⠋ waiting for "+viewstest.Social+" (4 s)") || strings.Contains(got, "None recorded") {
				t.Errorf("care packages notice while the council is asked:\n%s", got)
			}

			// A package found by the NHS back end is said, and still not Yes.
			full := viewstest.Record()
			rec.Sections.CarePackages = full.Sections.CarePackages
			verdict = views.CarePackageVerdict(rec, v, viewstest.Now, nil)
			if !strings.HasPrefix(verdict, prefix+viewstest.Social+"… — ") || !strings.Contains(verdict, "home care") {
				t.Errorf("verdict with a package found so far = %q", verdict)
			}

			// The council answers: the verdict settles.
			rec.Sections.CarePackages = nil
			rec.SetStatus(record.SectionStatus{Backend: viewstest.Social, Section: record.SectionCarePackages, State: record.StateReturned})
			rec.SetStatus(record.SectionStatus{Backend: viewstest.Social, Section: record.SectionNextOfKin, State: record.StateReturned})
			verdict = views.CarePackageVerdict(rec, v, viewstest.Now, nil)
			if want := strings.ReplaceAll(v.VerdictNo, "%s", viewstest.Health+", "+viewstest.Social); verdict != want {
				t.Errorf("settled verdict = %q, want %q", verdict, want)
			}
			if kin := summaryLine(t, rec, v, v.SumNextOfKin); kin != v.SumNone {
				t.Errorf("settled next of kin line = %q", kin)
			}
		})
	}
}

func summaryLine(t *testing.T, rec *record.Record, v vocab.Vocabulary, label string) string {
	t.Helper()
	for _, f := range views.SummaryFields(rec, v, viewstest.Now, nil) {
		if f.Label == label {
			return f.Value
		}
	}
	t.Fatalf("no Summary line %q", label)
	return ""
}
