package fhir

import "slices"

// The hand-written readers of an Encounter and of an item's own facts (decode_fast.go says
// how they are kept to the generic decode's answer).

// decodeEncounterFast reads an Encounter's plain common form into e; false (e then
// half-filled) where the generic decode must read it.
func decodeEncounterFast(data []byte, e *encounterRes) bool {
	return decodeEncounterFastID(data, "", e)
}

// decodeEncounterFastID is decodeEncounterFast for an Encounter whose id is known (the
// bundle decode read it): the id read again is not allocated again.
func decodeEncounterFastID(data []byte, id string, e *encounterRes) bool {
	f := getFastReader(data)
	defer putFastReader(f)
	f.remember(id)
	return fastEncounter(f, e) && f.atEnd()
}

// decodeOwnFactsFast reads the members an item's own facts come from into o; false (o
// then half-filled) where the generic decode must read them.
func decodeOwnFactsFast(data []byte, o *ownFacts) bool {
	f := getFastReader(data)
	defer putFastReader(f)
	return fastOwnFacts(f, o) && f.atEnd()
}

var encounterFields = []string{"resourceType", "id", "meta", "text", "contained", "extension", "identifier",
	"status", "class", "type", "period", "reasonCode", "reason", "participant", "location",
	"serviceProvider", "hospitalization"}

func fastEncounter(f *fastReader, e *encounterRes) bool {
	var seen uint32
	return f.object(encounterFields, func(name []byte) (known, ok bool) {
		return encounterMember(f, e, &seen, name)
	})
}

// encounterMember reads the value of the Encounter member name into e (known false: not
// one of its members).
func encounterMember(f *fastReader, e *encounterRes, seen *uint32, name []byte) (known, ok bool) {
	switch string(name) {
	case "resourceType":
		return true, once(seen, 1<<0) && f.str(&e.ResourceType)
	case "id":
		return true, once(seen, 1<<1) && f.str(&e.ID)
	case "meta":
		return true, once(seen, 1<<2) && fastVal(f, &e.Meta, fastMeta)
	case "text":
		return true, once(seen, 1<<3) && fastPtr(f, &e.Text, fastNarrative)
	case "identifier":
		return true, once(seen, 1<<4) && fastOneOrMany(f, (*[]Identifier)(&e.Identifier), &f.idents, fastIdentifier)
	case "status":
		return true, once(seen, 1<<5) && f.str(&e.Status)
	case "class":
		return true, once(seen, 1<<6) && fastPtrSlab(f, &e.Class, &f.classes, fastClass)
	case "type":
		return true, once(seen, 1<<7) && fastConcepts(f, &e.Type)
	case "period":
		return true, once(seen, 1<<8) && fastVal(f, &e.Period, fastPeriod)
	case "reasonCode":
		return true, once(seen, 1<<9) && fastConcepts(f, &e.ReasonCode)
	case "reason":
		return true, once(seen, 1<<10) && fastConcepts(f, &e.Reason)
	case "participant":
		return true, once(seen, 1<<11) && fastSlice(f, &e.Participant, &f.parts, fastParticipant)
	case "location":
		return true, once(seen, 1<<12) && fastSlice(f, &e.Location, &f.locs, fastEncounterLocation)
	case "serviceProvider":
		return true, once(seen, 1<<13) && fastRefPtr(f, &e.ServiceProvider)
	case "extension":
		return true, once(seen, 1<<14) && fastSlice(f, &e.Extension, nil, fastExtension)
	case "hospitalization":
		return true, once(seen, 1<<15) && fastPtr(f, &e.Hospitalization, fastHospitalization)
	}
	return false, true // contained too: not read here
}

var hospitalizationFields = []string{"extension", "admitSource", "origin", "destination", "dischargeDisposition"}

func fastHospitalization(f *fastReader, h *hospitalization) bool {
	var seen uint32
	return f.object(hospitalizationFields, func(name []byte) (known, ok bool) {
		switch string(name) {
		case "extension":
			return true, once(&seen, 1) && fastSlice(f, &h.Extension, nil, fastExtension)
		case "admitSource":
			return true, once(&seen, 2) && fastVal(f, &h.AdmitSource, fastConcept)
		case "origin":
			return true, once(&seen, 4) && fastRefPtr(f, &h.Origin)
		case "destination":
			return true, once(&seen, 8) && fastRefPtr(f, &h.Destination)
		case "dischargeDisposition":
			return true, once(&seen, 16) && fastVal(f, &h.DischargeDisposition, fastConcept)
		}
		return false, true
	})
}

