package forward

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/shcr-project/shcr/config"
	"github.com/shcr-project/shcr/internal/audit"
)

func trailPath(t *testing.T) string {
	return filepath.Join(t.TempDir(), "shcr", "audit.jsonl")
}

// run starts a forwarder in the background and stops it (waiting for it) at the end of the test.
func run(t *testing.T, f *Forwarder) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { f.Run(ctx); close(done) }()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(stop)
	return stop
}

func syslogSink(t *testing.T, addr string, p *pki, clientCert bool) *SyslogSink {
	t.Helper()
	ca, cert, key := p.files(t)
	if !clientCert {
		cert, key = "", ""
	}
	tc, err := SyslogTLS(ca, cert, key)
	must(t, err)
	return NewSyslog(addr, tc)
}

func ids(gs []got) []string {
	out := make([]string, len(gs))
	for i, g := range gs {
		out[i] = g.ID
	}
	return out
}

// Each event reaches a mutual-TLS syslog server as an RFC 5425 frame holding an RFC 5424
// message with facility 10, the event's severity, app shcr, a msgid per event type and the
// AuditEvent JSON as its body.
func TestSyslogShapes(t *testing.T) {
	p := newPKI(t, "siem")
	srv := startSyslog(t, "127.0.0.1:0", p.server, p.pool, nil)
	path := trailPath(t)
	appendEvents(t, path, 0, 6)
	clk := newClock()
	f, err := New(path, syslogSink(t, srv.addr, p, true), testOptions(clk))
	must(t, err)
	run(t, f)
	gs := receive(t, srv.msgs, 6)
	must(t, f.Flush(context.Background()))
	checkInOrder(t, ids(gs), trailIDs(t, path))
	events, _, err := audit.Read(path, audit.Filter{})
	must(t, err)
	for i, g := range gs {
		e := events[i]
		if g.Facility != 10 || int(g.Severity) != audit.Severity(e.Event) || g.Version != 1 {
			t.Errorf("%s: facility %d severity %d version %d", e.Event, g.Facility, g.Severity, g.Version)
		}
		if g.App != "shcr" || g.MsgID != e.Event || g.ProcID == "" || g.Host == "" {
			t.Errorf("%s: app %q msgid %q procid %q host %q", e.Event, g.App, g.MsgID, g.ProcID, g.Host)
		}
		if !g.Time.Equal(e.Time) {
			t.Errorf("%s: timestamp %v, event at %v", e.Event, g.Time, e.Time)
		}
		if g.TLSVersion < tls.VersionTLS12 || !g.ClientCert {
			t.Errorf("TLS version %x, client certificate %v", g.TLSVersion, g.ClientCert)
		}
		var ae audit.AuditEvent
		must(t, json.Unmarshal(g.Body, &ae))
		want := audit.ToAuditEvent(e, g.ID, testOptions(clk).Site)
		wb, _ := json.Marshal(want)
		if string(wb) != string(g.Body) {
			t.Errorf("%s: body\n got %s\nwant %s", e.Event, g.Body, wb)
		}
	}
	// Severity 4 for the security alert and the refusal, 5 otherwise.
	if gs[2].Severity != 4 || gs[4].Severity != 4 || gs[0].Severity != 5 || gs[5].Severity != 5 {
		t.Errorf("severities %d %d %d %d", gs[0].Severity, gs[2].Severity, gs[4].Severity, gs[5].Severity)
	}
	st := f.State()
	if st.Delivered != 6 || st.LastError != "" {
		t.Errorf("state %+v", st)
	}
	if n, _ := f.Backlog(); n != 0 {
		t.Errorf("backlog %d", n)
	}
}

func TestFormatRFC5424(t *testing.T) {
	m := Message{Kind: audit.RestrictedRevealed, Time: time.Date(2026, 11, 25, 10, 0, 0, 123456789, time.UTC), Severity: 4, Body: []byte(`{"resourceType":"AuditEvent"}`)}
	got := string(FormatRFC5424(m, "ward pc", "4242"))
	want := `<84>1 2026-11-25T10:00:00.123456Z wardpc shcr 4242 restricted-revealed - {"resourceType":"AuditEvent"}`
	if got != want {
		t.Errorf("\n got %s\nwant %s", got, want)
	}
}

