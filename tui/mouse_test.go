package tui

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/shcr-project/shcr/views"
	"github.com/shcr-project/shcr/views/viewstest"
	"github.com/shcr-project/shcr/views/vocab"
)

// at is where s is first drawn on the screen m shows: its cell and line.
func at(t *testing.T, m *Model, s string) (x, y int) {
	t.Helper()
	for i, l := range strings.Split(views.Strip(m.View()), "\n") {
		if j := strings.Index(l, s); j >= 0 {
			return lipgloss.Width(l[:j]), i
		}
	}
	t.Fatalf("%q not on the screen:\n%s", s, views.Strip(m.View()))
	return 0, 0
}

func click(x, y int) tea.MouseMsg {
	return tea.MouseMsg{X: x, Y: y, Button: tea.MouseButtonLeft, Action: tea.MouseActionPress}
}

func wheel(down bool, x, y int) tea.MouseMsg {
	b := tea.MouseButtonWheelUp
	if down {
		b = tea.MouseButtonWheelDown
	}
	return tea.MouseMsg{X: x, Y: y, Button: b, Action: tea.MouseActionPress}
}

// A click on a tab chooses it; a click on a row selects it (any of its lines); a click on
// the selected row opens it in the reader; the wheel moves the selection and scrolls the
// reader. Where the tabs and rows are comes from the frame last drawn, at either size.
func TestMouse(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {200, 60}} {
		for _, v := range []vocab.Vocabulary{vocab.Health(), vocab.SocialCare()} {
			m := fixtureModel(t, v, "", readerRecord(), sz[0], sz[1])
			d := &driver{tb: t, m: m}
			// Tabs.
			x, y := at(t, m, "6 "+v.TabNextOfKin)
			d.send(click(x+2, y))
			if m.record.active != 5 {
				t.Fatalf("%s %v: click on the next of kin tab: tab %d", v.Name, sz, m.record.active+1)
			}
			x, y = at(t, m, "8 "+v.TabNotes)
			d.send(click(x, y))
			if m.record.active != 7 {
				t.Fatalf("%s %v: click on the notes tab: tab %d", v.Name, sz, m.record.active+1)
			}
			line := strings.Split(views.Strip(m.View()), "\n")[y]
			d.send(click(lipgloss.Width(strings.TrimRight(line, " "))+1, y)) // right of every tab: nothing
			if m.record.active != 7 {
				t.Fatalf("%s %v: a click beside the tabs changed the tab", v.Name, sz)
			}
			// Rows.
			d.keys("6")
			_, y = at(t, m, "Jo Quill")
			d.send(click(10, y))
			pn := m.record.pane()
			if r := pn.selectedRow(); r == nil || r.Cells[0] != "Jo Quill" {
				t.Fatalf("%s %v: click on Jo Quill's row selected %+v", v.Name, sz, r)
			}
			if m.top() != nil {
				t.Fatalf("%s %v: the first click on a row opened %T", v.Name, sz, m.top())
			}
			if sz[0] == 80 { // the contact's second number is on a line of its own: a click there selects her
				_, y = at(t, m, longWork)
				d.send(click(10, y))
				if r := pn.selectedRow(); r == nil || !strings.HasPrefix(r.Cells[0], "Margaret") {
					t.Fatalf("%s %v: click on the second line of a row selected %+v", v.Name, sz, r)
				}
			}
			// The wheel moves the selection.
			before := pn.cursor
			d.send(wheel(true, 10, y))
			if pn.cursor != before+wheelRows {
				t.Errorf("%s %v: wheel down: row %d, want %d", v.Name, sz, pn.cursor, before+wheelRows)
			}
			d.send(wheel(false, 10, y))
			if pn.cursor != before {
				t.Errorf("%s %v: wheel up: row %d, want %d", v.Name, sz, pn.cursor, before)
			}
			// A click on the selected row opens the reader, as enter does.
			d.keys("8")
			_, y = at(t, m, "Hospital letter")
			d.send(click(10, y))
			d.send(click(10, y))
			r, ok := m.top().(*reader)
			if !ok {
				t.Fatalf("%s %v: a second click did not open the reader", v.Name, sz)
			}
			if sz[1] == 24 { // the letter is longer than the screen at 80×24: the wheel scrolls it
				d.send(wheel(true, 5, 5))
				if r.vp.YOffset != 3 {
					t.Errorf("%s %v: wheel in the reader: line %d, want 3", v.Name, sz, r.vp.YOffset)
				}
				d.send(wheel(false, 5, 5))
				if r.vp.YOffset != 0 {
					t.Errorf("%s %v: wheel up in the reader: line %d, want 0", v.Name, sz, r.vp.YOffset)
				}
			}
			// Clicks under the reader do not reach the page.
			d.send(click(x, 6))
			if m.record.active != 7 || m.top() != r {
				t.Errorf("%s %v: a click reached the page under the reader", v.Name, sz)
			}
			d.keys("esc")
			if m.top() != nil || m.record.active != 7 {
				t.Errorf("%s %v: esc did not return to the notes tab", v.Name, sz)
			}
		}
	}
}

// The search page, and a modal dialog over the record, ignore the mouse.
func TestMouseIgnoredElsewhere(t *testing.T) {
	m := fixtureModel(t, vocab.Health(), "", nil, 80, 24)
	d := &driver{tb: t, m: m}
	d.typeText("999 100")
	before := views.Strip(m.View())
	d.send(click(3, 2))
	d.send(wheel(true, 3, 2))
	if after := views.Strip(m.View()); after != before {
		t.Errorf("the mouse changed the search page:\n%s", after)
	}
	m = fixtureModel(t, vocab.Health(), "", readerRecord(), 80, 24)
	d = &driver{tb: t, m: m}
	d.keys("6")
	m.push(newSignOutPanel(m.c)) // a modal question
	x, y := at(t, m, "7 "+m.c.v.TabEncounters)
	d.send(click(x+2, y))
	d.send(wheel(true, 10, 12))
	if m.record.active != 5 || m.record.pane().cursor != 0 {
		t.Errorf("the mouse reached the page under a dialog: tab %d row %d", m.record.active+1, m.record.pane().cursor)
	}
}

// Enter → the reader drawn: a long letter at 80×24 (ItemText, wrap, find ready, the frame).
func BenchmarkReaderOpen(b *testing.B) {
	m, err := New(context.Background(), Options{Federation: offlineFederation(b), Vocabulary: vocab.Health(),
		Clock: func() time.Time { return viewstest.Now }})
	if err != nil {
		b.Fatal(err)
	}
	noTimers(m)
	m.Update(tea_size(80, 24))
	showRecord(m, readerRecord())
	m.Update(keyMsg("8"))
	m.View()
	b.ResetTimer()
	for range b.N {
		if _, cmd := m.Update(keyMsg("enter")); cmd != nil {
			m.Update(cmd())
		}
		if _, ok := m.top().(*reader); !ok {
			b.Fatalf("enter did not open the reader: %T", m.top())
		}
		_ = m.View()
		m.Update(keyMsg("esc"))
	}
}
