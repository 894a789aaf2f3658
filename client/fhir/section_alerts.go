package fhir

import (
	"github.com/shcr-project/shcr/client/record"
)

// ---- alerts ----

func (m *mapper) flag(r Resource) (record.Alert, bool) {
	var f flagRes
	if err := decodeAs(r, &f); err != nil {
		m.warn("%s; skipped", err)
		return record.Alert{}, false
	}
	if f.Status != "" && f.Status != "active" {
		return record.Alert{}, false
	}
	return record.Alert{
		Item: m.item(r, &f.domainResource, itemFacts{author: f.Author}), Kind: record.AlertFlag,
		Category: cleanTerm(f.Category.Label()), Text: f.Code.Label(), Status: firstNonEmpty(f.Status, "active"),
		Period: m.period(r, "period", &f.Period),
	}, true
}

func firstRef(rs Refs) *Reference {
	if len(rs) == 0 {
		return nil
	}
	return &rs[0]
}
