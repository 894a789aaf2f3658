package fhir

// The hand-written reader of whom a resource is about (Subject), kept to the generic
// decode's answer as the other readers are (decode_fast.go): TestFastSubjectAgrees and
// FuzzFastSubject.

var subjectFields = []string{"subject", "patient", "beneficiary"}

// decodeSubjectFast reads the members that say whom a resource is about into h; false (h
// then half-filled) where the generic decode must read them.
func decodeSubjectFast(data []byte, h *subjectHead) bool {
	f := getFastReader(data)
	defer putFastReader(f)
	return fastSubject(f, h) && f.atEnd()
}

func fastSubject(f *fastReader, h *subjectHead) bool {
	var seen uint32
	return f.object(subjectFields, func(name []byte) (known, ok bool) {
		switch string(name) {
		case "subject":
			return true, once(&seen, 1) && fastRefPtr(f, &h.Subject)
		case "patient":
			return true, once(&seen, 2) && fastRefPtr(f, &h.Patient)
		case "beneficiary":
			return true, once(&seen, 4) && fastRefPtr(f, &h.Beneficiary)
		}
		return false, true
	})
}

// subjectRead is what the Encounter reader (decodeEncounterOwnFastRefs) read of whom the
// Encounter is about, so that Subject need not read the resource again: its one "subject"
// member, unless other — a member Subject might read otherwise (patient or beneficiary,
// any of the three names in another case, subject given twice, or a subject the Reference
// reader could not read: Subject then reads the resource itself).
type subjectRead struct {
	ref   *Reference
	seen  bool
	other bool
}

// member reads the resource's member name when it is the subject (true: read; else the
// caller skips it as before), noting any member Subject might read otherwise. A subject
// the Reference reader gives up on (or whose references it cannot tell) is skipped (the Encounter's reading goes on as it did
// without this): the reader is put back where it was, its references found too.
func (s *subjectRead) member(f *fastReader, name []byte) bool {
	if len(name) != len("subject") && len(name) != len("beneficiary") {
		return false // neither subject, patient (of subject's length) nor beneficiary
	}
	if string(name) == "subject" && !s.seen {
		s.seen = true
		pos, depth, bad, n := f.pos, f.depth, f.refsBad, 0
		if f.named != nil {
			n = len(*f.named)
		}
		if fastRefPtr(f, &s.ref) && f.refsBad == bad {
			return true // (a subject whose references the reader cannot tell is skipped: the scan can)
		}
		f.pos, f.depth, f.refsBad, s.ref = pos, depth, bad, nil
		if f.named != nil {
			*f.named = (*f.named)[:n]
		}
	}
	for _, k := range subjectFields {
		if equalFoldASCII(name, k) {
			s.other = true
		}
	}
	return false
}

// result is Subject's answer from what was read; known false: Subject must read the
// resource (a member it might read otherwise was met).
func (s *subjectRead) result() (ref Reference, ok, known bool) {
	if s.other {
		return Reference{}, false, false
	}
	ref, ok = pickSubject(subjectHead{Subject: s.ref})
	return ref, ok, true
}
