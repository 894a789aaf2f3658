package fhir

import (
	"strconv"
	"strings"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// The streaming halves of the custom element types: the one-pass decoder calls these, so
// an element is read where it stands in the stream, never re-scanned from its bytes. Each
// reads exactly what its UnmarshalJSON reads; an input one refuses, the other refuses.

func (c *Concepts) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return oneOrManyFrom(dec, (*[]CodeableConcept)(c))
}

func (r *Refs) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return oneOrManyFrom(dec, (*[]Reference)(r))
}

func (i *Identifiers) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return oneOrManyFrom(dec, (*[]Identifier)(i))
}

func (n *Names) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return oneOrManyFrom(dec, (*[]HumanName)(n))
}

func (a *Addresses) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return oneOrManyFrom(dec, (*[]Address)(a))
}

func (c *CodeOrConcept) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	if dec.PeekKind() == '"' {
		return jsonv2.UnmarshalDecode(dec, &c.Code)
	}
	if err := jsonv2.UnmarshalDecode(dec, &c.Concept); err != nil {
		return err
	}
	if cd, ok := c.Concept.First(); ok {
		c.Code = cd.Code
	}
	return nil
}

func (d *Decimal) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	v, err := dec.ReadValue()
	if err != nil {
		return err
	}
	var f float64
	switch v.Kind() {
	case '"':
		s, ok := unquoted(v)
		if !ok {
			return errNotDecimal
		}
		if f, err = strconv.ParseFloat(strings.TrimSpace(s), 64); err != nil {
			return err
		}
	case '0':
		if f, err = strconv.ParseFloat(string(v), 64); err != nil {
			return err
		}
	case 'n':
	default:
		return errNotDecimal
	}
	*d = Decimal(f)
	return nil
}

func (f *flexCode) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	var many []string
	if err := oneOrManyFrom(dec, &many); err != nil {
		return err
	}
	if len(many) > 0 {
		*f = flexCode(many[0])
	}
	return nil
}

func (c *classCoding) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	var probe struct {
		Coding []Coding `json:"coding"`
		Text   string   `json:"text"`
		plainCoding
	}
	if err := jsonv2.UnmarshalDecode(dec, &probe); err != nil {
		return err
	}
	c.fromProbe(probe.Coding, probe.Text, probe.plainCoding)
	return nil
}

func (a *agentRef) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	var probe struct {
		Reference
		Agent *Reference `json:"agent"`
	}
	if err := jsonv2.UnmarshalDecode(dec, &probe); err != nil {
		return err
	}
	a.Reference = probe.Reference
	if probe.Agent != nil && a.Reference.Reference == "" && a.Display == "" {
		a.Reference = *probe.Agent
	}
	return nil
}
