package tui

import (
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
)

// The mouse on the record page: the wheel moves the table's selection, a click on a tab
// chooses it, a click on a row selects it and a click on the selected row opens it in the
// reader (as enter does). Where things are comes from the last frame drawn: the tab bar and
// the page record their places as they lay themselves out (flowZones, pageZones.place), so
// there is one layout, not a second copy of its numbers here.

// wheelRows is how many rows a notch of the wheel moves.
const wheelRows = 3

// zone is a run of cells on one screen line: x0 ≤ x < x1 on line y.
type zone struct{ x0, x1, y int }

func (z zone) has(x, y int) bool { return y == z.y && x >= z.x0 && x < z.x1 }

// pageZones is where the record page drew its tabs and its body, in screen cells.
type pageZones struct {
	tabs    []zone // one per tab, in tab order
	bodyTop int    // the screen line where the tab's body (the table's header) starts
}

// place puts the tab zones, laid out from the tab bar's first line, at line tabsTop of the
// screen, and notes the body's first line.
func (z *pageZones) place(tabsTop, bodyTop int) {
	for i := range z.tabs {
		z.tabs[i].y += tabsTop
	}
	z.bodyTop = bodyTop
}

// flowZones lays styled segments out, wrapping at w, and says where each segment went
// (lines counted from 0): the tab bar draws with it, the mouse reads where it put each tab.
func flowZones(segs []string, sep string, w int) ([]string, []zone) {
	var lines []string
	zones := make([]zone, len(segs))
	cur, curW := "", 0
	for i, s := range segs {
		sw := lipgloss.Width(s)
		if curW > 0 && curW+len(sep)+sw > w {
			lines = append(lines, cur)
			cur, curW = "", 0
		}
		if curW > 0 {
			cur += sep
			curW += len(sep)
		}
		zones[i] = zone{x0: curW, x1: curW + sw, y: len(lines)}
		cur += s
		curW += sw
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	return lines, zones
}

// mouse handles the wheel and clicks on the record page.
func (p *recordPage) mouse(msg tea.MouseMsg) tea.Cmd {
	if p.rec == nil || p.filtering || msg.Action != tea.MouseActionPress {
		return nil
	}
	pn := p.pane()
	switch msg.Button {
	case tea.MouseButtonWheelUp, tea.MouseButtonWheelDown:
		if pn == nil {
			return nil
		}
		p.ensure(pn)
		if msg.Button == tea.MouseButtonWheelUp {
			pn.move(-wheelRows)
		} else {
			pn.move(wheelRows)
		}
		return nil
	case tea.MouseButtonLeft:
	default:
		return nil
	}
	for i, z := range p.zones.tabs {
		if z.has(msg.X, msg.Y) {
			p.setTab(i)
			return nil
		}
	}
	if pn == nil || msg.X >= pn.lastWidth {
		return nil
	}
	p.ensure(pn)
	pos := pn.rowAt(msg.Y - p.zones.bodyTop)
	if pos < 0 {
		return nil
	}
	if pos == pn.cursor && pn.moved {
		p.read() // a click on the selected row opens it
		return nil
	}
	pn.moved = true
	pn.cursor = pos
	pn.clamp(pn.lastHeight)
	return nil
}
