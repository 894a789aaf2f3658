package tui

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/shcr-project/shcr/client"
	"github.com/shcr-project/shcr/record"
)

// searchPage is "find a person": one field, live checking, a list when several people match,
// and the people opened in this session (kept in memory only).
type searchPage struct {
	w, h  int
	c     *common
	input textinput.Model

	focusList bool
	results   []client.Match
	statuses  []record.BackendStatus
	cursor    int
	searching bool
	pending   []string // back ends still searching
	opened    bool     // a person of this search was opened: it opens nobody else by itself
	followed  bool     // it opened by itself: the record follows the rest of the search
	cancel    func()   // stops the search in flight (esc, or a new search)
	gen       int
	message   string // outcome of the last search
	msgErr    bool
	// spin and started: while back ends are still searching, the line naming them turns
	// and says how long the search has taken (on the injected clock).
	spin     spinner.Model
	spinning bool
	started  time.Time

	recent []client.Match // most recent first, at most 9
}

func newSearchPage(c *common) *searchPage {
	in := textinput.New()
	in.CharLimit = searchCharLimit
	in.Cursor.SetMode(cursor.CursorStatic)
	in.Prompt = ""
	p := &searchPage{c: c, input: in, spin: spinner.New(spinner.WithSpinner(spinner.MiniDot))}
	p.vocabularyChanged()
	return p
}

func (p *searchPage) vocabularyChanged() {
	p.input.Placeholder = p.c.v.SearchPlaceholder
	p.input.PromptStyle = p.c.st.Bold
	p.input.TextStyle = p.c.st.Text
	p.input.PlaceholderStyle = p.c.st.Faint
}

func (p *searchPage) init() tea.Cmd {
	if p.followed {
		// Back from a record the search opened by itself: the rest of the search was the
		// record's alone (its results are not listed), so it ends here.
		p.stop()
		p.searching, p.pending, p.followed = false, nil, false
	}
	p.focusList = false
	return p.input.Focus()
}

func (p *searchPage) keyContext() keyContext {
	if p.focusList {
		return ctxSearchList
	}
	return ctxSearchInput
}

// listLen is the number of entries in the focused list: the results, else the recent people.
func (p *searchPage) list() []client.Match {
	if len(p.results) > 0 {
		return p.results
	}
	return p.recent
}

// remember adds a person to the session's recent list.
func (p *searchPage) remember(m client.Match) {
	same := func(o client.Match) bool { return samePerson(o.Person, m.Person) }
	p.recent = slices.DeleteFunc(p.recent, same)
	p.recent = append([]client.Match{m}, p.recent...)
	if len(p.recent) > 9 {
		p.recent = p.recent[:9]
	}
}

func samePerson(a, b record.Person) bool {
	if a.NHSNumber != "" || b.NHSNumber != "" {
		return a.NHSNumber == b.NHSNumber
	}
	return len(a.Sources) > 0 && len(b.Sources) > 0 && a.Sources[0].Backend == b.Sources[0].Backend && a.Sources[0].ID == b.Sources[0].ID
}

func (p *searchPage) update(msg tea.Msg) tea.Cmd {
	k := p.c.keys
	if !p.focusList {
		var refused bool
		if msg, refused = p.cleanInput(msg); refused || msg == nil {
			return nil
		}
	}
	switch msg := msg.(type) {
	case spinner.TickMsg:
		return p.spinTick(msg)
	case searchDoneMsg:
		if msg.gen != p.gen {
			return nil // an older search: its pump ends with its context
		}
		return tea.Batch(p.searched(msg), msg.next)
	case tea.KeyMsg:
		if idx := recentIndex(msg, k.Recent); idx >= 0 && idx < len(p.recent) {
			return p.openCmd(p.recent[idx])
		}
		switch {
		case key.Matches(msg, k.Clear):
			p.stop()
			p.followed = false
			p.input.Reset()
			p.results, p.statuses, p.pending, p.message, p.searching = nil, nil, nil, "", false
			p.gen++
			return p.init()
		case key.Matches(msg, k.Focus):
			if p.focusList {
				return p.init()
			}
			p.focusList = true
			p.input.Blur()
			return nil
		}
		if p.focusList {
			list := p.list()
			switch {
			case key.Matches(msg, k.Up):
				p.cursor = max(p.cursor-1, 0)
			case key.Matches(msg, k.Down):
				p.cursor = min(p.cursor+1, max(len(list)-1, 0))
			case key.Matches(msg, k.Submit):
				if p.cursor < len(list) {
					return p.openCmd(list[p.cursor])
				}
			}
			return nil
		}
		if key.Matches(msg, k.Submit) {
			return p.submit()
		}
		if msg.Type == tea.KeyDown && len(p.list()) > 0 {
			p.focusList = true
			p.input.Blur()
			return nil
		}
	}
	var cmd tea.Cmd
	before := p.input.Value()
	p.input, cmd = p.input.Update(msg)
	if p.input.Value() != before {
		p.message = ""
	}
	return cmd
}