// The sink is down when shcr starts: the events wait, the forwarder backs off (doubling), and
// when the sink comes up every event arrives in order.
func TestSyslogDownAtStart(t *testing.T) {
	p := newPKI(t, "siem")
	addr := freeAddr(t)
	path := trailPath(t)
	appendEvents(t, path, 0, 30)
	clk := newClock()
	f, err := New(path, syslogSink(t, addr, p, false), testOptions(clk))
	must(t, err)
	run(t, f)
	clk.waitBackoff(t)
	clk.fire()
	ds := clk.waitBackoff(t)
	if ds[len(ds)-1] != 2*time.Second {
		t.Errorf("second back-off %v, want 2s (doubling)", ds)
	}
	if st := f.State(); st.LastError == "" || st.Offset != 0 || st.Delivered != 0 {
		t.Errorf("state while down: %+v", st)
	}
	if n, _ := f.Backlog(); n != 30 {
		t.Errorf("backlog %d, want 30", n)
	}
	srv := startSyslog(t, addr, p.server, nil, nil)
	defer clk.keepFiring()()
	gs := receive(t, srv.msgs, 30)
	checkInOrder(t, ids(gs), trailIDs(t, path))
}

// The sink goes down mid-session and comes back (restarted): nothing is lost, order holds,
// and any copy has the same id.
func TestSyslogDownMidSessionAndRestarted(t *testing.T) {
	p := newPKI(t, "siem")
	msgs := make(chan got, 1000)
	srv := startSyslog(t, "127.0.0.1:0", p.server, nil, msgs)
	path := trailPath(t)
	appendEvents(t, path, 0, 10)
	clk := newClock()
	f, err := New(path, syslogSink(t, srv.addr, p, false), testOptions(clk))
	must(t, err)
	run(t, f)
	all := ids(receive(t, msgs, 10))
	must(t, f.Flush(context.Background()))

	srv.stop()
	appendEvents(t, path, 10, 10)
	f.Notify()
	clk.waitBackoff(t)
	if n, _ := f.Backlog(); n != 10 {
		t.Errorf("backlog while down %d, want 10", n)
	}
	srv = startSyslog(t, srv.addr, p.server, nil, msgs)
	defer clk.keepFiring()()
	all = append(all, ids(receive(t, msgs, 10))...)
	// Drain any copies already sent.
	for len(msgs) > 0 {
		all = append(all, (<-msgs).ID)
	}
	copies := checkInOrder(t, all, trailIDs(t, path))
	t.Logf("copies after the restart: %d", copies)
}

// A server with a certificate from another CA is refused: nothing is sent, the events stay
// queued with the reason, and they go once the right server answers.
func TestSyslogWrongCertificate(t *testing.T) {
	right, wrong := newPKI(t, "siem"), newPKI(t, "impostor")
	addr := freeAddr(t)
	impostor := startSyslog(t, addr, wrong.server, nil, nil)
	path := trailPath(t)
	appendEvents(t, path, 0, 5)
	clk := newClock()
	f, err := New(path, syslogSink(t, addr, right, false), testOptions(clk))
	must(t, err)
	run(t, f)
	clk.waitBackoff(t)
	if st := f.State(); !strings.Contains(st.LastError, "certificate") || st.Offset != 0 {
		t.Errorf("state after the wrong certificate: %+v", st)
	}
	select {
	case g := <-impostor.msgs:
		t.Fatalf("the impostor received %+v", g)
	default:
	}
	impostor.stop()
	srv := startSyslog(t, addr, right.server, nil, nil)
	defer clk.keepFiring()()
	checkInOrder(t, ids(receive(t, srv.msgs, 5)), trailIDs(t, path))
}

// A server that requires a client certificate refuses a client without one (with TLS 1.3,
// after the client's handshake has finished): nothing counts as sent, the events stay queued.
func TestSyslogClientCertificateRequired(t *testing.T) {
	p := newPKI(t, "siem")
	srv := startSyslog(t, "127.0.0.1:0", p.server, p.pool, nil)
	path := trailPath(t)
	appendEvents(t, path, 0, 3)
	clk := newClock()
	f, err := New(path, syslogSink(t, srv.addr, p, false), testOptions(clk))
	must(t, err)
	run(t, f)
	clk.waitBackoff(t)
	if st := f.State(); st.Delivered != 0 || !strings.Contains(st.LastError, "certificate") {
		t.Errorf("state without a client certificate: %+v", st)
	}
	if n, _ := f.Backlog(); n != 3 {
		t.Errorf("backlog %d, want 3", n)
	}
}

