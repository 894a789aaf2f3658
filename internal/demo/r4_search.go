package demo

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// searchError is a bad search request: 400 with an OperationOutcome.
type searchError struct{ code, msg string }

func (e *searchError) Error() string { return e.msg }

func badParam(name, format string, args ...any) *searchError {
	return &searchError{code: "invalid", msg: fmt.Sprintf("search parameter %q: ", name) + fmt.Sprintf(format, args...)}
}

var dateValue = regexp.MustCompile(`^\d{4}(-\d{2}(-\d{2})?)?$`)

// patientRefID accepts "123", "Patient/123" or "[base]/Patient/123".
func patientRefID(name, v string) (string, error) {
	if i := strings.LastIndex(v, "Patient/"); i >= 0 {
		v = v[i+len("Patient/"):]
	}
	if v == "" || strings.ContainsAny(v, "/|") {
		return "", badParam(name, "expected a Patient id or reference, got %q", v)
	}
	return v, nil
}

func hasPrefixAny(list []string, p string) bool {
	for _, s := range list {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// patientMatcher builds the predicate of one Patient search parameter value.
func patientMatcher(name, value string) (func(*patientIndex) bool, error) {
	alts := strings.Split(value, ",")
	var preds []func(*patientIndex) bool
	for _, v := range alts {
		v = strings.TrimSpace(v)
		if v == "" {
			return nil, badParam(name, "empty value")
		}
		var p func(*patientIndex) bool
		switch name {
		case "_id":
			p = func(pi *patientIndex) bool { return pi.res.id == v }
		case "identifier":
			if sys, val, ok := strings.Cut(v, "|"); ok {
				if val == "" {
					return nil, badParam(name, "expected system|value, got %q", v)
				}
				p = func(pi *patientIndex) bool {
					for _, id := range pi.ids {
						s, iv, _ := strings.Cut(id, "|")
						if iv == val && (sys == "" || s == sys) {
							return true
						}
					}
					return false
				}
			} else {
				p = func(pi *patientIndex) bool {
					for _, id := range pi.ids {
						if _, iv, _ := strings.Cut(id, "|"); iv == v {
							return true
						}
					}
					return false
				}
			}
		case "family":
			lv := strings.ToLower(v)
			p = func(pi *patientIndex) bool { return hasPrefixAny(pi.families, lv) }
		case "given":
			lv := strings.ToLower(v)
			p = func(pi *patientIndex) bool { return hasPrefixAny(pi.givens, lv) }
		case "name":
			lv := strings.ToLower(v)
			p = func(pi *patientIndex) bool { return hasPrefixAny(pi.families, lv) || hasPrefixAny(pi.givens, lv) }
		case "birthdate":
			prefix, d := "eq", v
			if len(v) > 2 && v[0] >= 'a' && v[0] <= 'z' {
				prefix, d = v[:2], v[2:]
			}
			if !dateValue.MatchString(d) {
				return nil, badParam(name, "expected a date as yyyy-mm-dd (optionally prefixed eq, ge, le, gt, lt), got %q", v)
			}
			switch prefix {
			case "eq":
				p = func(pi *patientIndex) bool { return pi.birthDate != "" && strings.HasPrefix(pi.birthDate, d) }
			case "ge":
				p = func(pi *patientIndex) bool { return pi.birthDate >= d }
			case "gt":
				p = func(pi *patientIndex) bool { return pi.birthDate > d && !strings.HasPrefix(pi.birthDate, d) }
			case "le":
				p = func(pi *patientIndex) bool {
					return pi.birthDate != "" && (pi.birthDate <= d || strings.HasPrefix(pi.birthDate, d))
				}
			case "lt":
				p = func(pi *patientIndex) bool { return pi.birthDate != "" && pi.birthDate < d }
			default:
				return nil, &searchError{code: "not-supported", msg: fmt.Sprintf("search parameter %q: prefix %q is not supported", name, prefix)}
			}
		case "address-postalcode":
			pc := normPostcode(v)
			p = func(pi *patientIndex) bool { return hasPrefixAny(pi.postcodes, pc) }
		case "phone", "telecom":
			if name == "telecom" {
				if sys, val, ok := strings.Cut(v, "|"); ok {
					if sys != "" && sys != "phone" {
						return nil, badParam(name, "only phone numbers can be searched, got system %q", sys)
					}
					v = val
				}
			}
			d := normPhone(v)
			if len(d) < 6 {
				return nil, badParam(name, "expected a phone number, got %q", v)
			}
			p = func(pi *patientIndex) bool { return slices.Contains(pi.phones, d) }
		case "gender":
			switch v {
			case "male", "female", "other", "unknown":
			default:
				return nil, badParam(name, "expected male, female, other or unknown, got %q", v)
			}
			p = func(pi *patientIndex) bool { return pi.gender == v }
		default:
			return nil, &searchError{code: "not-supported", msg: fmt.Sprintf("search parameter %q is not supported for Patient", name)}
		}
		preds = append(preds, p)
	}
	return func(pi *patientIndex) bool {
		for _, p := range preds {
			if p(pi) {
				return true
			}
		}
		return false
	}, nil
}

// searchRequest is a parsed search.
type searchRequest struct {
	count, offset int
	includes      []string    // _include params of this type (the part after "Type:")
	iterate       [][2]string // _include:iterate as {type, param}, applied to included resources too
	revProvenance bool
}

func (h *r4Handler) searchType(w http.ResponseWriter, r *http.Request, typ string) {
	matches, sr, err := h.match(typ, r.URL.Query())
	if err != nil {
		se, ok := err.(*searchError)
		if !ok {
			se = &searchError{code: "exception", msg: err.Error()}
		}
		writeOutcome(w, http.StatusBadRequest, se.code, se.msg)
		return
	}
	writeJSON(w, http.StatusOK, h.bundle(typ, r.URL.Query(), matches, sr))
}

// match parses the query and returns every matching resource, in a stable order.
func (h *r4Handler) match(typ string, q url.Values) ([]*resource, searchRequest, error) {
	sr := searchRequest{count: defaultCount}
	if h.pageSize > 0 {
		sr.count = h.pageSize
	}
	params := h.st.search[typ]
	var candidates []*resource
	restricted := false // candidates narrowed by patient/subject
	var filters []func(*resource) bool
	var patFilters []func(*patientIndex) bool

	names := make([]string, 0, len(q))
	for k := range q {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, name := range names {
		vals := q[name]
		switch name {
		case "_count":
			n, err := strconv.Atoi(vals[len(vals)-1])
			if err != nil || n < 0 {
				return nil, sr, badParam(name, "expected a whole number of 0 or more, got %q", vals[len(vals)-1])
			}
			sr.count = min(n, maxCount)
			if h.pageSize > 0 {
				sr.count = h.pageSize
			}
			continue
		case offsetParam:
			n, err := strconv.Atoi(vals[len(vals)-1])
			if err != nil || n < 0 {
				return nil, sr, badParam(name, "invalid page offset %q", vals[len(vals)-1])
			}
			sr.offset = n
			continue
		case "_format":
			for _, v := range vals {
				if v != "json" && !strings.HasPrefix(v, "application/fhir+json") && v != "application/json" {
					return nil, sr, &searchError{code: "not-supported", msg: fmt.Sprintf("_format %q is not supported: this server speaks application/fhir+json", v)}
				}
			}
			continue
		case "_include":
			for _, v := range vals {
				for _, inc := range strings.Split(v, ",") {
					parts := strings.Split(inc, ":")
					if len(parts) < 2 || parts[0] != typ || !slices.Contains(h.st.includes[typ], parts[1]) {
						return nil, sr, &searchError{code: "not-supported", msg: fmt.Sprintf("_include %q is not supported for %s (supported: %s)", inc, typ, includeList(typ, h.st.includes[typ]))}
					}
					if !slices.Contains(sr.includes, parts[1]) {
						sr.includes = append(sr.includes, parts[1])
					}
				}
			}
			continue
		case "_include:iterate":
			for _, v := range vals {
				for _, inc := range strings.Split(v, ",") {
					parts := strings.Split(inc, ":")
					if len(parts) < 2 || !slices.Contains(h.st.includes[parts[0]], parts[1]) {
						return nil, sr, &searchError{code: "not-supported", msg: fmt.Sprintf("_include:iterate %q is not supported (the type must declare it as a searchInclude)", inc)}
					}
					sr.iterate = append(sr.iterate, [2]string{parts[0], parts[1]})
				}
			}
			continue
		case "_revinclude":
			for _, v := range vals {
				for _, inc := range strings.Split(v, ",") {
					if inc != "Provenance:target" {
						return nil, sr, &searchError{code: "not-supported", msg: fmt.Sprintf("_revinclude %q is not supported (supported: Provenance:target)", inc)}
					}
					sr.revProvenance = true
				}
			}
			continue
		}
		if strings.Contains(name, ":") {
			return nil, sr, &searchError{code: "not-supported", msg: fmt.Sprintf("search parameter %q: modifiers are not supported", name)}
		}
		if _, ok := params[name]; !ok {
			return nil, sr, &searchError{code: "not-supported", msg: fmt.Sprintf("search parameter %q is not supported for %s (supported: %s)", name, typ, paramList(params))}
		}
		for _, v := range vals {
			switch {
			case typ == "Patient":
				p, err := patientMatcher(name, v)
				if err != nil {
					return nil, sr, err
				}
				patFilters = append(patFilters, p)
			case name == "patient" || name == "subject":
				if strings.Contains(v, ",") {
					return nil, sr, badParam(name, "one patient at a time, please")
				}
				id, err := patientRefID(name, v)
				if err != nil {
					return nil, sr, err
				}
				set := h.st.byPat[typ][id]
				if restricted {
					set = intersect(candidates, set)
				}
				candidates, restricted = set, true
			case name == "_id":
				ids := strings.Split(v, ",")
				filters = append(filters, func(r *resource) bool { return slices.Contains(ids, r.id) })
			default:
				return nil, sr, &searchError{code: "not-supported", msg: fmt.Sprintf("search parameter %q is not supported for %s", name, typ)}
			}
		}
	}

	var out []*resource
	if typ == "Patient" {
		for _, pi := range h.st.patients {
			ok := true
			for _, f := range patFilters {
				if !f(pi) {
					ok = false
					break
				}
			}
			if ok {
				out = append(out, pi.res)
			}
		}
		return out, sr, nil
	}
	if !restricted {
		candidates = h.st.byType[typ]
	}
	if len(filters) == 0 {
		return candidates, sr, nil
	}
	for _, c := range candidates {
		ok := true
		for _, f := range filters {
			if !f(c) {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, c)
		}
	}
	return out, sr, nil
}

func intersect(a, b []*resource) []*resource {
	var out []*resource
	for _, x := range a {
		if slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

func includeList(typ string, incs []string) string {
	if len(incs) == 0 {
		return "none"
	}
	out := make([]string, len(incs))
	for i, s := range incs {
		out[i] = typ + ":" + s
	}
	return strings.Join(out, ", ")
}

func paramList(params map[string]string) string {
	names := make([]string, 0, len(params))
	for k := range params {
		names = append(names, k)
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}
