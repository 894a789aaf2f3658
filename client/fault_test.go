package client

import (
	"bytes"
	"cmp"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/shcr-project/shcr/config"
	"github.com/shcr-project/shcr/internal/demo"
	"github.com/shcr-project/shcr/record"
)

const faulty = "Faulty"

// TestFaultMatrix puts a misbehaving FHIR back end beside the healthy demo NHS back end and
// checks, for each fault: the exact line the user sees, that nothing panics, and that the
// demo back end's data is intact (search and the whole record).
func TestFaultMatrix(t *testing.T) {
	srv := startDemo(t, demo.Options{})
	person := demoPerson(t, srv)
	nhsCfg := demoConfig(t, srv, demo.NameNHS)
	caps := capsJSON("Patient", "EpisodeOfCare", "Encounter")

	// found answers the Patient search with the demo person.
	found := func(t *testing.T) http.HandlerFunc {
		body := searchset("", patientJSON(t, person, "faulty-1"))
		return func(w http.ResponseWriter, r *http.Request) { writeFHIR(w, 200, body) }
	}
	stream50MB := func(declare bool, sent *atomic.Int64) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			entry := []byte(`{"fullUrl":"urn:x","resource":{"resourceType":"Patient","id":"x","name":[{"family":"PADDING"}]}},`)
			chunk := bytes.Repeat(entry, 65536/len(entry))
			w.Header().Set("Content-Type", "application/fhir+json")
			if declare {
				w.Header().Set("Content-Length", strconv.Itoa(50<<20))
			}
			w.WriteHeader(200)
			var n int64
			for n < 50<<20 {
				k, err := w.Write(chunk)
				n += int64(k)
				if err != nil {
					break
				}
			}
			sent.Store(n)
		}
	}

	type fault struct {
		name     string
		handler  func(t *testing.T) http.HandlerFunc
		timeout  time.Duration
		maxBytes int64
		want     string // the Faulty back end's one line; "" = it answers (status ok)
		status   string // the Faulty back end's status when it does not answer; "" = failed
		// check sees how many requests the server got and the waits the client asked for
		// before retrying (Options.Sleep: recorded, not waited).
		check func(t *testing.T, hits int64, waits []time.Duration)
	}
	var (
		sent50, sentDeclared atomic.Int64
		resets               atomic.Int64
	)
	faults := []fault{
		{name: "401", want: "back end Faulty answered 401 with error (login): Access token expired",
			handler: func(*testing.T) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					writeFHIR(w, 401, outcome("error", "login", "Access token expired"))
				}
			}},
		{name: "403", want: "back end Faulty answered 403 with error (forbidden): You are not allowed to see this record",
			handler: func(*testing.T) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					writeFHIR(w, 403, outcome("error", "forbidden", "You are not allowed to see this record"))
				}
			}},
		// A server that refuses the Patient search cannot be searched by NHS number: it is
		// not asked (the search is sent whatever its CapabilityStatement says).
		{name: "404", want: "back end Faulty was not asked: it does not support searching by NHS number", status: record.BackendNotQueried,
			handler: func(*testing.T) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					writeFHIR(w, 404, outcome("error", "not-found", "Unknown resource type"))
				}
			}},
		{name: "410", want: "back end Faulty answered 410 with an empty body",
			handler: func(*testing.T) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(410) }
			}},
		{name: "429 Retry-After, then ok", want: "",
			handler: func(t *testing.T) http.HandlerFunc {
				ok := found(t)
				var n atomic.Int64
				return func(w http.ResponseWriter, r *http.Request) {
					if n.Add(1) <= 2 {
						w.Header().Set("Retry-After", "1")
						writeFHIR(w, 429, outcome("error", "throttled", "Too many requests"))
						return
					}
					ok(w, r)
				}
			},
			check: func(t *testing.T, hits int64, waits []time.Duration) {
				// search: 2 refused + 1 answered, each refusal waited for as it asked.
				if !slices.Equal(waits, []time.Duration{time.Second, time.Second}) {
					t.Errorf("two Retry-After: 1 answers: the client waited %v, want [1s 1s]", waits)
				}
			}},
		{name: "429 Retry-After, always", want: "back end Faulty answered 429 with error (throttled): Too many requests",
			handler: func(*testing.T) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Retry-After", "1")
					writeFHIR(w, 429, outcome("error", "throttled", "Too many requests"))
				}
			},
			check: func(t *testing.T, hits int64, waits []time.Duration) {
				if hits != 4 {
					t.Errorf("requests = %d, want 4 (1 + 3 retries)", hits)
				}
				if !slices.Equal(waits, []time.Duration{time.Second, time.Second, time.Second}) {
					t.Errorf("three Retry-After: 1 answers: the client waited %v, want [1s 1s 1s]", waits)
				}
			}},
		{name: "500", want: "back end Faulty answered 500 with fatal (exception): database offline",
			handler: func(*testing.T) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					writeFHIR(w, 500, outcome("fatal", "exception", "database offline"))
				}
			},
			check: func(t *testing.T, hits int64, _ []time.Duration) {
				if hits != 1 {
					t.Errorf("a 500 was retried: %d requests", hits)
				}
			}},
		{name: "502 HTML page", want: "back end Faulty answered 502 with an HTML page",
			handler: func(*testing.T) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Content-Type", "text/html")
					w.WriteHeader(502)
					io.WriteString(w, "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>")
				}
			}},
		{name: "200 with an HTML login page", want: "back end Faulty answered 200 with an HTML page instead of FHIR",
			handler: func(*testing.T) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Content-Type", "text/html; charset=utf-8")
					io.WriteString(w, "<!DOCTYPE html><html><body><form action=/login>Sign in</form></body></html>")
				}
			}},
		{name: "slow past its timeout", timeout: 300 * time.Millisecond, want: "back end Faulty did not answer within 300ms",
			handler: func(*testing.T) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					select {
					case <-time.After(10 * time.Second):
					case <-r.Context().Done():
					}
				}
			}},
		{name: "truncated body", want: "back end Faulty sent a response that was cut short",
			handler: func(t *testing.T) http.HandlerFunc {
				body := searchset("", patientJSON(t, person, "faulty-1"))
				return func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Content-Type", "application/fhir+json")
					w.Header().Set("Content-Length", strconv.Itoa(len(body)))
					w.WriteHeader(200)
					w.Write(body[:len(body)/2])
				}
			}},
		{name: "malformed JSON", want: "back end Faulty sent malformed FHIR for Patient: the JSON ends too early (truncated body?)",
			handler: func(*testing.T) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					writeFHIR(w, 200, []byte(`{"resourceType":"Bundle","type":"searchset","entry":[{"resource":{"resourceType":"Patient"`))
				}
			}},
		{name: "next link loops", want: "back end Faulty sent a next link that loops back to a page already read: showing the 2 entries read",
			handler: func(t *testing.T) http.HandlerFunc {
				p := patientJSON(t, person, "faulty-1")
				return func(w http.ResponseWriter, r *http.Request) {
					self := "http://" + r.Host + r.URL.Path + "?page=2"
					if r.URL.Query().Get("page") == "" {
						writeFHIR(w, 200, searchset(self, p))
						return
					}
					writeFHIR(w, 200, searchset(self, p)) // page 2 points at itself
				}
			}},
		{name: "50 MB streamed", maxBytes: 8 << 20, want: "back end Faulty sent a response larger than 8 MiB: cut off",
			handler: func(*testing.T) http.HandlerFunc { return stream50MB(false, &sent50) },
			check: func(t *testing.T, _ int64, _ []time.Duration) {
				if n := sent50.Load(); n >= 50<<20 {
					t.Errorf("the server sent all %d bytes: the client read the whole response", n)
				}
			}},
		{name: "50 MB declared", maxBytes: 8 << 20, want: "back end Faulty sent a response larger than 8 MiB: cut off",
			handler: func(*testing.T) http.HandlerFunc { return stream50MB(true, &sentDeclared) }},
		{name: "connection reset, then ok", want: "",
			handler: func(t *testing.T) http.HandlerFunc {
				ok := found(t)
				return func(w http.ResponseWriter, r *http.Request) {
					if resets.Add(1) == 1 {
						conn, _, err := w.(http.Hijacker).Hijack()
						if err != nil {
							t.Error(err)
							return
						}
						conn.(*net.TCPConn).SetLinger(0)
						conn.Close()
						return
					}
					ok(w, r)
				}
			}},
	}
	for _, f := range faults {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			fs := newFHIRServer(t, caps, f.handler(t))
			fc := fs.config(faulty)
			fc.Timeout = f.timeout
			var slept sleeps
			fed, err := NewFederation([]config.Backend{nhsCfg, fc}, Options{MaxResponseBytes: f.maxBytes, Sleep: slept.Sleep})
			if err != nil {
				t.Fatal(err)
			}
			defer fed.Close()
			matches, sts := fed.Search(ctxTimeout(t, 30*time.Second), record.Query{NHSNumber: person.NHS})
			got := statusOf(sts, faulty)
			if f.want == "" {
				if got.Status != record.BackendOK && got.Status != record.BackendSlow || got.Error != "" {
					t.Errorf("Faulty = %s %q, want ok", got.Status, got.Error)
				}
			} else if got.Status != cmp.Or(f.status, record.BackendFailed) || got.Error != f.want {
				t.Errorf("Faulty = %s\n  got  %q\n  want %q", got.Status, got.Error, f.want)
			}
			if f.check != nil {
				f.check(t, fs.hits.Load(), slept.Waits())
			}
			// The demo back end is untouched.
			if st := statusOf(sts, demo.NameNHS); st.Status != record.BackendOK {
				t.Errorf("demo NHS = %s %q", st.Status, st.Error)
			}
			if len(matches) != 1 || matches[0].Person.NHSNumber != person.NHS {
				t.Fatalf("matches = %+v", matches)
			}
			if f.want != "" && len(matches[0].Person.Sources) != 1 {
				t.Errorf("sources = %+v, want the demo back end alone", matches[0].Person.Sources)
			}

			rec, ok := fed.Fetch(ctxTimeout(t, 30*time.Second), person.NHS, record.Sections())
			if !ok {
				t.Fatal("Fetch: person not found")
			}
			if st := statusOf(rec.Backends, demo.NameNHS); st.Status != record.BackendOK && st.Status != record.BackendSlow {
				t.Errorf("Fetch: demo NHS = %s %q", st.Status, st.Error)
			}
			if f.want != "" {
				if st := statusOf(rec.Backends, faulty); st.Status != cmp.Or(f.status, record.BackendFailed) || st.Error != f.want {
					t.Errorf("Fetch: Faulty = %s %q", st.Status, st.Error)
				}
			}
			returned := 0
			for _, sec := range record.Sections() {
				for _, st := range rec.StatusOf(sec) {
					if st.Backend == demo.NameNHS && st.State == record.StateReturned {
						returned++
					}
				}
			}
			if returned == 0 {
				t.Errorf("no section returned from the demo back end: %+v", rec.SectionStatus)
			}
		})
	}
}