var classFields = []string{"coding", "text", "system", "code", "display"}

// fastClass is classCoding.UnmarshalJSONFrom: a Coding or a CodeableConcept.
func fastClass(f *fastReader, c *classCoding) bool {
	var (
		seen    uint32
		codings []Coding
		text    string
		plain   plainCoding
	)
	if !f.object(classFields, func(name []byte) (known, ok bool) {
		switch string(name) {
		case "coding":
			return true, once(&seen, 1) && fastSlice(f, &codings, &f.codings, fastCoding)
		case "text":
			return true, once(&seen, 2) && f.str(&text)
		case "system":
			return true, once(&seen, 4) && f.str(&plain.System)
		case "code":
			return true, once(&seen, 8) && f.str(&plain.Code)
		case "display":
			return true, once(&seen, 16) && f.str(&plain.Display)
		}
		return false, true
	}) {
		return false
	}
	c.fromProbe(codings, text, plain)
	return true
}

var participantFields = []string{"type", "individual"}

func fastParticipant(f *fastReader, p *encounterPart) bool {
	var seen uint32
	return f.object(participantFields, func(name []byte) (known, ok bool) {
		switch string(name) {
		case "type":
			return true, once(&seen, 1) && fastConcepts(f, &p.Type)
		case "individual":
			return true, once(&seen, 2) && fastRefPtr(f, &p.Individual)
		}
		return false, true
	})
}

var locationFields = []string{"location"}

// encounterLocation is an element of Encounter.location.
type encounterLocation = struct {
	Location Reference `json:"location"`
}

func fastEncounterLocation(f *fastReader, l *encounterLocation) bool {
	var seen uint32
	return f.object(locationFields, func(name []byte) (known, ok bool) {
		switch string(name) {
		case "location":
			return true, once(&seen, 1) && fastVal(f, &l.Location, fastReference)
		}
		return false, true
	})
}

var ownFactFields = []string{"recordedDate", "assertedDate", "dateAsserted", "authoredOn", "date", "issued",
	"created", "dateTime", "effectiveDateTime", "occurrenceDateTime", "effectivePeriod", "period",
	"recorder", "asserter", "author", "requester", "informationSource", "managingOrganization",
	"custodian", "serviceProvider"}

func fastOwnFacts(f *fastReader, o *ownFacts) bool {
	var seen uint32
	return f.object(ownFactFields, func(name []byte) (known, ok bool) {
		return ownFactMember(f, o, &seen, name)
	})
}

// ownFactMember reads the value of the own-fact member name into o (known false: not
// one of them).
func ownFactMember(f *fastReader, o *ownFacts, seen *uint32, name []byte) (known, ok bool) {
	switch string(name) {
	case "recordedDate":
		return true, once(seen, 1<<0) && f.str(&o.RecordedDate)
	case "assertedDate":
		return true, once(seen, 1<<1) && f.str(&o.AssertedDate)
	case "dateAsserted":
		return true, once(seen, 1<<2) && f.str(&o.DateAsserted)
	case "authoredOn":
		return true, once(seen, 1<<3) && f.str(&o.AuthoredOn)
	case "date":
		return true, once(seen, 1<<4) && f.str(&o.Date)
	case "issued":
		return true, once(seen, 1<<5) && f.str(&o.Issued)
	case "created":
		return true, once(seen, 1<<6) && f.str(&o.Created)
	case "dateTime":
		return true, once(seen, 1<<7) && f.str(&o.DateTime)
	case "effectiveDateTime":
		return true, once(seen, 1<<8) && f.str(&o.EffectiveDateTime)
	case "occurrenceDateTime":
		return true, once(seen, 1<<9) && f.str(&o.OccurrenceDateTime)
	case "effectivePeriod":
		return true, once(seen, 1<<10) && fastPeriodPtr(f, &o.EffectivePeriod)
	case "period":
		return true, once(seen, 1<<11) && fastPeriodPtr(f, &o.Period)
	case "recorder":
		return true, once(seen, 1<<12) && fastRefPtr(f, &o.Recorder)
	case "asserter":
		return true, once(seen, 1<<13) && fastRefPtr(f, &o.Asserter)
	case "author":
		return true, once(seen, 1<<14) && fastRefs(f, &o.Author)
	case "informationSource":
		return true, once(seen, 1<<15) && fastRefPtr(f, &o.InformationSource)
	case "managingOrganization":
		return true, once(seen, 1<<16) && fastRefs(f, &o.ManagingOrg)
	case "custodian":
		return true, once(seen, 1<<17) && fastRefPtr(f, &o.Custodian)
	case "serviceProvider":
		return true, once(seen, 1<<18) && fastRefPtr(f, &o.ServiceProvider)
	}
	return false, true // requester too (agentRef): not read here
}

