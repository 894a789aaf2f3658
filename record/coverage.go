package record

// SetStatus records (or replaces) one back end's status for one section.
func (r *Record) SetStatus(st SectionStatus) {
	for i, old := range r.SectionStatus {
		if old.Backend == st.Backend && old.Section == st.Section {
			r.SectionStatus[i] = st
			return
		}
	}
	r.SectionStatus = append(r.SectionStatus, st)
}

// StatusOf returns every back end's status for a section, in the order they arrived.
func (r *Record) StatusOf(sec Section) []SectionStatus {
	var out []SectionStatus
	for _, st := range r.SectionStatus {
		if st.Section == sec {
			out = append(out, st)
		}
	}
	return out
}

// Returned reports whether at least one back end sent the section (in full or truncated).
// It does not mean the section is complete: see Coverage.
func (r *Record) Returned(sec Section) bool {
	for _, st := range r.SectionStatus {
		if st.Section == sec && st.Answered() {
			return true
		}
	}
	return false
}

// Coverage sorts the back ends by what they said about one section. It is the one place
// that decides whether a section may be called "none recorded".
type Coverage struct {
	Complete []string        // returned the whole section
	NotHeld  []SectionStatus // not-supported: the back end does not serve the section (Error says why)
	NotKnown []string        // do not know the person, so hold nothing for them
	// Unchecked could not be checked: failed, timed-out, truncated, not-queried, loading, or
	// a back end that knows the person and sent no status for the section (as not-queried).
	Unchecked []SectionStatus
}

// Checked reports whether the section is known in full: at least one back end returned it
// whole and every other one either does not know the person or does not serve the section.
func (c Coverage) Checked() bool { return len(c.Complete) > 0 && len(c.Unchecked) == 0 }

// Coverage says, back end by back end, how far sec could be checked.
func (r *Record) Coverage(sec Section) Coverage {
	var c Coverage
	seen := map[string]bool{}
	for _, st := range r.SectionStatus {
		if st.Section != sec {
			continue
		}
		seen[st.Backend] = true
		if st.National && st.State == StateNotSupported {
			continue // a national service that holds no such section: not part of its coverage
		}
		switch st.State {
		case StateReturned:
			c.Complete = append(c.Complete, st.Backend)
		case StateNotSupported:
			c.NotHeld = append(c.NotHeld, st)
		case StateNotKnown:
			c.NotKnown = append(c.NotKnown, st.Backend)
		default:
			c.Unchecked = append(c.Unchecked, st)
		}
	}
	for _, b := range r.Backends {
		if seen[b.Name] {
			continue
		}
		seen[b.Name] = true
		switch b.Status {
		case BackendNotKnown:
			c.NotKnown = append(c.NotKnown, b.Name)
		case BackendFailed:
			c.Unchecked = append(c.Unchecked, SectionStatus{Backend: b.Name, Section: sec, State: StateFailed, Error: b.Error, HTTPStatus: b.HTTPStatus})
		default:
			c.Unchecked = append(c.Unchecked, SectionStatus{Backend: b.Name, Section: sec, State: StateNotQueried, Error: b.Error})
		}
	}
	return c
}

// NoneRecorded reports whether the section may be shown as "none recorded": no items (a
// masked restricted item is an item) and every back end that knows the person returned it
// whole.
func (r *Record) NoneRecorded(sec Section) bool {
	return r.Count(sec) == 0 && r.Coverage(sec).Checked()
}
