package forward

import (
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	syslog "github.com/leodido/go-syslog/v4"
	"github.com/leodido/go-syslog/v4/octetcounting"
	"github.com/leodido/go-syslog/v4/rfc5424"

	"github.com/shcr-project/shcr/internal/audit"
)

// deadline bounds every wait for something to arrive; tests never sleep to wait.
const deadline = 20 * time.Second

// --- a test PKI -------------------------------------------------------------------------

type pki struct {
	caPEM  []byte
	pool   *x509.CertPool
	server tls.Certificate // for 127.0.0.1 and localhost
	client tls.Certificate
	caCert *x509.Certificate
	caKey  *ecdsa.PrivateKey
}

func newPKI(t *testing.T, name string) *pki {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: name + " test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		KeyUsage:              x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(der)
	p := &pki{caPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pool: x509.NewCertPool(), caCert: ca, caKey: key}
	p.pool.AddCert(ca)
	p.server = p.leaf(t, 2, x509.ExtKeyUsageServerAuth)
	p.client = p.leaf(t, 3, x509.ExtKeyUsageClientAuth)
	return p
}

func (p *pki) leaf(t *testing.T, serial int64, usage x509.ExtKeyUsage) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial),
		Subject:      pkix.Name{CommonName: "localhost"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{usage},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, p.caCert, &key.PublicKey, p.caKey)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// files writes the CA and client certificate as PEM files, as a config names them.
func (p *pki) files(t *testing.T) (ca, cert, key string) {
	t.Helper()
	dir := t.TempDir()
	ca, cert, key = filepath.Join(dir, "ca.pem"), filepath.Join(dir, "client.pem"), filepath.Join(dir, "client-key.pem")
	must(t, os.WriteFile(ca, p.caPEM, 0o600))
	must(t, os.WriteFile(cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.client.Certificate[0]}), 0o600))
	kb, err := x509.MarshalPKCS8PrivateKey(p.client.PrivateKey)
	must(t, err)
	must(t, os.WriteFile(key, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kb}), 0o600))
	return ca, cert, key
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// --- an in-process TLS syslog server ----------------------------------------------------

// got is one message as the server parsed it with go-syslog's RFC 5425/5424 parser.
type got struct {
	Facility, Severity uint8
	Version            uint16
	Host, App, ProcID  string
	MsgID              string
	Time               time.Time
	Body               []byte
	ID                 string // the AuditEvent's id
	TLSVersion         uint16
	ClientCert         bool
	Err                error
}

type syslogServer struct {
	t    *testing.T
	addr string
	ln   net.Listener
	msgs chan got

	mu    sync.Mutex
	conns []net.Conn
	wg    sync.WaitGroup
}

// startSyslog listens on addr ("127.0.0.1:0" for any port) with TLS 1.2+ and the given
// certificate; with clientCAs it requires a client certificate.
func startSyslog(t *testing.T, addr string, cert tls.Certificate, clientCAs *x509.CertPool, msgs chan got) *syslogServer {
	t.Helper()
	conf := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	if clientCAs != nil {
		conf.ClientCAs, conf.ClientAuth = clientCAs, tls.RequireAndVerifyClientCert
	}
	return startSyslogConf(t, addr, conf, msgs)
}

func startSyslogConf(t *testing.T, addr string, conf *tls.Config, msgs chan got) *syslogServer {
	t.Helper()
	ln, err := tls.Listen("tcp", addr, conf)
	if err != nil {
		t.Fatal(err)
	}
	if msgs == nil {
		msgs = make(chan got, 20000)
	}
	s := &syslogServer{t: t, addr: ln.Addr().String(), ln: ln, msgs: msgs}
	s.wg.Add(1)
	go s.accept()
	t.Cleanup(s.stop)
	return s
}

func (s *syslogServer) accept() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		s.conns = append(s.conns, c)
		s.mu.Unlock()
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer c.Close()
			tc := c.(*tls.Conn)
			if err := tc.Handshake(); err != nil {
				return
			}
			st := tc.ConnectionState()
			p := octetcounting.NewParser(syslog.WithMaxMessageLength(1<<20), syslog.WithListener(func(r *syslog.Result) {
				g := got{TLSVersion: st.Version, ClientCert: len(st.PeerCertificates) > 0, Err: r.Error}
				if m, ok := r.Message.(*rfc5424.SyslogMessage); ok && m != nil {
					g.Facility, g.Severity, g.Version = deref(m.Facility), deref(m.Severity), m.Version
					g.Host, g.App, g.ProcID, g.MsgID = deref(m.Hostname), deref(m.Appname), deref(m.ProcID), deref(m.MsgID)
					g.Time = deref(m.Timestamp)
					g.Body = []byte(deref(m.Message))
					var ae struct{ ID string }
					if err := json.Unmarshal(g.Body, &ae); err != nil && g.Err == nil {
						g.Err = fmt.Errorf("body is not JSON: %v", err)
					}
					g.ID = ae.ID
				}
				s.msgs <- g
			}))
			p.Parse(c)
		}()
	}
}