// encounterOwnFields are the members the combined reader reads: an Encounter's and an
// item's own facts' (a name that is one of them but for case is left to the generic
// decode, as each reader alone leaves it).
var encounterOwnFields = append(slices.Clone(encounterFields), ownFactFields...)

// decodeEncounterOwnFast reads, in one pass over an Encounter whose id is known, what
// decodeEncounterFastID reads into e and what decodeOwnFactsFast reads into o, from the
// whole resource or from the own-fact members the bundle pass set aside (the same members,
// the same bytes): it takes each member to the reader it belongs to (period and
// serviceProvider to both), so it reads what each reader alone reads, and gives up where
// either would. False (e and o then half-filled): read them apart.
// TestEncounterOwnFastAgrees and FuzzFastEncounter hold it to the two readers.
func decodeEncounterOwnFast(data []byte, id string, e *encounterRes, o *ownFacts) bool {
	ok, _ := decodeEncounterOwnFastRefs(data, id, e, o, nil, nil)
	return ok
}

// decodeEncounterOwnFastRefs is decodeEncounterOwnFast appending to named (when not nil)
// the references the reference scan finds (References, before its trimming and
// filtering), as their objects end: those of the References it reads and those in what it
// skips. all is false when it cannot tell them all (ReferencesOf then scans). subj, when
// not nil, gets the subject as Subject would read it (subjectRead), which it reads
// whatever it is: it never makes the reader give up.
func decodeEncounterOwnFastRefs(data []byte, id string, e *encounterRes, o *ownFacts, named *[]string, subj *subjectRead) (ok, all bool) {
	f := getFastReader(data)
	defer putFastReader(f)
	return readEncounterOwnRefs(f, id, e, o, named, subj)
}

// readEncounterOwnRefs is decodeEncounterOwnFastRefs with the reader f (over the data).
func readEncounterOwnRefs(f *fastReader, id string, e *encounterRes, o *ownFacts, named *[]string, subj *subjectRead) (ok, all bool) {
	f.remember(id)
	f.named = named
	var seenEnc, seenOwn uint32
	ok = f.object(encounterOwnFields, func(name []byte) (known, ok bool) {
		if subj != nil && subj.member(f, name) {
			return true, true
		}
		switch string(name) {
		case "period":
			if !once(&seenEnc, 1<<8) || !once(&seenOwn, 1<<11) {
				return true, false
			}
			if f.null() {
				return true, true // both leave it: the zero Period, a nil pointer
			}
			if !fastPeriod(f, &e.Period) {
				return true, false
			}
			if len(f.periods.left) == 0 {
				f.periods.fill(32)
			}
			o.Period, f.periods.left = &f.periods.left[0], f.periods.left[1:]
			*o.Period = e.Period
			return true, true
		case "serviceProvider":
			if !once(&seenEnc, 1<<13) || !once(&seenOwn, 1<<18) || !fastRefPtr(f, &e.ServiceProvider) {
				return true, false
			}
			o.ServiceProvider = e.ServiceProvider
			return true, true
		}
		if known, ok := encounterMember(f, e, &seenEnc, name); known {
			return true, ok
		}
		return ownFactMember(f, o, &seenOwn, name)
	}) && f.atEnd()
	return ok, ok && named != nil && !f.refsBad
}
