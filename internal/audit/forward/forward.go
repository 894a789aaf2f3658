// Package forward delivers the local audit trail to the organisation's central audit
// services (a FHIR audit repository, a SIEM over syslog), with the trail itself as the queue.
//
// One Forwarder per sink reads the trail (audit.jsonl) from its cursor, a byte offset kept in
// its own file beside the trail (audit.jsonl.forward-<sink>.cursor, written atomically and
// fsync'd), sends each whole line's AuditEvent form to the sink and moves the cursor on only
// after the sink has accepted it (2xx for FHIR, written for syslog). A failure keeps the
// events queued: the forwarder backs off and tries again from the cursor. Events therefore
// arrive in order, at least once; a copy sent again after a crash or a failure carries the
// same id (audit.EventID), so the sink can drop it.
//
// Nothing is logged but counts, sink names and error classes: the events themselves go only to
// the sinks.
package forward

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/shcr-project/shcr/internal/audit"
)

// Message is one audit event as a sink receives it.
type Message struct {
	ID       string      // stable id (audit.EventID)
	Kind     audit.Kind  // local kind ("record-opened")
	Time     time.Time   // when it happened (UTC)
	Severity int         // syslog severity (audit.Severity)
	Body     []byte      // the AuditEvent JSON
	Event    audit.Event // the local event
}

// Sink is a central audit service.
type Sink interface {
	// Name names the sink in messages and logs, e.g. "syslog siem.example.org:6514"; the
	// cursor file is derived from it, so it must be stable.
	Name() string
	// Send delivers msgs in order and returns how many (a prefix) the sink accepted; err says
	// why the rest were not.
	Send(ctx context.Context, msgs []Message) (accepted int, err error)
	// Close releases connections.
	Close() error
}

// Options tunes a Forwarder. The zero value is usable.
type Options struct {
	// Site names the user, organisation and machine in every AuditEvent.
	Site audit.Site
	// After is the clock for back-off and polling; time.After when nil. Tests pass their own.
	After func(time.Duration) <-chan time.Time
	// Now stamps the cursor file; time.Now when nil.
	Now func() time.Time
	// MinBackoff and MaxBackoff bound the wait after a failure (default 1s and 1m); it doubles
	// on each failure in a row.
	MinBackoff, MaxBackoff time.Duration
	// Poll is how often the trail is checked for events appended by other processes (default
	// 2s); events appended by this process are sent as soon as Notify is called.
	Poll time.Duration
	// Batch is how many events are sent before the cursor is saved (default 500).
	Batch int
	// Logger gets counts and sink names only; discarded when nil.
	Logger *slog.Logger
}

