package demo

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// auditEvents is a demo back end's small FHIR audit repository: it accepts
// `POST AuditEvent` (the IHE ATNA RESTful feed shcr's audit.forward uses), honours
// `If-None-Exist: _tag=system|code` (conditional create, so that an event sent twice is kept
// once), and answers `GET AuditEvent[?_tag=system|code]` with what it holds. Events live in
// memory for the life of the demo.
type auditEvents struct {
	mu    sync.Mutex
	list  []json.RawMessage
	ids   []string
	byTag map[string]string // "system|code" → id
}

// maxAuditEvent caps one posted AuditEvent.
const maxAuditEvent = 1 << 20

// serve handles the AuditEvent endpoint and reports whether it did.
func (a *auditEvents) serve(w http.ResponseWriter, r *http.Request, base string) bool {
	if strings.Trim(r.URL.Path, "/") != "AuditEvent" {
		return false
	}
	switch r.Method {
	case http.MethodPost:
		a.create(w, r, base)
	case http.MethodGet, http.MethodHead:
		a.search(w, r, base)
	default:
		w.Header().Set("Allow", "GET, HEAD, POST")
		writeOutcome(w, http.StatusMethodNotAllowed, "not-supported", "AuditEvent accepts POST (create) and GET (search) only")
	}
	return true
}

func (a *auditEvents) create(w http.ResponseWriter, r *http.Request, base string) {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || (mt != "application/fhir+json" && mt != "application/json") {
		writeOutcome(w, http.StatusUnsupportedMediaType, "not-supported", "send the AuditEvent as application/fhir+json")
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxAuditEvent+1))
	if err != nil || len(body) > maxAuditEvent {
		writeOutcome(w, http.StatusRequestEntityTooLarge, "too-long", "an AuditEvent is at most 1 MiB")
		return
	}
	var res jobj
	if err := json.Unmarshal(body, &res); err != nil || res["resourceType"] != "AuditEvent" {
		writeOutcome(w, http.StatusBadRequest, "structure", "the body is not a FHIR AuditEvent")
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.byTag == nil {
		a.byTag = map[string]string{}
	}
	if cond, ok := strings.CutPrefix(r.Header.Get("If-None-Exist"), "_tag="); ok {
		if id, dup := a.byTag[cond]; dup {
			w.Header().Set("Location", base+"/AuditEvent/"+id)
			writeJSON(w, http.StatusOK, a.list[a.index(id)])
			return
		}
	}
	id := "ae-" + strconv.Itoa(len(a.list)+1)
	res["id"] = id
	stored := mustJSON(res)
	a.list = append(a.list, stored)
	a.ids = append(a.ids, id)
	for _, t := range tags(res) {
		if _, seen := a.byTag[t]; !seen {
			a.byTag[t] = id
		}
	}
	w.Header().Set("Location", base+"/AuditEvent/"+id)
	writeJSON(w, http.StatusCreated, stored)
}

func (a *auditEvents) index(id string) int {
	for i, x := range a.ids {
		if x == id {
			return i
		}
	}
	return -1
}

// tags lists an AuditEvent's meta.tag as "system|code".
func tags(res jobj) []string {
	meta, _ := res["meta"].(map[string]any)
	list, _ := meta["tag"].([]any)
	var out []string
	for _, t := range list {
		m, _ := t.(map[string]any)
		sys, _ := m["system"].(string)
		code, _ := m["code"].(string)
		if code != "" {
			out = append(out, sys+"|"+code)
		}
	}
	return out
}

func (a *auditEvents) search(w http.ResponseWriter, r *http.Request, base string) {
	want := r.URL.Query().Get("_tag")
	a.mu.Lock()
	var entries jarr
	for i, raw := range a.list {
		if want != "" && a.byTag[want] != a.ids[i] {
			continue
		}
		entries = append(entries, jobj{"fullUrl": base + "/AuditEvent/" + a.ids[i], "resource": raw, "search": jobj{"mode": "match"}})
	}
	a.mu.Unlock()
	b := jobj{"resourceType": "Bundle", "type": "searchset", "total": len(entries), "entry": entries}
	if len(entries) == 0 {
		delete(b, "entry")
	}
	writeJSON(w, http.StatusOK, mustJSON(b))
}

// String says how many AuditEvents the repository holds (for logs and tests).
func (a *auditEvents) String() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return fmt.Sprintf("%d AuditEvents", len(a.list))
}
