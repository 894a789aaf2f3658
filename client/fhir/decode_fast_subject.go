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
