package tui

import (
	"strconv"

	"github.com/charmbracelet/bubbles/key"
	"github.com/shcr-project/shcr/views/vocab"
)

// KeyMap is every key shcr answers to, defined once. Bindings that do not apply in the
// current state are disabled (SetEnabled(false)): they vanish from help and stop matching.
type KeyMap struct {
	// App.
	Quit, ForceQuit, Help, Vocab key.Binding
	// Navigation.
	Tab, NextTab, PrevTab, Up, Down, PageUp, PageDown, Top, Bottom key.Binding
	// Record.
	Filter, Sort, Domain, Refresh, Back, Copy, Reveal key.Binding
	// Search.
	Submit, Clear, Focus, Recent key.Binding
	// Text fields (filter).
	Apply, Cancel key.Binding
	// Sign-in: sign in to a back end that needs it; sign out of every back end (shared PCs).
	SignIn, SignOut key.Binding
	// The job in one screen: the copy chooser, the handover summary, the timeline.
	CopyChoose, Handover, Timeline key.Binding
	// Reader: open the selected row (or the Summary) in full; in it, find, next and previous
	// match, close.
	Read, Find, FindNext, FindPrev, Close key.Binding
	// ChildProtection opens a child protection plan left unread in unscheduled care (it tells
	// the local authority; tui/childprotection.go).
	ChildProtection key.Binding
}

// tabKeys are the digits that choose a tab: one per tab, from 1.
func tabKeys() []string {
	keys := make([]string, tabCount)
	for i := range keys {
		keys[i] = strconv.Itoa(i + 1)
	}
	return keys
}

// DefaultKeyMap is shcr's keys. Help texts come from the vocabulary (SetVocabulary).
func DefaultKeyMap() KeyMap {
	b := func(keys []string, help string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, ""))
	}
	k := KeyMap{
		Quit:      b([]string{"q"}, "q"),
		ForceQuit: b([]string{"ctrl+c"}, "ctrl+c"),
		Help:      b([]string{"?"}, "?"),
		Vocab:     b([]string{"v"}, "v"),
		Tab:       b(tabKeys(), "1–"+strconv.Itoa(tabCount)),
		NextTab:   b([]string{"tab", "right", "l"}, "tab/→"),
		PrevTab:   b([]string{"shift+tab", "left", "h"}, "shift+tab/←"),
		Up:        b([]string{"up", "k"}, "↑/k"),
		Down:      b([]string{"down", "j"}, "↓/j"),
		PageUp:    b([]string{"pgup", "ctrl+b"}, "pgup"),
		PageDown:  b([]string{"pgdown", "ctrl+f", " "}, "pgdn"),
		Top:       b([]string{"g", "home"}, "g"),
		Bottom:    b([]string{"G", "end"}, "G"),
		Filter:    b([]string{"/"}, "/"),
		Sort:      b([]string{"s"}, "s"),
		Domain:    b([]string{"d"}, "d"),
		Refresh:   b([]string{"r"}, "r"),
		Back:      b([]string{"esc"}, "esc"),
		Copy:      b([]string{"y"}, "y"),
		Reveal:    b([]string{"x"}, "x"),
		Submit:    b([]string{"enter"}, "enter"),
		Clear:     b([]string{"esc"}, "esc"),
		Focus:     b([]string{"tab", "shift+tab"}, "tab"),
		Recent:    b([]string{"alt+1", "alt+2", "alt+3", "alt+4", "alt+5", "alt+6", "alt+7", "alt+8", "alt+9"}, "alt+1…9"),
		Apply:     b([]string{"enter"}, "enter"),
		Cancel:    b([]string{"esc"}, "esc"),
		SignIn:    b([]string{"ctrl+l"}, "ctrl+l"),
		SignOut:   b([]string{"ctrl+o"}, "ctrl+o"),

		CopyChoose:      b([]string{"Y"}, "Y"),
		Handover:        b([]string{"H"}, "H"),
		Timeline:        b([]string{"t"}, "t"),
		Read:            b([]string{"enter"}, "enter"),
		Find:            b([]string{"/"}, "/"),
		FindNext:        b([]string{"n"}, "n"),
		FindPrev:        b([]string{"N"}, "N"),
		Close:           b([]string{"esc"}, "esc"),
		ChildProtection: b([]string{"C"}, "C"),
	}
	k.ChildProtection.SetEnabled(false) // on where a plan waits to be opened (Model.setKeys)
	// Reveal belongs to the governance work (restricted items): off until it is wired.
	k.Reveal.SetEnabled(false)
	k.SetVocabulary(vocab.Health())
	return k
}

