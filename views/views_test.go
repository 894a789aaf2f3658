package views_test

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/muesli/termenv"
	"github.com/shcr-project/shcr/record"
	"github.com/shcr-project/shcr/views"
	"github.com/shcr-project/shcr/views/viewstest"
	"github.com/shcr-project/shcr/views/vocab"
)

func TestMain(m *testing.M) {
	lipgloss.SetColorProfile(termenv.Ascii)
	os.Exit(m.Run())
}

var vocabs = []vocab.Vocabulary{vocab.Health(), vocab.SocialCare()}

// noOtherWords fails when text shows a word from the other vocabulary.
func noOtherWords(t *testing.T, v vocab.Vocabulary, text string) {
	t.Helper()
	for _, w := range v.Other().Distinctive() {
		if regexp.MustCompile(`(?i)\b` + regexp.QuoteMeta(w) + `\b`).MatchString(text) {
			t.Errorf("%s screen shows %q from the other vocabulary:\n%s", v.Name, w, text)
		}
	}
}

// The text output of `shcr get`, at both widths and in both vocabularies.
func TestRecordText(t *testing.T) {
	for _, v := range vocabs {
		for _, w := range []int{80, 160} {
			for name, rec := range map[string]*record.Record{
				"full":     viewstest.Record(),
				"problems": viewstest.WithProblems(viewstest.Record()),
				"empty":    viewstest.Empty(),
				"hard":     viewstest.Hard().Masked(nil),
				"deceased": viewstest.Deceased().Masked(nil),
			} {
				t.Run(fmt.Sprintf("%s/%s/%d", v.Name, name, w), func(t *testing.T) {
					out := views.RecordTextWith(rec, v, nil, w, views.TextOptions{Now: viewstest.Now})
					for _, l := range strings.Split(out, "\n") {
						if lipgloss.Width(l) > w {
							t.Errorf("line wider than %d: %q", w, l)
						}
					}
					if strings.Contains(out, "SECRET") {
						t.Error("restricted content shown")
					}
					noOtherWords(t, v, out)
					golden.RequireEqual(t, []byte(out))
				})
			}
		}
	}
}

func TestSectionNoticeNeverSaysNoneForMissingData(t *testing.T) {
	v, st := vocab.Health(), views.TextStyles()
	rec := viewstest.Empty()
	meds := strings.Join(views.SectionNotice(rec, record.SectionMedications, v, st, 200), "\n")
	if !strings.Contains(meds, "Not asked at Demo NHS ShCR") || !strings.Contains(meds, "Not returned by any back end") || strings.Contains(strings.ToLower(meds), "none") {
		t.Errorf("medications (not returned) notice = %q", meds)
	}
	cp := strings.Join(views.SectionNotice(rec, record.SectionCarePackages, v, st, 200), "\n")
	if cp != "None recorded in: Demo NHS ShCR, Demo County Council" {
		t.Errorf("care packages (none recorded) notice = %q", cp)
	}
	// Loading says so, and never "none".
	rec.SetStatus(record.SectionStatus{Backend: "Slow", Section: record.SectionNotes, State: record.StateLoading})
	notes := strings.Join(views.SectionNotice(rec, record.SectionNotes, v, st, 200), "\n")
	if !strings.Contains(notes, "waiting for Slow") || strings.Contains(notes, "None") {
		t.Errorf("loading notes notice = %q", notes)
	}
	// A failed back end with nothing returned elsewhere: the reason, not "none".
	rec.SetStatus(record.SectionStatus{Backend: "GP", Section: record.SectionMedications, State: record.StateFailed, Error: "timed out after 10s"})
	meds = strings.Join(views.SectionNotice(rec, record.SectionMedications, v, st, 200), "\n")
	if !strings.Contains(meds, "Not checked at GP (timed out after 10s)") || strings.Contains(strings.ToLower(meds), "none") {
		t.Errorf("failed medications notice = %q", meds)
	}
}

