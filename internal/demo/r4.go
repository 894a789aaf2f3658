package demo

import (
	"bytes"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

const (
	fhirJSON     = "application/fhir+json; charset=utf-8"
	defaultCount = 50
	maxCount     = 500
	offsetParam  = "_getpagesoffset"
)

// r4Handler serves one store as a FHIR R4 REST server.
type r4Handler struct {
	base     string
	st       *store
	caps     []byte
	audits   *auditEvents // POST AuditEvent (auditevent.go)
	pageSize int          // > 0: every search page has this many entries, whatever _count asks
}

func newR4Handler(base string, st *store) http.Handler { return newR4HandlerPaged(base, st, 0) }

func newR4HandlerPaged(base string, st *store, pageSize int) http.Handler {
	h := &r4Handler{base: base, st: st, pageSize: pageSize, audits: &auditEvents{}}
	h.caps = mustJSON(capabilityStatement(base, st))
	return h
}

// mustJSON marshals demo-built values (which cannot fail) without HTML escaping, so that
// URLs and XHTML narratives read as written, with resourceType, id and meta first.
func mustJSON(v any) []byte {
	var b bytes.Buffer
	if err := encodeJSON(&b, v); err != nil {
		panic("demo: " + err.Error())
	}
	return b.Bytes()
}

// writeOutcome answers with an OperationOutcome of one error issue.
func writeOutcome(w http.ResponseWriter, status int, code, diagnostics string) {
	oo := jobj{"resourceType": "OperationOutcome", "issue": jarr{jobj{"severity": "error", "code": code, "diagnostics": diagnostics}}}
	writeJSON(w, status, mustJSON(oo))
}

func writeJSON(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", fhirJSON)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func (h *r4Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h.audits.serve(w, r, h.base) {
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeOutcome(w, http.StatusMethodNotAllowed, "not-supported", "the demo back end is read-only: "+r.Method+" is not supported")
		return
	}
	path := strings.Trim(r.URL.Path, "/")
	parts := strings.Split(path, "/")
	switch {
	case path == "metadata":
		writeJSON(w, http.StatusOK, h.caps)
	case path == "":
		writeOutcome(w, http.StatusBadRequest, "not-supported", "system-level search is not supported; search a resource type, e.g. Patient?identifier=…")
	case !slices.Contains(h.st.types, parts[0]):
		writeOutcome(w, http.StatusNotFound, "not-supported", fmt.Sprintf("resource type %q is not supported by this server", parts[0]))
	case len(parts) == 1:
		hh := *h // this request reads one store throughout
		hh.st = h.st.current(h.needsBulk(r, parts[0]))
		hh.searchType(w, r, parts[0])
	case len(parts) == 2:
		key := parts[0] + "/" + parts[1]
		res, ok := h.st.current(false).byID[key]
		if !ok && h.st.lazy != nil {
			res, ok = h.st.current(true).byID[key]
		}
		if !ok {
			writeOutcome(w, http.StatusNotFound, "not-found", fmt.Sprintf("resource %s/%s is not known", parts[0], parts[1]))
			return
		}
		writeJSON(w, http.StatusOK, res.raw)
	default:
		writeOutcome(w, http.StatusBadRequest, "not-supported", "operation not supported: "+path)
	}
}

// needsBulk reports whether a search of typ may see resources of a store's lazily built
// bulk: any search but a Patient search or one restricted to a Patient without bulk.
func (h *r4Handler) needsBulk(r *http.Request, typ string) bool {
	if h.st.lazy == nil || typ == "Patient" {
		return false
	}
	q := r.URL.Query()
	for _, name := range []string{"patient", "subject"} {
		for _, v := range q[name] {
			if id, err := patientRefID(name, v); err == nil && !strings.Contains(v, ",") && !h.st.pending(id) {
				return false
			}
		}
	}
	return true
}