// A syslog server that accepts the connection but stops reading cannot hold shcr's exit: the
// bounded flush ends and the forwarder stops, the events stay queued.
func TestSyslogStalledServerDoesNotHoldExit(t *testing.T) {
	p := newPKI(t, "siem")
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{p.server}, MinVersion: tls.VersionTLS12})
	must(t, err)
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err == nil {
			_ = c.(*tls.Conn).Handshake()
			accepted <- c // never read from
		}
	}()
	path := trailPath(t)
	must(t, os.MkdirAll(filepath.Dir(path), 0o700))
	bulkEvents(t, path, 0, 20000) // ~30 MB: more than the socket buffers hold
	clk := newClock()
	g, err := Start(context.Background(), path, []Sink{syslogSink(t, ln.Addr().String(), p, false)}, testOptions(clk))
	must(t, err)
	var c net.Conn
	select {
	case c = <-accepted:
	case <-time.After(deadline):
		t.Fatal("no connection")
	}
	defer c.Close()
	done := make(chan []Result)
	go func() { done <- g.Close(time.Second) }()
	select {
	case res := <-done:
		if res[0].Queued == 0 {
			t.Errorf("everything counted as sent to a server that read nothing: %+v", res)
		}
	case <-time.After(deadline):
		t.Fatal("Close did not return: a stalled write held it")
	}
}

// TLS below 1.2 is refused.
func TestSyslogRefusesOldTLS(t *testing.T) {
	p := newPKI(t, "siem")
	srv := startSyslogConf(t, "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{p.server}, MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11}, nil)
	path := trailPath(t)
	appendEvents(t, path, 0, 1)
	clk := newClock()
	f, err := New(path, syslogSink(t, srv.addr, p, false), testOptions(clk))
	must(t, err)
	run(t, f)
	clk.waitBackoff(t)
	if st := f.State(); st.LastError == "" || st.Delivered != 0 {
		t.Errorf("TLS 1.1 accepted: %+v", st)
	}
	if tc := NewSyslog("x:1", &tls.Config{MinVersion: tls.VersionTLS10, InsecureSkipVerify: true}).tls; tc.MinVersion != tls.VersionTLS12 || tc.InsecureSkipVerify {
		t.Error("NewSyslog kept TLS 1.0 or skipped verification")
	}
}

// The FHIR sink POSTs application/fhir+json to [base]/AuditEvent with the token, as a
// conditional create on the event's id tag; a non-2xx answer keeps the event queued.
func TestFHIRSink(t *testing.T) {
	fs := newFHIRServer()
	fs.wantAuth = "Bearer tok-1"
	fs.fail = 2
	ts := httptest.NewServer(fs)
	defer ts.Close()
	path := trailPath(t)
	appendEvents(t, path, 0, 8)
	clk := newClock()
	sink := NewFHIR(ts.URL+"/fhir/", oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "tok-1", TokenType: "Bearer"}), nil)
	if sink.Name() != "fhir "+ts.URL+"/fhir" {
		t.Errorf("name %q", sink.Name())
	}
	f, err := New(path, sink, testOptions(clk))
	must(t, err)
	run(t, f)
	clk.waitBackoff(t)
	if st := f.State(); st.LastError != "the audit service answered HTTP 503" {
		t.Errorf("last error %q", st.LastError)
	}
	defer clk.keepFiring()()
	fs.waitN(t, 8)
	fs.mu.Lock()
	defer fs.mu.Unlock()
	checkInOrder(t, fs.ids, trailIDs(t, path))
	for i := range fs.ids {
		if fs.ctype[i] != "application/fhir+json" || fs.ifNone[i] != "_tag="+audit.IDTagSystem+"|"+fs.ids[i] {
			t.Errorf("request %d: content type %q, If-None-Exist %q", i, fs.ctype[i], fs.ifNone[i])
		}
		var ae audit.AuditEvent
		must(t, json.Unmarshal(fs.bodies[fs.ids[i]], &ae))
		if ae.Meta == nil || len(ae.Meta.Tag) != 1 || ae.Meta.Tag[0].Code != fs.ids[i] {
			t.Errorf("meta.tag %+v", ae.Meta)
		}
	}
}

// crashing passes the first n events of its first batch to the real sink, then hangs until
// stopped and reports nothing accepted: shcr killed while sending, before it could save.
type crashing struct {
	Sink
	n       int
	crashed chan struct{}
}

func (c *crashing) Send(ctx context.Context, msgs []Message) (int, error) {
	if _, err := c.Sink.Send(ctx, msgs[:c.n]); err != nil {
		return 0, err
	}
	close(c.crashed)
	<-ctx.Done()
	return 0, ctx.Err()
}

