package tui

import (
	"context"
	"log/slog"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/shcr-project/shcr/views"
	"github.com/shcr-project/shcr/views/vocab"
)

// common is what both pages share: words, styles, keys, clock and size.
type common struct {
	opts   Options
	ctx    context.Context
	v      vocab.Vocabulary
	st     views.Styles
	keys   KeyMap
	now    func() time.Time
	log    *slog.Logger
	width  int
	height int
	// dialogKeys has every binding enabled: the overlays match their keys with these.
	dialogKeys KeyMap
	pumps      int // the last pump's id
	// tick is tea.Tick; the tests' synchronous driver replaces it so that timers never run.
	tick func(time.Duration, func(time.Time) tea.Msg) tea.Cmd
}

type page int

// component is the contract every page keeps: a tea.Model that draws itself in the size it
// was given, with its keys in the one KeyMap (enabled by the root for what has focus).
type component interface {
	tea.Model
	SetSize(w, h int)
}

var (
	_ component = (*searchPage)(nil)
	_ component = (*recordPage)(nil)
)

const (
	pageSearch page = iota
	pageRecord
)