// SetVocabulary sets every binding's help text from v.
func (k *KeyMap) SetVocabulary(v vocab.Vocabulary) {
	set := func(b *key.Binding, desc string) { b.SetHelp(b.Help().Key, desc) }
	set(&k.Quit, v.HelpQuit)
	set(&k.ForceQuit, v.HelpForceQuit)
	set(&k.Help, v.HelpHelp)
	set(&k.Vocab, v.HelpVocab)
	set(&k.Tab, v.HelpTabs)
	set(&k.NextTab, v.HelpNextTab)
	set(&k.PrevTab, v.HelpPrevTab)
	set(&k.Up, v.HelpUp)
	set(&k.Down, v.HelpDown)
	set(&k.PageUp, v.HelpPageUp)
	set(&k.PageDown, v.HelpPageDown)
	set(&k.Top, v.HelpTop)
	set(&k.Bottom, v.HelpBottom)
	set(&k.Filter, v.HelpFilter)
	set(&k.Sort, v.HelpSort)
	set(&k.Domain, v.HelpDomain)
	set(&k.Refresh, v.HelpRefresh)
	set(&k.Back, v.HelpBack)
	set(&k.Copy, v.HelpCopy)
	set(&k.Reveal, v.HelpReveal)
	set(&k.Submit, v.HelpSearch)
	set(&k.Clear, v.HelpClear)
	set(&k.Focus, v.HelpList)
	set(&k.Recent, v.HelpRecent)
	set(&k.Apply, v.HelpFilter)
	set(&k.Cancel, v.HelpClear)
	set(&k.SignIn, v.HelpSignIn)
	set(&k.SignOut, v.HelpSignOut)
	set(&k.CopyChoose, v.HelpCopyChoose)
	set(&k.Handover, v.HelpHandover)
	set(&k.Timeline, v.HelpTimeline)
	set(&k.Read, v.HelpRead)
	set(&k.Find, v.HelpFind)
	set(&k.FindNext, v.HelpFindNext)
	set(&k.FindPrev, v.HelpFindPrev)
	set(&k.Close, v.HelpClose)
	set(&k.ChildProtection, v.HelpChildProtection)
}

// ShortHelp is the one-line help: what matters most now.
func (k KeyMap) ShortHelp() []key.Binding {
	return enabled(k.Submit, k.ChildProtection, k.Tab, k.Read, k.Up, k.Down, k.Filter, k.Copy, k.Apply, k.Cancel, k.Back, k.Clear, k.Vocab, k.Help, k.Quit)
}

// FullHelp is the `?` help in three columns: navigation, record, app.
func (k KeyMap) FullHelp() [][]key.Binding {
	cols := [][]key.Binding{
		enabled(k.Tab, k.NextTab, k.PrevTab, k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom),
		enabled(k.Submit, k.Focus, k.Recent, k.Read, k.Filter, k.Sort, k.Domain, k.Timeline, k.Refresh, k.Copy, k.CopyChoose, k.Handover, k.Reveal, k.ChildProtection, k.Apply, k.Cancel, k.Back, k.Clear),
		enabled(k.Vocab, k.Help, k.SignIn, k.SignOut, k.Quit, k.ForceQuit),
	}
	out := cols[:0]
	for _, c := range cols {
		if len(c) > 0 {
			out = append(out, c)
		}
	}
	return out
}

func enabled(bs ...key.Binding) []key.Binding {
	out := make([]key.Binding, 0, len(bs))
	for _, b := range bs {
		if b.Enabled() {
			out = append(out, b)
		}
	}
	return out
}

// context is where the keys are used, deciding which are enabled.
type keyContext int

const (
	ctxSearchInput  keyContext = iota // the search field has focus
	ctxSearchList                     // the results or recent list has focus
	ctxRecord                         // a record tab
	ctxRecordFilter                   // the filter field of a tab has focus
)

// setContext enables exactly the keys that apply in c. canCopy says whether the selected
// row (or the summary) has something for `y` to copy; table whether the tab is a table
// (not the summary).
func (k *KeyMap) setContext(c keyContext, table, canCopy bool) {
	all := []*key.Binding{&k.Quit, &k.Help, &k.Vocab, &k.Tab, &k.NextTab, &k.PrevTab, &k.Up, &k.Down,
		&k.PageUp, &k.PageDown, &k.Top, &k.Bottom, &k.Filter, &k.Sort, &k.Domain, &k.Refresh, &k.Back,
		&k.Copy, &k.Submit, &k.Clear, &k.Focus, &k.Recent, &k.Apply, &k.Cancel, &k.Read, &k.CopyChoose, &k.Handover, &k.Timeline}
	// The reader's own keys are on only in the reader's copy of the keys (readerKeys).
	for _, b := range []*key.Binding{&k.Find, &k.FindNext, &k.FindPrev, &k.Close} {
		b.SetEnabled(false)
	}
	for _, b := range all {
		b.SetEnabled(false)
	}
	on := func(bs ...*key.Binding) {
		for _, b := range bs {
			b.SetEnabled(true)
		}
	}
	k.ForceQuit.SetEnabled(true)
	switch c {
	case ctxSearchInput:
		on(&k.Submit, &k.Clear, &k.Recent, &k.Focus)
	case ctxSearchList:
		on(&k.Submit, &k.Clear, &k.Focus, &k.Recent, &k.Up, &k.Down, &k.Quit, &k.Help, &k.Vocab)
	case ctxRecord:
		on(&k.Tab, &k.NextTab, &k.PrevTab, &k.Refresh, &k.Back, &k.Domain, &k.Quit, &k.Help, &k.Vocab, &k.Read,
			&k.CopyChoose, &k.Handover, &k.Timeline)
		if table {
			on(&k.Up, &k.Down, &k.PageUp, &k.PageDown, &k.Top, &k.Bottom, &k.Filter, &k.Sort)
		}
		if canCopy {
			on(&k.Copy)
		}
	case ctxRecordFilter:
		on(&k.Apply, &k.Cancel)
	}
}