// TestRedirectToAnotherHostDropsToken: a token goes only to the configured origin; a
// redirect to another host, or to another port on the same host, arrives without it.
func TestRedirectToAnotherHostDropsToken(t *testing.T) {
	person := testPerson{NHS: "9434765919", Family: "Test", Given: "Ann", BirthDate: "1950-01-01", Gender: "female"}
	for _, tc := range []struct{ name, host string }{
		{"other host (localhost)", "localhost"},
		{"same host, other port", "127.0.0.1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var gotAuth atomic.Value
			gotAuth.Store("(not asked)")
			target := newFHIRServer(t, capsJSON("Patient"), func(w http.ResponseWriter, r *http.Request) {
				gotAuth.Store(r.Header.Get("Authorization"))
				writeFHIR(w, 200, searchset("", patientJSON(t, person, "moved-1")))
			})
			tu, _ := url.Parse(target.URL)
			tu.Host = net.JoinHostPort(tc.host, tu.Port())
			var originAuth atomic.Value
			src := newFHIRServer(t, capsJSON("Patient"), func(w http.ResponseWriter, r *http.Request) {
				originAuth.Store(r.Header.Get("Authorization"))
				http.Redirect(w, r, tu.String()+r.URL.RequestURI(), http.StatusTemporaryRedirect)
			})
			tokens := func(name string) oauth2.TokenSource {
				return oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "secret-token", TokenType: "Bearer"})
			}
			b, err := New(src.config("Origin"), Options{Tokens: tokens})
			if err != nil {
				t.Fatal(err)
			}
			people, err := b.Search(ctxTimeout(t, 10*time.Second), record.Query{NHSNumber: person.NHS})
			if err != nil || len(people) != 1 {
				t.Fatalf("search = %v, %v", people, err)
			}
			if got := originAuth.Load(); got != "Bearer secret-token" {
				t.Errorf("origin got Authorization %q", got)
			}
			if got := gotAuth.Load(); got != "" {
				t.Errorf("redirect target got Authorization %q, want none", got)
			}
		})
	}
}

