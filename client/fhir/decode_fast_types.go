package fhir

// The hand-written readers of the common element types (decode_fast.go says how they are
// kept to the generic decode's answer).

var codingFields = []string{"system", "code", "display", "extension"}

func fastCoding(f *fastReader, c *Coding) bool {
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
		case "system":
			ok = once(&seen, 1) && f.str(&c.System)
		case "code":
			ok = once(&seen, 2) && f.str(&c.Code)
		case "display":
			ok = once(&seen, 4) && f.str(&c.Display)
		case "extension":
			ok = once(&seen, 8) && fastSlice(f, &c.Extension, nil, fastExtension)
		default:
			ok = f.other(name, codingFields)
		}
		if !ok {
			return false
		}
	}
	return f.close()
}

var conceptFields = []string{"coding", "text"}

func fastConcept(f *fastReader, c *CodeableConcept) bool {
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
		case "coding":
			ok = once(&seen, 1) && fastSlice(f, &c.Coding, &f.codings, fastCoding)
		case "text":
			ok = once(&seen, 2) && f.str(&c.Text)
		default:
			ok = f.other(name, conceptFields)
		}
		if !ok {
			return false
		}
	}
	return f.close()
}

func fastConcepts(f *fastReader, c *Concepts) bool {
	return fastOneOrMany(f, (*[]CodeableConcept)(c), &f.concepts, fastConcept)
}

var identifierFields = []string{"use", "system", "value", "type", "extension"}

func fastIdentifier(f *fastReader, id *Identifier) bool {
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
		case "use":
			ok = once(&seen, 1) && f.str(&id.Use)
		case "system":
			ok = once(&seen, 2) && f.str(&id.System)
		case "value":
			ok = once(&seen, 4) && f.str(&id.Value)
		case "type":
			ok = once(&seen, 8) && fastVal(f, &id.Type, fastConcept)
		case "extension":
			ok = once(&seen, 16) && fastSlice(f, &id.Extension, nil, fastExtension)
		default:
			ok = f.other(name, identifierFields)
		}
		if !ok {
			return false
		}
	}
	return f.close()
}

var referenceFields = []string{"reference", "display", "type", "identifier"}

func fastReference(f *fastReader, r *Reference) bool {
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
		case "reference":
			ok = once(&seen, 1) && f.str(&r.Reference)
		case "display":
			ok = once(&seen, 2) && f.str(&r.Display)
		case "type":
			ok = once(&seen, 4) && f.str(&r.Type)
		case "identifier":
			ok = once(&seen, 8) && fastPtr(f, &r.Identifier, fastIdentifier)
		default:
			ok = f.other(name, referenceFields)
		}
		if !ok {
			return false
		}
	}
	return f.close()
}

func fastRefs(f *fastReader, r *Refs) bool {
	return fastOneOrMany(f, (*[]Reference)(r), nil, fastReference)
}

var periodFields = []string{"start", "end"}

func fastPeriod(f *fastReader, p *Period) bool {
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
		case "start":
			ok = once(&seen, 1) && f.str(&p.Start)
		case "end":
			ok = once(&seen, 2) && f.str(&p.End)
		default:
			ok = f.other(name, periodFields)
		}
		if !ok {
			return false
		}
	}
	return f.close()
}

var metaFields = []string{"lastUpdated", "profile", "source", "tag", "security"}

func fastMeta(f *fastReader, m *Meta) bool {
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
		case "lastUpdated":
			ok = once(&seen, 1) && f.str(&m.LastUpdated)
		case "profile":
			ok = once(&seen, 2) && fastSlice(f, &m.Profile, nil, fastString)
		case "source":
			ok = once(&seen, 4) && f.str(&m.Source)
		case "tag":
			ok = once(&seen, 8) && fastSlice(f, &m.Tag, &f.codings, fastCoding)
		case "security":
			ok = once(&seen, 16) && fastSlice(f, &m.Security, &f.codings, fastCoding)
		default:
			ok = f.other(name, metaFields)
		}
		if !ok {
			return false
		}
	}
	return f.close()
}

var narrativeFields = []string{"status", "div"}

func fastNarrative(f *fastReader, n *Narrative) bool {
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
		case "status":
			ok = once(&seen, 1) && f.str(&n.Status)
		case "div":
			ok = once(&seen, 2) && f.str(&n.Div)
		default:
			ok = f.other(name, narrativeFields)
		}
		if !ok {
			return false
		}
	}
	return f.close()
}

var extensionFields = []string{"url", "extension", "valueString", "valueCode", "valueBoolean", "valueInteger",
	"valuePositiveInt", "valueDecimal", "valueDateTime", "valueDate", "valueCodeableConcept", "valueCoding",
	"valuePeriod", "valueReference", "valueQuantity", "valueTiming"}

// fastExtension reads an extension whose value is a string, code, date, dateTime,
// CodeableConcept, Coding, Period or Reference (the others: not read here).
func fastExtension(f *fastReader, x *Extension) bool {
	if f.depth >= 32 || !f.open() {
		return false
	}
	f.depth++
	defer func() { f.depth-- }()
	var seen uint32
	for first := true; f.more(&first); {
		name, ok := f.name()
		if !ok {
			return false
		}
		switch string(name) {
		case "url":
			ok = once(&seen, 1<<0) && f.str(&x.URL)
		case "extension":
			ok = once(&seen, 1<<1) && fastSlice(f, &x.Extension, nil, fastExtension)
		case "valueString":
			ok = once(&seen, 1<<2) && f.str(&x.ValueString)
		case "valueCode":
			ok = once(&seen, 1<<3) && f.str(&x.ValueCode)
		case "valueDateTime":
			ok = once(&seen, 1<<4) && f.str(&x.ValueDateTime)
		case "valueDate":
			ok = once(&seen, 1<<5) && f.str(&x.ValueDate)
		case "valueCodeableConcept":
			ok = once(&seen, 1<<6) && fastPtr(f, &x.ValueCodeableConcept, fastConcept)
		case "valueCoding":
			ok = once(&seen, 1<<7) && fastPtr(f, &x.ValueCoding, fastCoding)
		case "valuePeriod":
			ok = once(&seen, 1<<8) && fastPeriodPtr(f, &x.ValuePeriod)
		case "valueReference":
			ok = once(&seen, 1<<9) && fastRefPtr(f, &x.ValueReference)
		default:
			ok = f.other(name, extensionFields)
		}
		if !ok {
			return false
		}
	}
	return f.close()
}