// cleanInput is what reaches the search field from the keyboard, a terminal paste or
// textinput's own clipboard paste (ctrl+v): escape sequences, control and invisible
// formatting characters are stripped (cleanTyped), and text that would take the field past
// its limit is refused whole with a short message that repeats none of it — rather than cut
// to a misleading first 80 characters. It returns nil for a message with nothing left.
func (p *searchPage) cleanInput(msg tea.Msg) (out tea.Msg, refused bool) {
	var runes []rune
	paste := false
	switch m := msg.(type) {
	case tea.KeyMsg:
		if m.Type != tea.KeyRunes {
			return msg, false
		}
		runes, paste = m.Runes, m.Paste
	default:
		// textinput reads the clipboard itself and answers with an unexported string type.
		rv := reflect.ValueOf(msg)
		if !rv.IsValid() || rv.Type().PkgPath() != reflect.TypeOf(p.input).PkgPath() || rv.Kind() != reflect.String {
			return msg, false
		}
		runes, paste = []rune(rv.String()), true
	}
	room := searchCharLimit - utf8.RuneCountInString(p.input.Value())
	if len(runes) > 4*searchCharLimit { // refused before any further work on it
		p.message, p.msgErr = fmt.Sprintf(p.c.v.SearchTooLong, groupDigits(len(runes))), true
		return nil, true
	}
	clean := cleanTyped(runes)
	if len(clean) == 0 {
		return nil, false
	}
	if len(clean) > room && len(clean) > 1 {
		p.message, p.msgErr = fmt.Sprintf(p.c.v.SearchTooLong, groupDigits(len(runes))), true
		return nil, true
	}
	km, _ := msg.(tea.KeyMsg)
	km.Type, km.Runes, km.Paste = tea.KeyRunes, clean, paste
	return km, false
}

// noMatch says why nobody was found: not known anywhere, or (some) back ends failed — in
// which case "not found" would be wrong, and the failures are named.
func (p *searchPage) noMatch(statuses []record.BackendStatus) string {
	v := p.c.v
	var failed []string
	reason := ""
	for _, st := range statuses {
		if st.Status == record.BackendFailed || st.Status == record.BackendNotQueried {
			failed = append(failed, st.Name)
			if reason == "" {
				reason = st.Error
			}
		}
	}
	if len(failed) > 0 && len(failed) == len(statuses) {
		return fmt.Sprintf(v.SearchFailed, strings.Join(failed, ", "), reason)
	}
	msg := fmt.Sprintf(v.NoMatch, strings.TrimSpace(p.input.Value()))
	if len(failed) > 0 {
		msg += " " + fmt.Sprintf(v.SearchFailed, strings.Join(failed, ", "), reason)
	}
	return msg
}

// recentIndex is which alt+N was pressed, -1 for none.
func recentIndex(msg tea.KeyMsg, b key.Binding) int {
	if !key.Matches(msg, b) {
		return -1
	}
	s := msg.String()
	return int(s[len(s)-1] - '1')
}

