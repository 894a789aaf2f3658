package forward

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"github.com/shcr-project/shcr/config"
)

// Sinks builds the configured sinks. tokens gives a FHIR sink's token source (nil for auth
// type none); it is called once per FHIR sink with the sink's index in the list.
func Sinks(cfg []config.AuditSink, tokens func(i int, s config.AuditSink) oauth2.TokenSource) ([]Sink, error) {
	var out []Sink
	for i, s := range cfg {
		var ts oauth2.TokenSource
		if tokens != nil && s.Kind == config.SinkFHIR && s.Auth.Type != "" && s.Auth.Type != config.AuthNone {
			ts = tokens(i, s)
		}
		sink, err := NewSink(s, ts)
		if err != nil {
			return nil, fmt.Errorf("audit.forward[%d]: %w", i, err)
		}
		out = append(out, sink)
	}
	return out, nil
}

// NewSink builds one configured sink; tokens is a FHIR sink's token source (nil: none).
func NewSink(s config.AuditSink, tokens oauth2.TokenSource) (Sink, error) {
	switch s.Kind {
	case config.SinkFHIR:
		return NewFHIR(s.URL, tokens, nil), nil
	case config.SinkSyslog:
		tc, err := SyslogTLS(s.CAFile, s.CertFile, s.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.Name(), err)
		}
		return NewSyslog(s.Address, tc), nil
	}
	return nil, fmt.Errorf("unknown kind %q", s.Kind)
}

// Group runs one forwarder per sink in the background.
type Group struct {
	fws    []*Forwarder
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// Start starts a forwarder per sink for the trail at path. With no sinks it returns an empty
// group (every method works and does nothing).
func Start(ctx context.Context, path string, sinks []Sink, opt Options) (*Group, error) {
	g := &Group{}
	for _, s := range sinks {
		f, err := New(path, s, opt)
		if err != nil {
			return nil, err
		}
		g.fws = append(g.fws, f)
	}
	ctx, g.cancel = context.WithCancel(ctx)
	for _, f := range g.fws {
		g.wg.Add(1)
		go func() {
			defer g.wg.Done()
			f.Run(ctx)
		}()
	}
	return g, nil
}

// Forwarders lists the group's forwarders, in sink order.
func (g *Group) Forwarders() []*Forwarder { return g.fws }

// Notify says events were appended; it never blocks.
func (g *Group) Notify() {
	if g == nil {
		return
	}
	for _, f := range g.fws {
		f.Notify()
	}
}

// Result is one sink's state after a flush.
type Result struct {
	Sink      string
	Queued    int    // events still waiting
	LastError string // why the last attempt failed, "" when it did not
	Busy      bool   // another shcr is sending to this sink (and will send these)
	Err       error  // the flush's own error (a deadline)
}

// Flush delivers what was appended so far, waiting at most timeout, and reports each sink.
func (g *Group) Flush(ctx context.Context, timeout time.Duration) []Result {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	out := make([]Result, len(g.fws))
	var wg sync.WaitGroup
	for i, f := range g.fws {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i].Err = f.Flush(ctx)
		}()
	}
	wg.Wait()
	for i, f := range g.fws {
		out[i].Sink = f.Name()
		out[i].Queued, _ = f.Backlog()
		out[i].Busy = errors.Is(out[i].Err, ErrBusy)
		if out[i].Queued > 0 {
			out[i].LastError = f.State().LastError
		}
		if errors.Is(out[i].Err, context.DeadlineExceeded) && out[i].Queued == 0 {
			out[i].Err = nil
		}
	}
	return out
}

// Close flushes for at most timeout, stops the forwarders and reports each sink.
func (g *Group) Close(timeout time.Duration) []Result {
	if g == nil {
		return nil
	}
	res := g.Flush(context.Background(), timeout)
	g.cancel()
	g.wg.Wait()
	return res
}

// Queued sums the events still waiting across results, leaving out sinks another shcr is
// sending to.
func Queued(rs []Result) int {
	n := 0
	for _, r := range rs {
		if !r.Busy {
			n += r.Queued
		}
	}
	return n
}
