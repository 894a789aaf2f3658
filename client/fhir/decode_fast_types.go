package fhir

// The hand-written readers of the common element types (decode_fast.go says how they are
// kept to the generic decode's answer).

var codingFields = []string{"system", "code", "display", "extension"}

func fastCoding(f *fastReader, c *Coding) bool {
	var seen uint32
	return f.object(codingFields, func(name []byte) (known, ok bool) {
		switch string(name) {
		case "system":
			return true, once(&seen, 1) && f.str(&c.System)
		case "code":
			return true, once(&seen, 2) && f.str(&c.Code)
		case "display":
			return true, once(&seen, 4) && f.str(&c.Display)
		case "extension":
			return true, once(&seen, 8) && fastSlice(f, &c.Extension, nil, fastExtension)
		}
		return false, true
	})
}

var conceptFields = []string{"coding", "text"}

func fastConcept(f *fastReader, c *CodeableConcept) bool {
	var seen uint32
	return f.object(conceptFields, func(name []byte) (known, ok bool) {
		switch string(name) {
		case "coding":
			return true, once(&seen, 1) && fastSlice(f, &c.Coding, &f.codings, fastCoding)
		case "text":
			return true, once(&seen, 2) && f.str(&c.Text)
		}
		return false, true
	})
}

func fastConcepts(f *fastReader, c *Concepts) bool {
	return fastOneOrMany(f, (*[]CodeableConcept)(c), &f.concepts, fastConcept)
}

var identifierFields = []string{"use", "system", "value", "type", "extension"}

func fastIdentifier(f *fastReader, id *Identifier) bool {
	var seen uint32
	return f.object(identifierFields, func(name []byte) (known, ok bool) {
		switch string(name) {
		case "use":
			return true, once(&seen, 1) && f.str(&id.Use)
		case "system":
			return true, once(&seen, 2) && f.str(&id.System)
		case "value":
			return true, once(&seen, 4) && f.str(&id.Value)
		case "type":
			return true, once(&seen, 8) && fastVal(f, &id.Type, fastConcept)
		case "extension":
			return true, once(&seen, 16) && fastSlice(f, &id.Extension, nil, fastExtension)
		}
		return false, true
	})
}

var referenceFields = []string{"reference", "display", "type", "identifier"}

func fastReference(f *fastReader, r *Reference) bool {
	var seen uint32
	if !f.object(referenceFields, func(name []byte) (known, ok bool) {
		switch string(name) {
		case "reference":
			return true, once(&seen, 1) && f.str(&r.Reference)
		case "display":
			return true, once(&seen, 2) && f.str(&r.Display)
		case "type":
			return true, once(&seen, 4) && f.str(&r.Type)
		case "identifier":
			return true, once(&seen, 8) && fastPtr(f, &r.Identifier, fastIdentifier)
		}
		return false, true
	}) {
		return false
	}
	if f.named != nil && seen&1 != 0 {
		// Its reference, as the reference scan finds it: when the object ends.
		*f.named = append(*f.named, r.Reference)
	}
	return true
}

func fastRefs(f *fastReader, r *Refs) bool {
	return fastOneOrMany(f, (*[]Reference)(r), nil, fastReference)
}

var periodFields = []string{"start", "end"}

func fastPeriod(f *fastReader, p *Period) bool {
	var seen uint32
	return f.object(periodFields, func(name []byte) (known, ok bool) {
		switch string(name) {
		case "start":
			return true, once(&seen, 1) && f.str(&p.Start)
		case "end":
			return true, once(&seen, 2) && f.str(&p.End)
		}
		return false, true
	})
}

var metaFields = []string{"lastUpdated", "profile", "source", "tag", "security"}

func fastMeta(f *fastReader, m *Meta) bool {
	var seen uint32
	return f.object(metaFields, func(name []byte) (known, ok bool) {
		switch string(name) {
		case "lastUpdated":
			return true, once(&seen, 1) && f.str(&m.LastUpdated)
		case "profile":
			return true, once(&seen, 2) && fastSlice(f, &m.Profile, &f.strings, fastString)
		case "source":
			return true, once(&seen, 4) && f.str(&m.Source)
		case "tag":
			return true, once(&seen, 8) && fastSlice(f, &m.Tag, &f.codings, fastCoding)
		case "security":
			return true, once(&seen, 16) && fastSlice(f, &m.Security, &f.codings, fastCoding)
		}
		return false, true
	})
}

var narrativeFields = []string{"status", "div"}

func fastNarrative(f *fastReader, n *Narrative) bool {
	var seen uint32
	return f.object(narrativeFields, func(name []byte) (known, ok bool) {
		switch string(name) {
		case "status":
			return true, once(&seen, 1) && f.str(&n.Status)
		case "div":
			return true, once(&seen, 2) && f.str(&n.Div)
		}
		return false, true
	})
}

var extensionFields = []string{"url", "extension", "valueString", "valueCode", "valueBoolean", "valueInteger",
	"valuePositiveInt", "valueDecimal", "valueDateTime", "valueDate", "valueCodeableConcept", "valueCoding",
	"valuePeriod", "valueReference", "valueQuantity", "valueTiming"}

// fastExtension reads an extension whose value is a string, code, date, dateTime,
// CodeableConcept, Coding, Period or Reference (the others: not read here).
func fastExtension(f *fastReader, x *Extension) bool {
	if f.depth >= 32 {
		return false
	}
	f.depth++
	defer func() { f.depth-- }()
	var seen uint32
	return f.object(extensionFields, func(name []byte) (known, ok bool) {
		switch string(name) {
		case "url":
			return true, once(&seen, 1<<0) && f.str(&x.URL)
		case "extension":
			return true, once(&seen, 1<<1) && fastSlice(f, &x.Extension, nil, fastExtension)
		case "valueString":
			return true, once(&seen, 1<<2) && f.str(&x.ValueString)
		case "valueCode":
			return true, once(&seen, 1<<3) && f.str(&x.ValueCode)
		case "valueDateTime":
			return true, once(&seen, 1<<4) && f.str(&x.ValueDateTime)
		case "valueDate":
			return true, once(&seen, 1<<5) && f.str(&x.ValueDate)
		case "valueCodeableConcept":
			return true, once(&seen, 1<<6) && fastPtr(f, &x.ValueCodeableConcept, fastConcept)
		case "valueCoding":
			return true, once(&seen, 1<<7) && fastPtr(f, &x.ValueCoding, fastCoding)
		case "valuePeriod":
			return true, once(&seen, 1<<8) && fastPeriodPtr(f, &x.ValuePeriod)
		case "valueReference":
			return true, once(&seen, 1<<9) && fastRefPtr(f, &x.ValueReference)
		}
		return false, true
	})
}
