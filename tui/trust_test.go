package tui

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/shcr-project/shcr/record"
	"github.com/shcr-project/shcr/views"
	"github.com/shcr-project/shcr/views/viewstest"
	"github.com/shcr-project/shcr/views/vocab"
)

// The y key copies only a number that can be called now: never an ended contact's, never a
// fax, an ended number or a text-phone.
func TestCopyOffersOnlyCallableNumbers(t *testing.T) {
	for _, v := range []vocab.Vocabulary{vocab.Health(), vocab.SocialCare()} {
		m := fixtureModel(t, v, RoleDispatcher, viewstest.Hard(), 160, 48)
		d := &driver{tb: t, m: m}
		pn := m.record.pane()
		m.record.ensure(pn)
		copied := map[string]string{}
		for range pn.order {
			r := pn.selectedRow()
			m.flash, m.osc = "", ""
			d.keys("y")
			copied[r.Cells[0]] = m.osc // the OSC 52 sequence written with the next frame
			d.keys("down")
		}
		if got := copied["Rita Vole"]; got != "" {
			t.Errorf("%s: y on the ended guardian gave %q", v.Name, got)
		}
		if got := copied["Jo Quill"]; got != "" {
			t.Errorf("%s: y on a contact with no phone gave %q", v.Name, got)
		}
		if got, want := copied["Mary Pebbleworth"], "\x1b]52;c;"+base64.StdEncoding.EncodeToString([]byte("01632 960888"))+"\a"; got != want {
			t.Errorf("%s: y on Mary copied %q, want %q (not the ended mobile, not the text-phone)", v.Name, got, want)
		}
		out := views.Strip(m.View())
		if strings.Contains(out, "Rita Vole") && strings.Contains(out, "Guardian — guardian") {
			t.Errorf("%s: relationship said twice", v.Name)
		}
	}
}

// What a back end's overall answer does to its sections still loading: not asked, not known,
// failed — never "not served there", never "none".
func TestBackendAnswerSetsSectionStates(t *testing.T) {
	v := vocab.Health()
	rec := &record.Record{Person: viewstest.Person()}
	for _, b := range []string{"Asked", "Sign", "Unknown", "Silent"} {
		rec.SetBackend(record.BackendStatus{Name: b, Status: string(record.StateLoading)})
		for _, sec := range record.Sections() {
			rec.SetStatus(record.SectionStatus{Backend: b, Section: sec, State: record.StateLoading})
		}
	}
	for _, sec := range record.Sections() {
		rec.SetStatus(record.SectionStatus{Backend: "Asked", Section: sec, State: record.StateReturned})
	}
	m := fixtureModel(t, v, "", rec, 160, 48)
	p := m.record
	p.backend(record.BackendStatus{Name: "Asked", Status: record.BackendOK})
	p.backend(record.BackendStatus{Name: "Sign", Status: record.BackendNotQueried, Error: "sign-in needed"})
	p.backend(record.BackendStatus{Name: "Unknown", Status: record.BackendNotKnown})
	p.update(openDoneMsg{gen: p.gen})
	out := views.Strip(m.View())
	for _, want := range []string{"not asked at Sign (sign-in needed)", "not checked at Silent"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "none recorded") || strings.Contains(out, "not available from") {
		t.Errorf("summary says none or not served:\n%s", out)
	}
	if c := rec.Coverage(record.SectionAllergies); len(c.NotKnown) != 1 || c.NotKnown[0] != "Unknown" {
		t.Errorf("the back end that does not know the person: %+v", c)
	}
}
