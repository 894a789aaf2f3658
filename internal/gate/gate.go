// Package gate puts a loopback HTTP server in front of a back end and holds every request
// until the test opens the gate: a back end exactly as slow as a test needs, without any
// test sleeping on the wall clock. Requests pass through unchanged once the gate is open.
package gate

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync"
)

// Gate is a running gated proxy.
type Gate struct {
	// URL is the back end's base URL through the gate: the gate's address with the
	// target's path (e.g. http://127.0.0.1:40123/fhir/R4).
	URL string

	srv      *httptest.Server
	open     chan struct{}
	openOnce sync.Once
	arrived  chan struct{}
	seenOnce sync.Once
}

// New starts a gate in front of target (a base URL); every request waits until Open.
func New(target string) (*Gate, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, err
	}
	g := &Gate{open: make(chan struct{}), arrived: make(chan struct{})}
	proxy := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: u.Scheme, Host: u.Host})
	proxy.ErrorHandler = func(w http.ResponseWriter, _ *http.Request, _ error) {
		w.WriteHeader(http.StatusBadGateway) // a request the client gave up on: nothing to log
	}
	g.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g.seenOnce.Do(func() { close(g.arrived) })
		select {
		case <-g.open:
		case <-r.Context().Done():
			return // the client gave up waiting
		}
		proxy.ServeHTTP(w, r)
	}))
	g.URL = g.srv.URL + u.Path
	return g, nil
}

// Arrived is closed when the first request reaches the gate.
func (g *Gate) Arrived() <-chan struct{} { return g.arrived }

// Open lets every request held, and every later one, through. It is safe to call twice.
func (g *Gate) Open() { g.openOnce.Do(func() { close(g.open) }) }

// Close opens the gate and stops the server.
func (g *Gate) Close() {
	g.Open()
	g.srv.Close()
}