func deref[T any](p *T) T {
	var z T
	if p == nil {
		return z
	}
	return *p
}

// stop closes the listener and every connection, as a server going down does.
func (s *syslogServer) stop() {
	_ = s.ln.Close()
	s.mu.Lock()
	for _, c := range s.conns {
		_ = c.Close()
	}
	s.conns = nil
	s.mu.Unlock()
	s.wg.Wait()
}

// receive reads n messages, failing the test if they do not come within the deadline.
func receive(t *testing.T, ch chan got, n int) []got {
	t.Helper()
	out := make([]got, 0, n)
	timeout := time.After(deadline)
	for len(out) < n {
		select {
		case g := <-ch:
			if g.Err != nil {
				t.Fatalf("message %d did not parse as RFC 5424: %v", len(out)+1, g.Err)
			}
			out = append(out, g)
		case <-timeout:
			t.Fatalf("received %d of %d messages", len(out), n)
		}
	}
	return out
}

// freeAddr is a loopback address nobody listens on (yet).
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// --- a loopback FHIR audit repository ---------------------------------------------------

type fhirServer struct {
	mu       sync.Mutex
	ids      []string // AuditEvent ids in arrival order, copies included
	bodies   map[string][]byte
	auth     []string
	fail     int // answer 503 to the next fail requests
	got      chan string
	ctype    []string
	ifNone   []string
	wantAuth string
}

func newFHIRServer() *fhirServer {
	return &fhirServer{bodies: map[string][]byte{}, got: make(chan string, 20000)}
}

func (s *fhirServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/AuditEvent") {
		http.Error(w, "no", http.StatusNotFound)
		return
	}
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	if s.wantAuth != "" && r.Header.Get("Authorization") != s.wantAuth {
		s.mu.Unlock()
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	if s.fail > 0 {
		s.fail--
		s.mu.Unlock()
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	var ae struct {
		ResourceType string
		ID           string
	}
	if err := json.Unmarshal(body, &ae); err != nil || ae.ResourceType != "AuditEvent" {
		s.mu.Unlock()
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	s.ids = append(s.ids, ae.ID)
	s.bodies[ae.ID] = body
	s.auth = append(s.auth, r.Header.Get("Authorization"))
	s.ctype = append(s.ctype, r.Header.Get("Content-Type"))
	s.ifNone = append(s.ifNone, r.Header.Get("If-None-Exist"))
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/fhir+json")
	w.WriteHeader(http.StatusCreated)
	_, _ = w.Write([]byte(`{"resourceType":"AuditEvent","id":"x"}`))
	s.got <- ae.ID
}

func (s *fhirServer) waitN(t *testing.T, n int) {
	t.Helper()
	timeout := time.After(deadline)
	for i := 0; i < n; i++ {
		select {
		case <-s.got:
		case <-timeout:
			t.Fatalf("FHIR server received %d of %d", i, n)
		}
	}
}

// --- the trail ----------------------------------------------------------------------------

var base = time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)

// appendEvents appends n events through audit.Log (one write and fsync each).
func appendEvents(t *testing.T, path string, from, n int) {
	t.Helper()
	i := from
	log, err := audit.Open(path, audit.Options{OSUser: "tester", Now: func() time.Time { i++; return base.Add(time.Duration(i) * time.Second) }})
	must(t, err)
	defer log.Close()
	for k := 0; k < n; k++ {
		must(t, log.Append(eventN(from+k)))
	}
}

// eventN is the n-th test event: kinds in turn, NHS numbers of the synthetic range.
func eventN(n int) audit.Event {
	kinds := []audit.Kind{audit.RecordOpened, audit.SectionViewed, audit.RestrictedRevealed, audit.PersonNotFound, audit.AccessRefused, audit.ScreenLocked}
	e := audit.Event{Event: kinds[n%len(kinds)], NHSNumber: "9990000018", Purpose: "direct-care", Backends: []string{"demo"}, Detail: fmt.Sprintf("n=%d", n)}
	if e.Event == audit.ScreenLocked {
		e.NHSNumber, e.Purpose, e.Backends = "", "", nil
	}
	return e
}

// bulkEvents writes n events straight to the file (as n appends would, without n fsyncs).
func bulkEvents(t *testing.T, path string, from, n int) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	must(t, err)
	defer f.Close()
	w := bufio.NewWriter(f)
	for k := 0; k < n; k++ {
		e := eventN(from + k)
		e.Time, e.OSUser = base.Add(time.Duration(from+k)*time.Millisecond), "tester"
		b, _ := json.Marshal(e)
		w.Write(append(b, '\n'))
	}
	must(t, w.Flush())
}