func TestProblemsAreShownInPlace(t *testing.T) {
	v, st := vocab.Health(), views.TextStyles()
	rec := viewstest.WithProblems(viewstest.Record())
	enc := strings.Join(views.SectionNotice(rec, record.SectionEncounters, v, st, 200), "\n")
	if !strings.Contains(enc, "Showing first 3 of 12,000 at Demo NHS ShCR") {
		t.Errorf("truncated notice = %q", enc)
	}
	al := strings.Join(views.SectionNotice(rec, record.SectionAllergies, v, st, 200), "\n")
	if !strings.Contains(al, "Demo GP Connect: some items are withheld as confidential") {
		t.Errorf("GP Connect warning = %q", al)
	}
	banner := views.Banner(rec, v, st, 200, viewstest.Now)
	for _, want := range []string{"[BACK ENDS DISAGREE date of birth:", "Demo GP Connect 03-Dec-1948", "[BACK END FAILED: Demo GP Connect]", "[KEY SAFE]", "[ALLERGIES]", "[RESTRICTED ITEMS]"} {
		if !strings.Contains(banner, want) {
			t.Errorf("banner lacks %q:\n%s", want, banner)
		}
	}
	if !strings.HasPrefix(banner, "PEBBLEWORTH, Ann (Mrs)  Born 12-Mar-1948 (78y)  Gender Female  NHS No. 999 100 0003") {
		t.Errorf("banner line = %q", strings.SplitN(banner, "\n", 2)[0])
	}
}

func TestCarePackageVerdict(t *testing.T) {
	rec := viewstest.Record()
	if got, want := views.CarePackageVerdict(rec, vocab.Health(), viewstest.Now, nil),
		"Care package in place: Yes — home care, 14 h a week, Brightwater Home Care Ltd, since 03-Jan-2026"; got != want {
		t.Errorf("verdict\n got %q\nwant %q", got, want)
	}
	// Only the ended package: no active one where checked; every back end answered, so No.
	rec.Sections.CarePackages = rec.Sections.CarePackages[1:]
	if got, want := views.CarePackageVerdict(rec, vocab.Health(), viewstest.Now, nil),
		"Care package in place: No — none active at Demo NHS ShCR, Demo County Council"; got != want {
		t.Errorf("verdict\n got %q\nwant %q", got, want)
	}
	// A back end that knows the person failed: Unknown, never No.
	rec.SetBackend(record.BackendStatus{Name: "Demo GP Connect", Status: record.BackendFailed, Error: "503"})
	if got, want := views.CarePackageVerdict(rec, vocab.SocialCare(), viewstest.Now, nil),
		"Care and support in place: Unknown — nothing active at Demo NHS ShCR, Demo County Council; not checked at Demo GP Connect (503)"; got != want {
		t.Errorf("verdict\n got %q\nwant %q", got, want)
	}
}

// TestCarePackageVerdictSaysWhyABackEndHasNone: with no back end that returned care
// packages in full, the verdict is Unknown and says why, back end by back end: not served
// there, not known there, failed.
func TestCarePackageVerdictSaysWhyABackEndHasNone(t *testing.T) {
	rec := &record.Record{}
	rec.SetStatus(record.SectionStatus{Backend: "NHS", Section: record.SectionCarePackages, State: record.StateNotSupported})
	rec.SetStatus(record.SectionStatus{Backend: "GP", Section: record.SectionCarePackages, State: record.StateNotSupported})
	rec.SetBackend(record.BackendStatus{Name: "NHS", Status: record.BackendOK})
	rec.SetBackend(record.BackendStatus{Name: "GP", Status: record.BackendOK})
	rec.SetBackend(record.BackendStatus{Name: "Council", Status: record.BackendNotKnown})
	if got, want := views.CarePackageVerdict(rec, vocab.Health(), viewstest.Now, nil),
		"Care package in place: Unknown — not available from NHS; not available from GP; Council does not know this patient"; got != want {
		t.Errorf("verdict\n got %q\nwant %q", got, want)
	}
	// The council failed instead: nobody checked; say who does not hold packages and who failed.
	rec.SetBackend(record.BackendStatus{Name: "Council", Status: record.BackendFailed, Error: "answered 500"})
	if got, want := views.CarePackageVerdict(rec, vocab.SocialCare(), viewstest.Now, nil),
		"Care and support in place: Unknown — not checked at Council (answered 500)"; got != want {
		t.Errorf("verdict\n got %q\nwant %q", got, want)
	}
}

