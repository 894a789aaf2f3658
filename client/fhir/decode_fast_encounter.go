package fhir

// The hand-written readers of an Encounter and of an item's own facts (decode_fast.go says
// how they are kept to the generic decode's answer).

// decodeEncounterFast reads an Encounter's plain common form into e; false (e then
// half-filled) where the generic decode must read it.
func decodeEncounterFast(data []byte, e *encounterRes) bool {
	f := getFastReader(data)
	defer putFastReader(f)
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
	if !f.open() {
		return false
	}
	var seen uint32
	for first := true; f.more(&first); {
		name, ok := f.name()
		if !ok {
			return false
		}
		switch string(name) {
		case "resourceType":
			ok = once(&seen, 1<<0) && f.str(&e.ResourceType)
		case "id":
			ok = once(&seen, 1<<1) && f.str(&e.ID)
		case "meta":
			ok = once(&seen, 1<<2) && fastVal(f, &e.Meta, fastMeta)
		case "text":
			ok = once(&seen, 1<<3) && fastPtr(f, &e.Text, fastNarrative)
		case "identifier":
			ok = once(&seen, 1<<4) && fastOneOrMany(f, (*[]Identifier)(&e.Identifier), &f.idents, fastIdentifier)
		case "status":
			ok = once(&seen, 1<<5) && f.str(&e.Status)
		case "class":
			ok = once(&seen, 1<<6) && fastPtr(f, &e.Class, fastClass)
		case "type":
			ok = once(&seen, 1<<7) && fastConcepts(f, &e.Type)
		case "period":
			ok = once(&seen, 1<<8) && fastVal(f, &e.Period, fastPeriod)
		case "reasonCode":
			ok = once(&seen, 1<<9) && fastConcepts(f, &e.ReasonCode)
		case "reason":
			ok = once(&seen, 1<<10) && fastConcepts(f, &e.Reason)
		case "participant":
			ok = once(&seen, 1<<11) && fastSlice(f, &e.Participant, &f.parts, fastParticipant)
		case "location":
			ok = once(&seen, 1<<12) && fastSlice(f, &e.Location, &f.locs, fastEncounterLocation)
		case "serviceProvider":
			ok = once(&seen, 1<<13) && fastRefPtr(f, &e.ServiceProvider)
		case "extension":
			ok = once(&seen, 1<<14) && fastSlice(f, &e.Extension, nil, fastExtension)
		case "hospitalization":
			ok = once(&seen, 1<<15) && fastPtr(f, &e.Hospitalization, fastHospitalization)
		default: // contained too: not read here
			ok = f.other(name, encounterFields)
		}
		if !ok {
			return false
		}
	}
	return f.close()
}

var hospitalizationFields = []string{"extension", "admitSource", "origin", "destination", "dischargeDisposition"}

func fastHospitalization(f *fastReader, h *hospitalization) bool {
	if !f.open() {
		return false
	}
	var seen uint32
	for first := true; f.more(&first); {
		name, ok := f.name()
		if !ok {
			return false
		}
		switch string(name) {
		case "extension":
			ok = once(&seen, 1) && fastSlice(f, &h.Extension, nil, fastExtension)
		case "admitSource":
			ok = once(&seen, 2) && fastVal(f, &h.AdmitSource, fastConcept)
		case "origin":
			ok = once(&seen, 4) && fastRefPtr(f, &h.Origin)
		case "destination":
			ok = once(&seen, 8) && fastRefPtr(f, &h.Destination)
		case "dischargeDisposition":
			ok = once(&seen, 16) && fastVal(f, &h.DischargeDisposition, fastConcept)
		default:
			ok = f.other(name, hospitalizationFields)
		}
		if !ok {
			return false
		}
	}
	return f.close()
}

var classFields = []string{"coding", "text", "system", "code", "display"}

// fastClass is classCoding.UnmarshalJSONFrom: a Coding or a CodeableConcept.
func fastClass(f *fastReader, c *classCoding) bool {
	if !f.open() {
		return false
	}
	var (
		seen    uint32
		codings []Coding
		text    string
		plain   plainCoding
	)
	for first := true; f.more(&first); {
		name, ok := f.name()
		if !ok {
			return false
		}
		switch string(name) {
		case "coding":
			ok = once(&seen, 1) && fastSlice(f, &codings, &f.codings, fastCoding)
		case "text":
			ok = once(&seen, 2) && f.str(&text)
		case "system":
			ok = once(&seen, 4) && f.str(&plain.System)
		case "code":
			ok = once(&seen, 8) && f.str(&plain.Code)
		case "display":
			ok = once(&seen, 16) && f.str(&plain.Display)
		default:
			ok = f.other(name, classFields)
		}
		if !ok {
			return false
		}
	}
	c.fromProbe(codings, text, plain)
	return f.close()
}