// TestRedirectLoopStops: more than 5 redirects is an error, not a hang.
func TestRedirectLoopStops(t *testing.T) {
	var hits atomic.Int64
	var ts *httptest.Server
	ts = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.Redirect(w, r, ts.URL+"/fhir/R4/Patient?hop="+strconv.Itoa(int(hits.Load())), http.StatusFound)
	}))
	defer ts.Close()
	b, err := New(config.Backend{Name: "Loop", URL: ts.URL + "/fhir/R4"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = b.Search(ctxTimeout(t, 10*time.Second), record.Query{NHSNumber: "9434765919"})
	if err == nil || err.Error() != "back end Loop redirected more than 5 times" {
		t.Fatalf("err = %v", err)
	}
	if strings.Contains(err.Error(), "9434765919") {
		t.Error("the message carries the NHS number")
	}
}

// TestUnreachableBackend: nothing listening gives one plain line, without the URL (which
// would carry the NHS number).
func TestUnreachableBackend(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	b, err := New(config.Backend{Name: "Gone", URL: "http://" + addr + "/fhir/R4"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = b.Search(ctxTimeout(t, 10*time.Second), record.Query{NHSNumber: "9434765919"})
	if err == nil || err.Error() != "back end Gone could not be reached (connection refused)" {
		t.Fatalf("err = %v", err)
	}
}