// shcr killed while sending: a new process starts from the saved cursor and sends the events
// again; the sink gets every event in order, the copies with the same id.
func TestKilledWhileSendingRestartsFromCursor(t *testing.T) {
	fs := newFHIRServer()
	ts := httptest.NewServer(fs)
	defer ts.Close()
	path := trailPath(t)
	appendEvents(t, path, 0, 5)
	clk := newClock()
	opt := testOptions(clk)
	opt.Batch = 10

	// First process: delivers the first 5 (cursor saved), then 25 more are appended and it
	// is killed after passing 7 of the next batch to the sink.
	first, err := New(path, NewFHIR(ts.URL, nil, nil), opt)
	must(t, err)
	stop := run(t, first)
	fs.waitN(t, 5)
	must(t, first.Flush(context.Background()))
	stop()
	bulkEvents(t, path, 5, 25)
	c := &crashing{Sink: NewFHIR(ts.URL, nil, nil), n: 7, crashed: make(chan struct{})}
	killed, err := New(path, c, opt)
	must(t, err)
	stopKilled := run(t, killed)
	<-c.crashed
	stopKilled()
	if st, _ := ReadState(path, c.Name()); st.Delivered != 5 {
		t.Fatalf("cursor after the kill: %+v", st)
	}

	// Second process: from the cursor.
	again, err := New(path, NewFHIR(ts.URL, nil, nil), opt)
	must(t, err)
	run(t, again)
	fs.waitN(t, 7+25)
	must(t, again.Flush(context.Background()))
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if copies := checkInOrder(t, fs.ids, trailIDs(t, path)); copies != 7 {
		t.Errorf("%d copies, want the 7 sent before the kill", copies)
	}
}

// A forwarder stopped in the middle (context cancelled during a send) keeps what the sink
// accepted and resumes after it.
func TestStoppedMidBatchKeepsAccepted(t *testing.T) {
	fs := newFHIRServer()
	ts := httptest.NewServer(fs)
	defer ts.Close()
	path := trailPath(t)
	appendEvents(t, path, 0, 12)
	clk := newClock()
	f, err := New(path, &partial{Sink: NewFHIR(ts.URL, nil, nil), n: 4}, testOptions(clk))
	must(t, err)
	stop := run(t, f)
	fs.waitN(t, 4)
	clk.waitBackoff(t)
	stop()
	if st, _ := ReadState(path, f.Name()); st.Delivered != 4 {
		t.Fatalf("cursor %+v", st)
	}
	g, err := New(path, NewFHIR(ts.URL, nil, nil), testOptions(clk))
	must(t, err)
	run(t, g)
	fs.waitN(t, 8)
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if copies := checkInOrder(t, fs.ids, trailIDs(t, path)); copies != 0 {
		t.Errorf("%d copies", copies)
	}
}

// partial accepts the first n of a batch, then fails.
type partial struct {
	Sink
	n int
}

func (p *partial) Send(ctx context.Context, msgs []Message) (int, error) {
	k, err := p.Sink.Send(ctx, msgs[:min(p.n, len(msgs))])
	if err == nil {
		err = context.DeadlineExceeded
	}
	return k, err
}

// A damaged line (cut short by a crash) is skipped and counted; the rest is delivered. A line
// still being written (no newline yet) waits.
func TestDamagedAndUnfinishedLines(t *testing.T) {
	fs := newFHIRServer()
	ts := httptest.NewServer(fs)
	defer ts.Close()
	path := trailPath(t)
	appendEvents(t, path, 0, 2)
	fh, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0o600)
	must(t, err)
	_, err = fh.WriteString(`{"time":"2026-11-25T09:00:00Z","ev` + "\n")
	must(t, err)
	fh.Close()
	appendEvents(t, path, 2, 2)
	fh, _ = os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0o600)
	_, err = fh.WriteString(`{"time":"2026-11-25T09:00:00Z","event":"record-opened"`)
	must(t, err)
	fh.Close()
	clk := newClock()
	f, err := New(path, NewFHIR(ts.URL, nil, nil), testOptions(clk))
	must(t, err)
	run(t, f)
	fs.waitN(t, 4)
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	must(t, f.Flush(ctx))
	st := f.State()
	if st.Delivered != 4 || st.Skipped != 1 {
		t.Errorf("state %+v", st)
	}
	if n, _ := f.Backlog(); n != 0 {
		t.Errorf("backlog %d (the unfinished line is not an event yet)", n)
	}
}