func (o *Options) fill() {
	if o.After == nil {
		o.After = time.After
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.MinBackoff <= 0 {
		o.MinBackoff = time.Second
	}
	if o.MaxBackoff < o.MinBackoff {
		o.MaxBackoff = max(time.Minute, o.MinBackoff)
	}
	if o.Poll <= 0 {
		o.Poll = 2 * time.Second
	}
	if o.Batch <= 0 {
		o.Batch = 500
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
}

// Forwarder delivers one audit trail to one sink.
type Forwarder struct {
	path   string
	sink   Sink
	opt    Options
	cursor string

	notify chan struct{}
	kick   chan struct{}
	exited chan struct{} // closed when Run returns

	mu      sync.Mutex
	st      State
	changed chan struct{} // closed and replaced whenever st changes
	running bool
}

// New makes the forwarder of the audit trail at path to sink. It reads the sink's cursor
// (a missing cursor means nothing was sent yet: delivery starts at the beginning of the trail).
func New(path string, sink Sink, opt Options) (*Forwarder, error) {
	opt.fill()
	f := &Forwarder{
		path:    path,
		sink:    sink,
		opt:     opt,
		cursor:  CursorPath(path, sink.Name()),
		notify:  make(chan struct{}, 1),
		kick:    make(chan struct{}, 1),
		exited:  make(chan struct{}),
		changed: make(chan struct{}),
	}
	st, err := readCursor(f.cursor)
	if err != nil {
		return nil, err
	}
	st.Sink = sink.Name()
	f.st = st
	return f, nil
}

// Name is the sink's name.
func (f *Forwarder) Name() string { return f.sink.Name() }

// Notify says events were appended: they are sent as soon as the sink takes them. It never
// blocks.
func (f *Forwarder) Notify() {
	select {
	case f.notify <- struct{}{}:
	default:
	}
}

// State is what the cursor file holds: how far delivery has gone and how it last went.
func (f *Forwarder) State() State {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.st
}

// Run delivers until ctx is done. It runs once per Forwarder; only one Run per cursor at a
// time across processes: a second waits (polling) until the first stops.
func (f *Forwarder) Run(ctx context.Context) {
	f.mu.Lock()
	if f.running {
		f.mu.Unlock()
		return
	}
	f.running = true
	f.mu.Unlock()
	defer func() {
		_ = f.sink.Close()
		close(f.exited)
	}()

	unlock := f.lock(ctx)
	if unlock == nil {
		return
	}
	defer unlock()
	// Another process may have sent events while we waited for the lock.
	if st, err := readCursor(f.cursor); err == nil && st.Offset > f.State().Offset {
		f.update(func(s *State) { *s = st; s.Sink = f.sink.Name() })
	}

	backoff := f.opt.MinBackoff
	for ctx.Err() == nil {
		sent, err := f.step(ctx)
		switch {
		case err != nil:
			f.opt.Logger.Warn("audit forward failed", "sink", f.sink.Name(), "queued", f.backlogQuiet(), "retry_in", backoff.String())
			if ctx.Err() != nil {
				return
			}
			select {
			case <-ctx.Done():
				return
			case <-f.kick:
			case <-f.opt.After(backoff):
			}
			backoff = min(backoff*2, f.opt.MaxBackoff)
		case sent == 0:
			backoff = f.opt.MinBackoff
			select {
			case <-ctx.Done():
				return
			case <-f.notify:
			case <-f.kick:
			case <-f.opt.After(f.opt.Poll):
			}
		default:
			backoff = f.opt.MinBackoff
		}
	}
}

// lock takes the cursor's lock, waiting (polling) while another process holds it; nil when
// ctx ended first.
func (f *Forwarder) lock(ctx context.Context) (unlock func()) {
	for {
		u, err := lockCursor(f.cursor + ".lock")
		if err == nil {
			f.update(func(s *State) { s.Busy = false })
			return u
		}
		if !f.State().Busy {
			f.opt.Logger.Info("audit forward: another shcr is sending to this sink", "sink", f.sink.Name())
		}
		f.update(func(s *State) { s.Busy = true })
		select {
		case <-ctx.Done():
			return nil
		case <-f.kick:
		case <-f.opt.After(f.opt.Poll):
		}
	}
}

// step sends one batch from the cursor: how many were accepted, and the error that stopped
// the rest.
func (f *Forwarder) step(ctx context.Context) (int, error) {
	off := f.State().Offset
	b, err := readBatch(f.path, off, f.opt.Batch, f.opt.Site)
	if err != nil {
		f.fail(err)
		return 0, err
	}
	if b.skipped > 0 {
		f.opt.Logger.Warn("audit forward skipped damaged lines", "sink", f.sink.Name(), "count", b.skipped)
	}
	if b.base != off {
		f.update(func(s *State) { s.Offset, s.Skipped = b.base, s.Skipped+b.skipped })
		if err := f.save(); err != nil {
			return 0, err
		}
	}
	if len(b.msgs) == 0 {
		return 0, nil
	}
	n, err := f.sink.Send(ctx, b.msgs)
	n = max(0, min(n, len(b.msgs)))
	if n > 0 {
		now := f.opt.Now().UTC()
		f.update(func(s *State) {
			s.Offset = b.ends[n-1]
			s.Delivered += int64(n)
			s.LastDelivered = now
			if err == nil {
				s.LastError, s.LastErrorAt = "", time.Time{}
			}
		})
		if serr := f.save(); serr != nil {
			return n, serr
		}
		f.opt.Logger.Debug("audit forwarded", "sink", f.sink.Name(), "count", n)
	}
	if err != nil {
		f.fail(err)
		_ = f.save()
		return n, err
	}
	return n, nil
}

func (f *Forwarder) fail(err error) {
	now := f.opt.Now().UTC()
	f.update(func(s *State) { s.LastError, s.LastErrorAt = oneLine(err.Error()), now })
}

func (f *Forwarder) update(fn func(*State)) {
	f.mu.Lock()
	fn(&f.st)
	close(f.changed)
	f.changed = make(chan struct{})
	f.mu.Unlock()
}

func (f *Forwarder) save() error {
	if err := writeCursor(f.cursor, f.State()); err != nil {
		f.fail(err)
		return err
	}
	return nil
}

// Flush asks the forwarder (running in Run) to deliver every event appended so far and waits
// until it has; or until an attempt made after the call fails (its error is returned), Run
// stops (ErrStopped), another process turns out to be the one sending to this sink (ErrBusy),
// or ctx is done (ctx's error).
func (f *Forwarder) Flush(ctx context.Context) error {
	started := f.opt.Now()
	target, err := completeEnd(f.path)
	if err != nil {
		return err
	}
	select {
	case f.kick <- struct{}{}:
	default:
	}
	for {
		f.mu.Lock()
		done, ch := f.st.Offset >= target, f.changed
		failed := !f.st.LastErrorAt.IsZero() && f.st.LastErrorAt.After(started)
		lastErr, busy := f.st.LastError, f.st.Busy
		f.mu.Unlock()
		if done {
			return nil
		}
		if busy {
			return ErrBusy
		}
		if failed {
			return errors.New(lastErr)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-f.exited:
			return ErrStopped
		case <-ch:
		}
	}
}

// ErrBusy is Flush's error when another process (another shcr) is sending to the sink: it
// sends these events too.
var ErrBusy = errors.New("another shcr is sending to this sink")

// ErrStopped is Flush's error when the forwarder stopped before it could deliver everything.
var ErrStopped = errors.New("the audit forwarder has stopped")

// Backlog is how many events wait to be sent to the sink.
func (f *Forwarder) Backlog() (int, error) {
	return countFrom(f.path, f.State().Offset)
}

func (f *Forwarder) backlogQuiet() int {
	n, _ := f.Backlog()
	return n
}

// batch is a run of events read from the trail.
type batch struct {
	msgs    []Message
	ends    []int64 // byte offset just after each message's line
	base    int64   // where the batch starts, after blank or damaged lines skipped
	skipped int
}

// readBatch reads up to limit whole events from off. A line not yet ended by a newline (being
// written) is left for later; a damaged line (cut short by a crash) is skipped when it comes
// first, and ends the batch otherwise.
func readBatch(path string, off int64, limit int, site audit.Site) (batch, error) {
	b := batch{base: off}
	file, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return b, nil
	}
	if err != nil {
		return b, fmt.Errorf("cannot read the audit trail: %w", err)
	}
	defer file.Close()
	fi, err := file.Stat()
	if err != nil {
		return b, err
	}
	if fi.Size() < off {
		return b, fmt.Errorf("the audit trail is shorter (%d bytes) than the cursor (%d): it was replaced or truncated", fi.Size(), off)
	}
	br := bufio.NewReaderSize(io.NewSectionReader(file, off, fi.Size()-off), 256*1024)
	pos := off
	for len(b.msgs) < limit {
		line, err := br.ReadBytes('\n')
		if err != nil { // EOF: an unfinished line (or none) waits
			break
		}
		start := pos
		pos += int64(len(line))
		body := bytes.TrimSpace(line)
		var e audit.Event
		bad := len(body) > 0 && (json.Unmarshal(body, &e) != nil || e.Time.IsZero() || e.Event == "")
		switch {
		case len(body) == 0 || bad:
			if len(b.msgs) > 0 {
				return b, nil
			}
			if bad {
				b.skipped++
			}
			b.base = pos
			continue
		}
		id := audit.EventID(start, line[:len(line)-1])
		ae, err := audit.MarshalAuditEvent(e, id, site)
		if err != nil {
			return b, err
		}
		b.msgs = append(b.msgs, Message{ID: id, Kind: e.Event, Time: e.Time.UTC(), Severity: audit.Severity(e.Event), Body: ae, Event: e})
		b.ends = append(b.ends, pos)
	}
	return b, nil
}

// completeEnd is the offset just after the trail's last whole line.
func completeEnd(path string) (int64, error) {
	file, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	defer file.Close()
	fi, err := file.Stat()
	if err != nil {
		return 0, err
	}
	end := fi.Size()
	var buf [4096]byte
	for end > 0 {
		n := int64(len(buf))
		if end < n {
			n = end
		}
		if _, err := file.ReadAt(buf[:n], end-n); err != nil && !errors.Is(err, io.EOF) {
			return 0, err
		}
		if i := bytes.LastIndexByte(buf[:n], '\n'); i >= 0 {
			return end - n + int64(i) + 1, nil
		}
		end -= n
	}
	return 0, nil
}

// countFrom counts the whole, non-blank lines after off.
func countFrom(path string, off int64) (int, error) {
	file, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	defer file.Close()
	if _, err := file.Seek(off, io.SeekStart); err != nil {
		return 0, err
	}
	br := bufio.NewReaderSize(file, 256*1024)
	n := 0
	for {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			// A very long line: read on to its end.
			for errors.Is(err, bufio.ErrBufferFull) {
				_, err = br.ReadSlice('\n')
			}
			if err == nil {
				n++
			}
			continue
		}
		if err != nil {
			return n, nil
		}
		if len(bytes.TrimSpace(line)) > 0 {
			n++
		}
	}
}

func oneLine(s string) string {
	return string(bytes.Join(bytes.Fields([]byte(s)), []byte(" ")))
}

// Backlog is how many events of the trail at path wait after offset off (a sink's
// State.Offset): for `shcr audit status`, without a running forwarder.
func Backlog(path string, off int64) (int, error) { return countFrom(path, off) }
