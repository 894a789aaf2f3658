package fhirtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Capability is what the server's CapabilityStatement says.
type Capability int

const (
	// Complete declares every type the server serves, each with every search parameter,
	// _include and _revinclude it implements.
	Complete Capability = iota
	// Incomplete is a statement as many real servers publish: it leaves out types the
	// server serves (Options.Omit) and declares types it refuses (Options.Refuse).
	Incomplete
)

func (c Capability) String() string {
	if c == Incomplete {
		return "incomplete"
	}
	return "complete"
}

// Options shape the server. The zero value is a complete statement, pages of 20 and at
// most 100 entries a page.
type Options struct {
	Capability Capability
	// Omit: the types an Incomplete statement leaves out although the server serves them.
	// nil = every served type except Patient.
	Omit []string
	// Refuse: types an Incomplete statement declares but the server does not serve (a search
	// or read is a 404 OperationOutcome, not-supported). nil = DeviceRequest unless the data
	// holds some.
	Refuse []string
	// PageSize is the page length when _count is not given (default 20); MaxPageSize caps
	// _count (default 100), as real servers do.
	PageSize, MaxPageSize int
	// Wrap, if set, wraps the server's handler (tests add latency or record requests).
	Wrap func(http.Handler) http.Handler
}

// Server is a running ordinary FHIR R4 server.
type Server struct {
	*httptest.Server
	// URL is the FHIR base (the httptest server's URL plus "/fhir").
	URL string

	opts  Options
	store *store

	mu       sync.Mutex
	requests []string
}

// Start serves rs on loopback until the test ends.
func Start(t testing.TB, rs []Resource, opts Options) *Server {
	t.Helper()
	s := New(rs, opts)
	t.Cleanup(s.Close)
	return s
}

// StartDir serves every resource in the files and folders named until the test ends.
func StartDir(t testing.TB, opts Options, paths ...string) *Server {
	t.Helper()
	rs, err := Load(paths...)
	if err != nil {
		t.Fatalf("fhirtest: %v", err)
	}
	return Start(t, rs, opts)
}