// submit starts a search on every back end at once.
func (p *searchPage) submit() tea.Cmd {
	q := parseQuery(p.input.Value(), p.c.v)
	if !q.ready {
		if q.hint != "" {
			p.message, p.msgErr = q.hint, true
		}
		return nil
	}
	p.stop()
	p.gen++
	gen := p.gen
	p.searching, p.results, p.pending, p.statuses, p.message, p.opened, p.followed = true, nil, nil, nil, "", false, false
	p.started = p.c.now()
	ctx, cancel := context.WithCancel(p.c.ctx)
	p.cancel = cancel
	fed, query := p.c.opts.Federation, q.query
	p.c.log.Debug("search", "kind", int(q.kind))
	// Each back end's answer comes as it arrives: the people found so far show (and open)
	// before the slowest back end has answered. A record opened from them goes on waiting for
	// the back ends still searching, so the search is not cancelled when it opens (nor when
	// it ends: the pump's last message must not race its context); the next search, or esc,
	// cancels it.
	return tea.Batch(p.spinStart(), runPump(ctx, 8, func(send func(tea.Msg)) tea.Msg {
		find := fed.Find(ctx, query)
		u := find.Snapshot()
		for !u.Done() {
			if u, _ = find.Next(ctx, u.Answered); ctx.Err() != nil {
				return nil
			}
			if !u.Done() {
				send(searchDoneMsg{gen: gen, query: query, matches: u.Matches, statuses: u.Statuses, pending: u.Pending})
			}
		}
		return searchDoneMsg{gen: gen, query: query, matches: u.Matches, statuses: u.Statuses, final: true}
	}, func(msg tea.Msg, next tea.Cmd) tea.Msg {
		if m, ok := msg.(searchDoneMsg); ok {
			m.next = next
			return m
		}
		return msg
	}))
}

// spinStart starts the search line's spinner unless it is turning already.
func (p *searchPage) spinStart() tea.Cmd {
	if p.spinning {
		return nil
	}
	p.spinning = true
	return p.spin.Tick
}

// spinTick turns the spinner while back ends are still searching and the page shows them;
// the next frame comes on the injected tick.
func (p *searchPage) spinTick(msg spinner.TickMsg) tea.Cmd {
	if !p.searching || p.followed {
		p.spinning = false
		return nil
	}
	var next tea.Cmd
	if p.spin, next = p.spin.Update(msg); next == nil {
		return nil
	}
	spin := p.spin
	return p.c.tick(spin.Spinner.FPS, func(time.Time) tea.Msg { return spin.Tick() })
}

// searched shows a search as far as it has got. An NHS number search opens the person as
// soon as one back end finds them; any other opens by itself only when every back end has
// answered and one person matched (a later back end may find another of that name).
func (p *searchPage) searched(msg searchDoneMsg) tea.Cmd {
	p.statuses, p.pending = msg.statuses, msg.pending
	if msg.final {
		p.searching, p.pending = false, nil
		p.c.auditSearch(msg.query, msg.statuses, len(msg.matches))
	}
	if p.followed {
		return nil // the record opened from this search goes on waiting for its back ends
	}
	hadResults := len(p.results) > 0
	p.results = msg.matches
	p.cursor = min(p.cursor, max(len(p.results)-1, 0))
	if !p.opened && len(msg.matches) == 1 && (msg.final || msg.matches[0].For(msg.query.NHSNumber)) {
		p.results, p.followed = nil, true
		return p.openCmd(msg.matches[0])
	}
	switch {
	case len(msg.matches) == 0 && msg.final:
		p.message, p.msgErr = p.noMatch(msg.statuses), true
	case len(msg.matches) > 0 && !hadResults:
		p.message, p.msgErr = "", false
		p.focusList = true
		p.input.Blur()
	}
	return nil
}

// openCmd asks the root to open a person; a search in flight opens nobody else after it.
func (p *searchPage) openCmd(m client.Match) tea.Cmd {
	p.opened = true
	return func() tea.Msg { return openMsg{m} }
}

// stop cancels a search in flight; its answer, if any, is ignored (older generation).
func (p *searchPage) stop() {
	if p.cancel != nil {
		p.cancel()
		p.cancel = nil
	}
}

// SetSize is the room the page has: the whole width, the height above the footer.
// The field's width is set here too, not only when drawn: textinput scrolls a long value
// as keys arrive, by the width it has then.
func (p *searchPage) SetSize(w, h int) {
	p.w, p.h = w, h
	p.input.Width = p.fieldWidth(w)
}

func (p *searchPage) fieldWidth(w int) int { return max(w-len(p.c.v.SearchPrompt)-2, 10) }

// Init starts nothing: the root starts searches and fetches as the user asks.
func (p *searchPage) Init() tea.Cmd { return nil }

// Update handles a message for the page.
func (p *searchPage) Update(msg tea.Msg) (tea.Model, tea.Cmd) { return p, p.update(msg) }

// View draws the page in its size.
func (p *searchPage) View() string { return p.view(p.w, p.h) }