func TestNoKnownAllergies(t *testing.T) {
	out := views.RecordTextWith(viewstest.Empty(), vocab.Health(), []record.Section{record.SectionAllergies}, 100, views.TextOptions{Now: viewstest.Now})
	if !strings.Contains(out, "No known allergies") {
		t.Errorf("no known allergies not shown:\n%s", out)
	}
	sum := views.Summary(viewstest.Empty(), vocab.Health(), views.TextStyles(), 100, 0, viewstest.Now, nil)
	if !regexp.MustCompile(`Allergies\s+No known allergies`).MatchString(sum) {
		t.Errorf("summary allergies:\n%s", sum)
	}
	if !regexp.MustCompile(`Current medications\s+not asked at Demo NHS ShCR; not asked at Demo County Council`).MatchString(sum) {
		t.Errorf("summary medications should say not returned:\n%s", sum)
	}
}

func TestRestrictedRowsAreMasked(t *testing.T) {
	rec := viewstest.Record()
	for _, v := range vocabs {
		tab := views.NotesTable(rec.Sections.Notes, v, nil)
		win := views.Window{Order: views.DefaultOrder(&tab), Cursor: 0}
		out := views.RenderTable(&tab, views.Widths(&tab, 120), win, v, views.TextStyles(), 120, 10)
		if !strings.Contains(out, "Restricted item — press x to reveal") || strings.Contains(out, "SECRET") {
			t.Errorf("%s notes table:\n%s", v.Name, out)
		}
		det := views.ItemDetails(rec, record.SectionNotes, 2, v, views.TextStyles(), 80, 0, nil, viewstest.Now)
		if strings.Contains(det, "SECRET") || !strings.Contains(det, "restricted") || !strings.Contains(det, "Security labels  R") {
			t.Errorf("restricted details:\n%s", det)
		}
	}
}

func TestDetailsShowProvenance(t *testing.T) {
	rec := viewstest.Record()
	det := views.ItemDetails(rec, record.SectionNextOfKin, 1, vocab.Health(), views.TextStyles(), 100, 0, nil, viewstest.Now)
	for _, want := range []string{"Mary Pebbleworth", "Back end          Demo NHS ShCR", "Organisation      Muddlecombe Hospitals NHS Trust (ZZT01)",
		"Domain            NHS (health)", "Recorded          02-May-2024 09:00", "Source system     Demo EPR", "Also reported by  Demo County Council (LA)"} {
		if !strings.Contains(det, want) {
			t.Errorf("details lack %q:\n%s", want, det)
		}
	}
	compact := views.ItemDetailsCompact(rec, record.SectionNextOfKin, 1, vocab.Health(), views.TextStyles(), 80, 3, nil, viewstest.Now)
	if !strings.Contains(compact, "From Demo NHS ShCR (NHS)") || !strings.Contains(compact, "Muddlecombe Hospitals NHS Trust (ZZT01)") {
		t.Errorf("compact details lose the provenance when short of room:\n%s", compact)
	}
}