// New starts a server (the caller closes it).
func New(rs []Resource, opts Options) *Server {
	if opts.PageSize <= 0 {
		opts.PageSize = 20
	}
	if opts.MaxPageSize <= 0 {
		opts.MaxPageSize = 100
	}
	s := &Server{opts: opts, store: newStore(slices.Clone(rs))}
	if opts.Capability == Incomplete {
		if s.opts.Omit == nil {
			s.opts.Omit = slices.DeleteFunc(slices.Clone(s.store.types), func(t string) bool { return t == "Patient" })
		}
		if s.opts.Refuse == nil && s.store.byType["DeviceRequest"] == nil {
			s.opts.Refuse = []string{"DeviceRequest"}
		}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/fhir/", s.handle)
	var h http.Handler = mux
	if opts.Wrap != nil {
		h = opts.Wrap(mux)
	}
	s.Server = httptest.NewServer(h)
	s.URL = s.Server.URL + "/fhir"
	return s
}

// Types are the resource types the server serves: the R4 types it knows (standardTypes) and
// those it holds resources of. Any other name is an unknown type (404 OperationOutcome).
func (s *Server) Types() []string { return slices.Clone(s.store.types) }

// Requests returns the requests received so far ("GET /fhir/Patient?identifier=…").
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// CapabilityStatement is the statement GET /metadata answers.
func (s *Server) CapabilityStatement() map[string]any {
	var resources []any
	declare := func(t string, served bool) {
		r := map[string]any{
			"type":        t,
			"interaction": []any{map[string]any{"code": "read"}, map[string]any{"code": "search-type"}},
		}
		if !served { // a refused type is declared the way served ones are
			r["searchParam"] = []any{map[string]any{"name": "patient", "type": "reference"}}
			resources = append(resources, r)
			return
		}
		params := []any{map[string]any{"name": "_id", "type": "token"}}
		var includes []any
		for _, p := range s.store.params(t) {
			params = append(params, map[string]any{"name": p.Name, "type": string(p.Kind)})
			if p.Kind == kindReference {
				includes = append(includes, t+":"+p.Name)
			}
		}
		r["searchParam"] = params
		if len(includes) > 0 {
			r["searchInclude"] = includes
		}
		if s.store.byType["Provenance"] != nil {
			r["searchRevInclude"] = []any{"Provenance:target"}
		}
		resources = append(resources, r)
	}
	for _, t := range s.store.types {
		if s.opts.Capability == Incomplete && slices.Contains(s.opts.Omit, t) {
			continue
		}
		declare(t, true)
	}
	if s.opts.Capability == Incomplete {
		for _, t := range s.opts.Refuse {
			if !s.serves(t) {
				declare(t, false)
			}
		}
	}
	return map[string]any{
		"resourceType": "CapabilityStatement",
		"status":       "active",
		"date":         "2026-01-01",
		"kind":         "instance",
		"fhirVersion":  "4.0.1",
		"format":       []any{"application/fhir+json", "json"},
		"software":     map[string]any{"name": "fhirtest ordinary server (" + s.opts.Capability.String() + " statement)"},
		"rest":         []any{map[string]any{"mode": "server", "resource": resources}},
	}
}

// serves: the server answers searches and reads of t.
func (s *Server) serves(t string) bool {
	return slices.Contains(s.store.types, t) && !slices.Contains(s.opts.Refuse, t)
}

func (s *Server) handle(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests = append(s.requests, r.Method+" "+r.URL.RequestURI())
	s.mu.Unlock()
	if r.Method != http.MethodGet {
		writeOutcome(w, http.StatusMethodNotAllowed, "not-supported", "method "+r.Method+" is not supported")
		return
	}
	path := strings.Trim(strings.TrimPrefix(r.URL.Path, "/fhir"), "/")
	parts := strings.Split(path, "/")
	switch {
	case path == "metadata":
		writeJSON(w, http.StatusOK, s.CapabilityStatement())
	case len(parts) == 1 && parts[0] != "":
		s.search(w, r, parts[0])
	case len(parts) == 2:
		s.read(w, parts[0], parts[1])
	default:
		writeOutcome(w, http.StatusNotFound, "not-found", "no such path: /"+path)
	}
}

func (s *Server) read(w http.ResponseWriter, typ, id string) {
	if !s.serves(typ) {
		writeOutcome(w, http.StatusNotFound, "not-supported", "resource type "+typ+" is not supported")
		return
	}
	res := s.store.byRef[typ+"/"+id]
	if res == nil {
		writeOutcome(w, http.StatusNotFound, "not-found", typ+"/"+id+" is not known")
		return
	}
	w.Header().Set("Content-Type", "application/fhir+json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(res.Raw)
}

// control parameters the server accepts besides the search parameters.
var controlParams = []string{"_count", "_include", "_include:iterate", "_revinclude", "_offset", "_total", "_format", "_pretty"}

func (s *Server) search(w http.ResponseWriter, r *http.Request, typ string) {
	if !s.serves(typ) {
		writeOutcome(w, http.StatusNotFound, "not-supported", "resource type "+typ+" is not supported")
		return
	}
	q := r.URL.Query()
	type crit struct {
		def   paramDef
		exact bool
		want  []string
	}
	var crits []crit
	var ids []string
	for name, vals := range q {
		if slices.Contains(controlParams, name) {
			continue
		}
		base, mod, _ := strings.Cut(name, ":")
		if name == "_id" {
			for _, v := range vals {
				ids = append(ids, strings.Split(v, ",")...)
			}
			continue
		}
		def, ok := s.store.param(typ, base)
		if !ok || (mod != "" && !(mod == "exact" && def.Kind == kindString)) {
			writeOutcome(w, http.StatusBadRequest, "not-supported", "unknown search parameter "+name+" for "+typ)
			return
		}
		for _, v := range vals {
			crits = append(crits, crit{def: def, exact: mod == "exact", want: strings.Split(v, ",")})
		}
	}
	count := s.opts.PageSize
	if c := q.Get("_count"); c != "" {
		n, err := strconv.Atoi(c)
		if err != nil || n < 0 {
			writeOutcome(w, http.StatusBadRequest, "invalid", "_count must be a number")
			return
		}
		count = n
	}
	count = min(count, s.opts.MaxPageSize)
	offset, _ := strconv.Atoi(q.Get("_offset"))
	offset = max(offset, 0)
	// _include / _include:iterate / _revinclude are checked before any work.
	includes, err := s.includeParams(typ, q["_include"], false)
	if err == nil {
		var iter []paramInclude
		iter, err = s.includeParams(typ, q["_include:iterate"], true)
		includes = append(includes, iter...)
	}
	if err != nil {
		writeOutcome(w, http.StatusBadRequest, "not-supported", err.Error())
		return
	}
	for _, ri := range q["_revinclude"] {
		if ri != "Provenance:target" {
			writeOutcome(w, http.StatusBadRequest, "not-supported", "_revinclude "+ri+" is not supported")
			return
		}
	}

	var matches []*Resource
	for _, res := range s.store.byType[typ] {
		if len(ids) > 0 && !slices.Contains(ids, res.ID) {
			continue
		}
		ok := true
		for _, c := range crits {
			switch c.def.Kind {
			case kindReference:
				ok = matchReference(res.doc, c.def, c.want, s.URL)
			case kindToken:
				ok = matchToken(res.doc, c.def, c.want)
			case kindString:
				ok = matchString(res.doc, c.def, c.want, c.exact)
			case kindDate:
				ok = matchDate(res.doc, c.def, c.want)
			}
			if !ok {
				break
			}
		}
		if ok {
			matches = append(matches, res)
		}
	}
	page := matches[min(offset, len(matches)):min(offset+count, len(matches))]
	var entries []any
	seen := map[string]bool{}
	add := func(res *Resource, mode string) {
		if seen[res.Ref()] {
			return
		}
		seen[res.Ref()] = true
		entries = append(entries, map[string]any{
			"fullUrl":  s.URL + "/" + res.Ref(),
			"resource": json.RawMessage(res.Raw),
			"search":   map[string]any{"mode": mode},
		})
	}
	for _, res := range page {
		add(res, "match")
	}
	included := s.include(page, includes)
	for _, res := range included {
		add(res, "include")
	}
	if len(q["_revinclude"]) > 0 && s.serves("Provenance") {
		targets := append(slices.Clone(page), included...)
		for _, prov := range s.store.byType["Provenance"] {
			if slices.ContainsFunc(targets, func(t *Resource) bool {
				return matchReference(prov.doc, paramDef{Paths: []string{"target"}}, []string{t.Ref()}, s.URL)
			}) {
				add(prov, "include")
			}
		}
	}
	self := s.URL + "/" + typ + "?" + q.Encode()
	links := []any{map[string]any{"relation": "self", "url": self}}
	if offset+count < len(matches) && count > 0 {
		next := cloneQuery(q)
		next.Set("_offset", strconv.Itoa(offset+count))
		next.Set("_count", strconv.Itoa(count))
		links = append(links, map[string]any{"relation": "next", "url": s.URL + "/" + typ + "?" + next.Encode()})
	}
	bundle := map[string]any{
		"resourceType": "Bundle",
		"id":           fmt.Sprintf("search-%d", time.Now().UnixNano()),
		"type":         "searchset",
		"total":        len(matches),
		"link":         links,
	}
	if len(entries) > 0 {
		bundle["entry"] = entries
	}
	writeJSON(w, http.StatusOK, bundle)
}

type paramInclude struct {
	source  string // the type the parameter belongs to
	def     paramDef
	iterate bool
}

// includeParams checks "Type:param[:target]" values: Type must be the searched type (or,
// with :iterate, any served type) and param one of its reference parameters.
func (s *Server) includeParams(typ string, vals []string, iterate bool) ([]paramInclude, error) {
	var out []paramInclude
	for _, v := range vals {
		parts := strings.Split(v, ":")
		if len(parts) < 2 || len(parts) > 3 || (!iterate && parts[0] != typ) {
			return nil, fmt.Errorf("_include %s is not supported for %s", v, typ)
		}
		def, ok := s.store.param(parts[0], parts[1])
		if !ok && iterate && s.serves(parts[0]) {
			// :iterate may name a type's parameter whose element this data never carries.
			def, ok = standardRef(parts[0], parts[1])
		}
		if !ok || def.Kind != kindReference {
			return nil, fmt.Errorf("_include %s is not supported", v)
		}
		if len(parts) == 3 {
			def.Target = parts[2]
		}
		out = append(out, paramInclude{source: parts[0], def: def, iterate: iterate})
	}
	return out, nil
}

// standardRef finds a reference parameter by its standard definition.
func standardRef(t, name string) (paramDef, bool) {
	for _, p := range append(slices.Clone(commonParams), typeParams[t]...) {
		if p.Name == name && p.Kind == kindReference {
			return p, true
		}
	}
	return paramDef{}, false
}

// include returns the resources the page's resources refer to through the include
// parameters; :iterate ones are followed from included resources too, until nothing new.
func (s *Server) include(page []*Resource, incs []paramInclude) []*Resource {
	var out []*Resource
	have := map[string]bool{}
	for _, r := range page {
		have[r.Ref()] = true
	}
	frontier := page
	for round := 0; len(frontier) > 0 && round < 10; round++ {
		var next []*Resource
		for _, src := range frontier {
			for _, inc := range incs {
				if src.Type != inc.source || (round > 0 && !inc.iterate) {
					continue
				}
				for _, path := range inc.def.Paths {
					for _, v := range values(src.doc, path) {
						m, _ := v.(map[string]any)
						ref, _ := m["reference"].(string)
						t, id, ok := refTarget(ref, s.URL)
						if !ok || (inc.def.Target != "" && t != inc.def.Target) || !s.serves(t) {
							continue
						}
						if res := s.store.byRef[t+"/"+id]; res != nil && !have[res.Ref()] {
							have[res.Ref()] = true
							out = append(out, res)
							next = append(next, res)
						}
					}
				}
			}
		}
		frontier = next
	}
	return out
}

func cloneQuery(q url.Values) url.Values {
	out := url.Values{}
	for k, v := range q {
		out[k] = slices.Clone(v)
	}
	return out
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/fhir+json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// writeOutcome answers with an OperationOutcome of one error issue.
func writeOutcome(w http.ResponseWriter, status int, code, text string) {
	writeJSON(w, status, map[string]any{
		"resourceType": "OperationOutcome",
		"issue": []any{map[string]any{
			"severity":    "error",
			"code":        code,
			"diagnostics": text,
			"details":     map[string]any{"text": text},
		}},
	})
}