// trailIDs are the ids of the trail's events, in order.
func trailIDs(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	must(t, err)
	var ids []string
	off := int64(0)
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			break
		}
		if len(bytes.TrimSpace(data[:i])) > 0 {
			ids = append(ids, audit.EventID(off, data[:i]))
		}
		off += int64(i + 1)
		data = data[i+1:]
	}
	return ids
}

// checkInOrder checks that received, with copies of an id dropped, is want exactly, and
// returns how many copies there were.
func checkInOrder(t *testing.T, received, want []string) int {
	t.Helper()
	seen := map[string]bool{}
	var uniq []string
	copies := 0
	for _, id := range received {
		if seen[id] {
			copies++
			continue
		}
		seen[id] = true
		uniq = append(uniq, id)
	}
	if len(uniq) != len(want) {
		t.Fatalf("received %d distinct events, want %d", len(uniq), len(want))
	}
	for i := range want {
		if uniq[i] != want[i] {
			t.Fatalf("event %d: got id %s, want %s (out of order or lost)", i, uniq[i], want[i])
		}
	}
	return copies
}

// --- a clock the test drives ------------------------------------------------------------

type fakeClock struct {
	mu      sync.Mutex
	waiters []waiter
	added   chan struct{}
}

type waiter struct {
	d  time.Duration
	ch chan time.Time
}

func newClock() *fakeClock { return &fakeClock{added: make(chan struct{}, 1)} }

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	ch := make(chan time.Time, 1)
	c.mu.Lock()
	c.waiters = append(c.waiters, waiter{d, ch})
	c.mu.Unlock()
	select {
	case c.added <- struct{}{}:
	default:
	}
	return ch
}

// waitBackoff waits until someone waits for a back-off (a duration below the poll interval)
// and returns the durations asked so far.
func (c *fakeClock) waitBackoff(t *testing.T) []time.Duration {
	t.Helper()
	timeout := time.After(deadline)
	for {
		c.mu.Lock()
		var ds []time.Duration
		found := false
		for _, w := range c.waiters {
			ds = append(ds, w.d)
			if w.d < testPoll {
				found = true
			}
		}
		c.mu.Unlock()
		if found {
			return ds
		}
		select {
		case <-c.added:
		case <-timeout:
			t.Fatal("the forwarder never backed off")
		}
	}
}

// fire ends every wait now.
func (c *fakeClock) fire() {
	c.mu.Lock()
	ws := c.waiters
	c.waiters = nil
	c.mu.Unlock()
	for _, w := range ws {
		w.ch <- base
	}
}

// keepFiring ends every back-off as soon as it starts (not the idle polls), until stop: for a
// sink that is up again, so that the test does not depend on which wait is current.
func (c *fakeClock) keepFiring() (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		for {
			c.mu.Lock()
			var keep, fire []waiter
			for _, w := range c.waiters {
				if w.d < testPoll {
					fire = append(fire, w)
				} else {
					keep = append(keep, w)
				}
			}
			c.waiters = keep
			c.mu.Unlock()
			for _, w := range fire {
				w.ch <- base
			}
			select {
			case <-done:
				return
			case <-c.added:
			}
		}
	}()
	var once sync.Once
	return func() { once.Do(func() { close(done); <-finished }) }
}

const testPoll = time.Hour

func testOptions(c *fakeClock) Options {
	return Options{After: c.After, MinBackoff: time.Second, MaxBackoff: 8 * time.Second, Poll: testPoll,
		Site: audit.Site{UserID: "555123456789", UserRole: "R8000", OrgODS: "RX1", Host: "test-host"}}
}