var participantFields = []string{"type", "individual"}

func fastParticipant(f *fastReader, p *encounterPart) bool {
	if !f.open() {
		return false
	}
	var seen uint32
	for first := true; f.more(&first); {
		name, ok := f.name()
		if !ok {
			return false
		}
		switch string(name) {
		case "type":
			ok = once(&seen, 1) && fastConcepts(f, &p.Type)
		case "individual":
			ok = once(&seen, 2) && fastRefPtr(f, &p.Individual)
		default:
			ok = f.other(name, participantFields)
		}
		if !ok {
			return false
		}
	}
	return f.close()
}

var locationFields = []string{"location"}

// encounterLocation is an element of Encounter.location.
type encounterLocation = struct {
	Location Reference `json:"location"`
}

func fastEncounterLocation(f *fastReader, l *encounterLocation) bool {
	if !f.open() {
		return false
	}
	var seen uint32
	for first := true; f.more(&first); {
		name, ok := f.name()
		if !ok {
			return false
		}
		switch string(name) {
		case "location":
			ok = once(&seen, 1) && fastVal(f, &l.Location, fastReference)
		default:
			ok = f.other(name, locationFields)
		}
		if !ok {
			return false
		}
	}
	return f.close()
}

var ownFactFields = []string{"recordedDate", "assertedDate", "dateAsserted", "authoredOn", "date", "issued",
	"created", "dateTime", "effectiveDateTime", "occurrenceDateTime", "effectivePeriod", "period",
	"recorder", "asserter", "author", "requester", "informationSource", "managingOrganization",
	"custodian", "serviceProvider"}

func fastOwnFacts(f *fastReader, o *ownFacts) bool {
	if !f.open() {
		return false
	}
	var seen uint32
	for first := true; f.more(&first); {
		name, ok := f.name()
		if !ok {
			return false
		}
		switch string(name) {
		case "recordedDate":
			ok = once(&seen, 1<<0) && f.str(&o.RecordedDate)
		case "assertedDate":
			ok = once(&seen, 1<<1) && f.str(&o.AssertedDate)
		case "dateAsserted":
			ok = once(&seen, 1<<2) && f.str(&o.DateAsserted)
		case "authoredOn":
			ok = once(&seen, 1<<3) && f.str(&o.AuthoredOn)
		case "date":
			ok = once(&seen, 1<<4) && f.str(&o.Date)
		case "issued":
			ok = once(&seen, 1<<5) && f.str(&o.Issued)
		case "created":
			ok = once(&seen, 1<<6) && f.str(&o.Created)
		case "dateTime":
			ok = once(&seen, 1<<7) && f.str(&o.DateTime)
		case "effectiveDateTime":
			ok = once(&seen, 1<<8) && f.str(&o.EffectiveDateTime)
		case "occurrenceDateTime":
			ok = once(&seen, 1<<9) && f.str(&o.OccurrenceDateTime)
		case "effectivePeriod":
			ok = once(&seen, 1<<10) && fastPeriodPtr(f, &o.EffectivePeriod)
		case "period":
			ok = once(&seen, 1<<11) && fastPeriodPtr(f, &o.Period)
		case "recorder":
			ok = once(&seen, 1<<12) && fastRefPtr(f, &o.Recorder)
		case "asserter":
			ok = once(&seen, 1<<13) && fastRefPtr(f, &o.Asserter)
		case "author":
			ok = once(&seen, 1<<14) && fastRefs(f, &o.Author)
		case "informationSource":
			ok = once(&seen, 1<<15) && fastRefPtr(f, &o.InformationSource)
		case "managingOrganization":
			ok = once(&seen, 1<<16) && fastRefs(f, &o.ManagingOrg)
		case "custodian":
			ok = once(&seen, 1<<17) && fastRefPtr(f, &o.Custodian)
		case "serviceProvider":
			ok = once(&seen, 1<<18) && fastRefPtr(f, &o.ServiceProvider)
		default: // requester too (agentRef): not read here
			ok = f.other(name, ownFactFields)
		}
		if !ok {
			return false
		}
	}
	return f.close()
}