// Two forwarders for the same sink and trail (two shcr processes) never send at once.
func TestOneForwarderPerSink(t *testing.T) {
	fs := newFHIRServer()
	ts := httptest.NewServer(fs)
	defer ts.Close()
	path := trailPath(t)
	appendEvents(t, path, 0, 3)
	clk := newClock()
	a, err := New(path, NewFHIR(ts.URL, nil, nil), testOptions(clk))
	must(t, err)
	b, err := New(path, NewFHIR(ts.URL, nil, nil), testOptions(clk))
	must(t, err)
	run(t, a)
	fs.waitN(t, 3)
	must(t, a.Flush(context.Background()))
	run(t, b)
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	if err := b.Flush(ctx); !errors.Is(err, ErrBusy) || !b.State().Busy {
		t.Errorf("the second forwarder's flush: %v (busy %v), want ErrBusy", err, b.State().Busy)
	}
	if !Sending(path, a.Name()) || Sending(path, "fhir https://elsewhere.example.org") {
		t.Error("Sending does not see the running forwarder")
	}
	appendEvents(t, path, 3, 3)
	a.Notify()
	b.Notify()
	fs.waitN(t, 3)
	must(t, a.Flush(context.Background()))
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if copies := checkInOrder(t, fs.ids, trailIDs(t, path)); copies != 0 {
		t.Errorf("%d copies: both forwarders sent", copies)
	}
}

// The group flushes for a bounded time on close and reports what is still queued.
func TestGroupCloseReportsQueued(t *testing.T) {
	p := newPKI(t, "siem")
	path := trailPath(t)
	appendEvents(t, path, 0, 3)
	clk := newClock()
	g, err := Start(context.Background(), path, []Sink{syslogSink(t, freeAddr(t), p, false)}, testOptions(clk))
	must(t, err)
	clk.waitBackoff(t)
	res := g.Close(50 * time.Millisecond)
	if len(res) != 1 || res[0].Queued != 3 || res[0].LastError == "" || Queued(res) != 3 {
		t.Errorf("results %+v", res)
	}
	for _, r := range res {
		if strings.Contains(r.LastError, "9990000018") {
			t.Errorf("personal data in the error: %s", r.LastError)
		}
	}
}

func TestSinksFromConfig(t *testing.T) {
	p := newPKI(t, "siem")
	ca, cert, key := p.files(t)
	var asked []int
	sinks, err := Sinks([]config.AuditSink{
		{Kind: config.SinkFHIR, URL: "https://audit.example.org/fhir", Auth: config.Auth{Type: config.AuthClientCredentials}},
		{Kind: config.SinkSyslog, Address: "siem.example.org:6514", CAFile: ca, CertFile: cert, KeyFile: key},
		{Kind: config.SinkFHIR, URL: "https://b.example.org", Auth: config.Auth{Type: config.AuthNone}},
	}, func(i int, _ config.AuditSink) oauth2.TokenSource { asked = append(asked, i); return nil })
	must(t, err)
	if len(sinks) != 3 || sinks[0].Name() != "fhir https://audit.example.org/fhir" || sinks[1].Name() != "syslog siem.example.org:6514" {
		t.Errorf("sinks %v", sinks)
	}
	if len(asked) != 1 || asked[0] != 0 {
		t.Errorf("tokens asked for %v", asked)
	}
	if s := sinks[1].(*SyslogSink); len(s.tls.Certificates) != 1 || s.tls.RootCAs == nil {
		t.Error("syslog TLS config lacks the client certificate or CA")
	}
	if _, err := Sinks([]config.AuditSink{{Kind: config.SinkSyslog, Address: "a:1", CAFile: filepath.Join(t.TempDir(), "none.pem")}}, nil); err == nil {
		t.Error("a missing ca_file was accepted")
	}
}

func TestCursorPathAndAtomicWrite(t *testing.T) {
	path := trailPath(t)
	a, b := CursorPath(path, "syslog siem.example.org:6514"), CursorPath(path, "fhir https://audit.example.org/fhir")
	if a == b || filepath.Dir(a) != filepath.Dir(path) || !strings.HasPrefix(filepath.Base(a), "audit.jsonl.forward-syslog-siem.example.org-6514-") {
		t.Errorf("cursor paths %s %s", a, b)
	}
	must(t, os.MkdirAll(filepath.Dir(path), 0o700))
	must(t, writeCursor(a, State{Offset: 42, Delivered: 3}))
	st, err := readCursor(a)
	if err != nil || st.Offset != 42 || st.Delivered != 3 {
		t.Errorf("read back %+v %v", st, err)
	}
	fi, err := os.Stat(a)
	must(t, err)
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("cursor mode %v", fi.Mode())
	}
	left, _ := filepath.Glob(a + ".tmp-*")
	if len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
	must(t, os.WriteFile(a, []byte("{garbage"), 0o600))
	if _, err := readCursor(a); err == nil {
		t.Error("a damaged cursor was read")
	}
}