// Every row carries its domain as text: NHS or LA.
func TestDomainMarkerOnEveryRow(t *testing.T) {
	rec := viewstest.Record()
	v := vocab.SocialCare()
	for _, sec := range views.TabSections() {
		tab := views.SectionTable(rec, sec, v, nil, viewstest.Now)
		out := views.RenderTable(&tab, views.Widths(&tab, 100), views.Window{Order: views.DefaultOrder(&tab), Cursor: -1}, v, views.TextStyles(), 100, 50)
		lines := strings.Split(out, "\n")[1:]
		widths := views.Widths(&tab, 100)
		want := 0
		for ri := range tab.Rows {
			want += views.RowHeight(&tab, widths, ri)
		}
		if len(lines) != want {
			t.Fatalf("%s: %d lines for %d rows taking %d lines", sec, len(lines), len(tab.Rows), want)
		}
		markers := 0
		for _, l := range lines {
			switch {
			case strings.HasPrefix(l, "  NHS "), strings.HasPrefix(l, "  LA  "):
				markers++
			case !strings.HasPrefix(l, "      "): // a row's further line (a second phone number)
				t.Errorf("%s row without a domain marker: %q", sec, l)
			}
		}
		if markers != len(tab.Rows) {
			t.Errorf("%s: %d domain markers for %d rows", sec, markers, len(tab.Rows))
		}
	}
}

// A frame reads only the visible rows: the rows outside the window can be anything.
func TestRenderTableIsVirtual(t *testing.T) {
	rec := viewstest.Large(10000)
	v := vocab.Health()
	tab := views.EncountersTable(rec.Sections.Encounters, v, nil)
	order := views.DefaultOrder(&tab)
	widths := views.Widths(&tab, 200)
	out := views.RenderTable(&tab, widths, views.Window{Order: order, Offset: 5000, Cursor: 5001}, v, views.TextStyles(), 200, 11)
	lines := strings.Split(out, "\n")
	if len(lines) != 11 {
		t.Fatalf("%d lines, want 11", len(lines))
	}
	if !strings.HasPrefix(lines[2], "> ") {
		t.Errorf("cursor not on the second visible row: %q", lines[2])
	}
	for i := range tab.Rows {
		if i != order[5000] && i != order[5001] {
			tab.Rows[i].Cells = nil // rows outside the window are never read
		}
	}
	_ = views.RenderTable(&tab, widths, views.Window{Order: order, Offset: 5000, Cursor: 5001}, v, views.TextStyles(), 200, 3)
}

func TestPersonName(t *testing.T) {
	got := views.PersonName(record.Name{Family: "Smith", Given: []string{"Ann", "Mary"}, Prefix: []string{"Mrs"}})
	if got != "SMITH, Ann Mary (Mrs)" {
		t.Errorf("PersonName = %q", got)
	}
	if got := views.BornText("1948", vocab.Health(), viewstest.Now); got != "1948" {
		t.Errorf("partial birth date = %q", got)
	}
}

// A revealed restricted item shows; the others stay masked. The text output given a masked
// record (record.Masked) holds no hidden content at all.
func TestRevealedItemsShow(t *testing.T) {
	rec := viewstest.Record()
	v := vocab.SocialCare()
	revealed := func(key string) bool { return key == "note-3" }
	tab := views.NotesTable(rec.Sections.Notes, v, revealed)
	out := views.RenderTable(&tab, views.Widths(&tab, 120), views.Window{Order: views.DefaultOrder(&tab), Cursor: -1}, v, views.TextStyles(), 120, 10)
	if !strings.Contains(out, "SECRET TITLE") || strings.Contains(out, "press x to reveal") {
		t.Errorf("revealed note not shown:\n%s", out)
	}
	if det := views.ItemDetails(rec, record.SectionNotes, 2, v, views.TextStyles(), 100, 0, revealed, viewstest.Now); !strings.Contains(det, "SECRET CONTENT") || !regexp.MustCompile(`Security labels\s+R`).MatchString(det) {
		t.Errorf("revealed details:\n%s", det)
	}
	text := views.RecordTextWith(rec.Masked(nil), v, []record.Section{record.SectionNotes}, 120, views.TextOptions{Now: viewstest.Now, Revealed: revealed})
	if strings.Contains(text, "SECRET") {
		t.Errorf("masked record leaks content:\n%s", text)
	}
	text = views.RecordTextWith(rec.Masked(revealed), v, []record.Section{record.SectionNotes}, 120, views.TextOptions{Now: viewstest.Now, Revealed: revealed})
	if !strings.Contains(text, "SECRET CONTENT") {
		t.Errorf("revealed note missing from text output:\n%s", text)
	}
}