// Load: 10,000 events queued while the sink is down are all delivered, in order, when it
// returns, while the writer goes on appending (it is never blocked by the forwarder).
func TestLoad10000(t *testing.T) {
	p := newPKI(t, "siem")
	addr := freeAddr(t)
	path := trailPath(t)
	must(t, os.MkdirAll(filepath.Dir(path), 0o700))
	bulkEvents(t, path, 0, 10000)
	clk := newClock()
	f, err := New(path, syslogSink(t, addr, p, false), testOptions(clk))
	must(t, err)
	run(t, f)
	clk.waitBackoff(t)
	if n, _ := f.Backlog(); n != 10000 {
		t.Fatalf("backlog %d", n)
	}
	// What 100 appends cost with the forwarder idle (backing off), to compare with below.
	t0 := time.Now()
	appendEvents(t, path+".baseline", 0, 100)
	baseline := time.Since(t0)
	srv := startSyslog(t, addr, p.server, nil, nil)
	start := time.Now()
	defer clk.keepFiring()()
	// The writer appends 100 more while the backlog drains.
	var wg sync.WaitGroup
	var appendTook time.Duration
	wg.Add(1)
	go func() {
		defer wg.Done()
		t0 := time.Now()
		log, err := audit.Open(path, audit.Options{OSUser: "tester"})
		if err != nil {
			t.Error(err)
			return
		}
		defer log.Close()
		for k := 0; k < 100; k++ {
			if err := log.Append(eventN(10000 + k)); err != nil {
				t.Error(err)
				return
			}
			f.Notify()
		}
		appendTook = time.Since(t0)
	}()
	gs := receive(t, srv.msgs, 10100)
	took := time.Since(start)
	wg.Wait()
	checkInOrder(t, ids(gs), trailIDs(t, path))
	t.Logf("10,100 events delivered over TLS syslog in %v (%.0f events/s); 100 appends meanwhile took %v (%v without delivery)", took, 10100/took.Seconds(), appendTook, baseline)
}

// The same load to a FHIR sink (one POST per event, over one kept-alive connection).
func TestLoad10000FHIR(t *testing.T) {
	fs := newFHIRServer()
	ts := httptest.NewServer(fs)
	defer ts.Close()
	path := trailPath(t)
	must(t, os.MkdirAll(filepath.Dir(path), 0o700))
	bulkEvents(t, path, 0, 10000)
	clk := newClock()
	f, err := New(path, NewFHIR(ts.URL, nil, nil), testOptions(clk))
	must(t, err)
	start := time.Now()
	run(t, f)
	fs.waitN(t, 10000)
	took := time.Since(start)
	fs.mu.Lock()
	defer fs.mu.Unlock()
	checkInOrder(t, fs.ids, trailIDs(t, path))
	t.Logf("10,000 events delivered to a FHIR sink in %v (%.0f events/s)", took, 10000/took.Seconds())
}

// blockingTokens never answers until released.
type blockingTokens chan struct{}

func (b blockingTokens) Token() (*oauth2.Token, error) {
	<-b
	return nil, context.Canceled
}

// A token endpoint that does not answer cannot hold the exit either.
func TestFHIRSinkHangingTokenDoesNotHoldExit(t *testing.T) {
	fs := newFHIRServer()
	ts := httptest.NewServer(fs)
	defer ts.Close()
	path := trailPath(t)
	appendEvents(t, path, 0, 2)
	release := make(blockingTokens)
	defer close(release)
	g, err := Start(context.Background(), path, []Sink{NewFHIR(ts.URL, release, nil)}, testOptions(newClock()))
	must(t, err)
	done := make(chan []Result)
	go func() { done <- g.Close(50 * time.Millisecond) }()
	select {
	case res := <-done:
		if res[0].Queued != 2 {
			t.Errorf("results %+v", res)
		}
	case <-time.After(deadline):
		t.Fatal("Close waited for the token")
	}
}
