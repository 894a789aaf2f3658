package fhir

// GP Connect Lists: which clinical areas a response holds, their warnings, the items
// contained in them and the consultation heading of each item.

import (
	"encoding/json"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/shcr-project/shcr/record"
)

// gpcWarnings are the texts the GP Connect specification associates with each List warning
// code; the List.note carries them with the real date, and is preferred when present.
var gpcWarnings = map[string]struct{ text, keyword string }{
	"confidential-items":   {"Items excluded due to confidentiality and/or patient preferences.", "confidential"},
	"data-in-transit":      {"Patient record transfer from previous GP practice not yet complete; some information may be missing.", "transfer from previous gp"},
	"data-awaiting-filing": {"Patient record contains some items in the GP practice workflow that have not been reviewed for inclusion in this message; some information may be missing.", "workflow"},
}

func noteTexts(ns []Annotation) []string {
	out := make([]string, 0, len(ns))
	for _, n := range ns {
		out = append(out, n.Text)
	}
	return out
}

// gpcLists indexes a GP Connect response's Lists: which clinical areas are present, their
// warnings, the resources contained in them, the references they make that the bundle does
// not hold, and the consultation heading of each item.
type gpcLists struct {
	codes     map[string][]listRes
	contained []gpcContained
	refs      []string          // item references of clinical-area Lists
	headings  map[string]string // item ref → "Topic – Heading"
	byID      map[string]listRes
	all       []gpcList // every List, in bundle order, contained ones after their container

	consultations []listRes
}

type gpcList struct {
	listRes
	code string // the clinical-area code this List was filed under
}

type gpcContained struct {
	res       Resource
	container *domainResource
}

func (g *gpcLists) add(m *mapper, r Resource, _ *domainResource) {
	var l listRes
	if err := decodeAs(r, &l); err != nil {
		m.warn("%s; skipped", err)
		return
	}
	if g.codes == nil {
		g.codes, g.headings, g.byID = map[string][]listRes{}, map[string]string{}, map[string]listRes{}
	}
	code := ""
	if c, ok := l.Code.First(); ok {
		code = c.Code
	}
	// The resolved allergies List has no settled code in the published examples ("TBD"):
	// recognise it by its title too.
	if strings.Contains(strings.ToLower(l.Title), "allerg") {
		code = gpcListAllergies
	}
	g.codes[code] = append(g.codes[code], l)
	g.all = append(g.all, gpcList{listRes: l, code: code})
	if r.ID != "" {
		g.byID["List/"+r.ID] = l
	}
	dr := l.domainResource
	for _, raw := range l.Contained {
		var h resourceHead
		if json.Unmarshal(raw, &h) == nil && h.ResourceType != "" {
			c := Resource{Type: h.ResourceType, ID: h.ID, Raw: raw}
			if h.ResourceType == "List" {
				g.add(m, c, &dr)
				continue
			}
			g.contained = append(g.contained, gpcContained{res: c, container: &dr})
		}
	}
	if code == gpcListAllergies || code == gpcListMedications {
		for _, e := range l.Entry {
			if ref := e.Item.Reference; ref != "" && !strings.HasPrefix(ref, "#") {
				g.refs = append(g.refs, normRef(ref))
			}
		}
	}
	if code == gpcConsultation {
		g.consultations = append(g.consultations, l)
	}
}

// finish titles the items under each consultation by walking its topics and headings
// (categories): "Anxiety with Depression – History". Lists arrive in any order, so this
// runs once every List is indexed.
func (g *gpcLists) finish() {
	for _, c := range g.consultations {
		for _, te := range c.Entry {
			topic, ok := g.byID[normRef(te.Item.Reference)]
			if !ok {
				continue
			}
			topicTitle := firstNonEmpty(topic.Title, c.Title)
			for _, ce := range topic.Entry {
				ref := normRef(ce.Item.Reference)
				cat, isList := g.byID[ref]
				if !isList {
					g.setHeading(ref, topicTitle)
					continue
				}
				for _, ie := range cat.Entry {
					g.setHeading(normRef(ie.Item.Reference), strings.TrimPrefix(topicTitle+" – "+cat.Title, " – "))
				}
			}
		}
	}
}

func (g *gpcLists) setHeading(ref, heading string) {
	if _, done := g.headings[ref]; !done && ref != "" {
		g.headings[ref] = strings.TrimSuffix(heading, " – ")
	}
}

func (g *gpcLists) has(code string) bool { return len(g.codes[code]) > 0 }

// missing counts clinical-area List entries of type t that the bundle does not hold.
func (g *gpcLists) missing(m *mapper, t string) int {
	n := 0
	for _, ref := range g.refs {
		if strings.HasPrefix(ref, t+"/") {
			if _, ok := m.byRef[ref]; !ok {
				n++
			}
		}
	}
	return n
}

// gpcArea is the clinical area a List's warnings belong to: the shcr sections they are
// shown on. A List of an area shcr does not show (problems, immunisations, investigations,
// referrals, uncategorised data) has no area: its warnings are shown on every section.
func gpcArea(code, title string) []record.Section {
	t := strings.ToLower(title)
	switch {
	case code == gpcListAllergies || strings.Contains(t, "allerg"):
		return []record.Section{record.SectionAllergies}
	case code == gpcListMedications || strings.Contains(t, "medication"):
		return []record.Section{record.SectionMedications}
	case code == gpcListConsultations || code == gpcConsultation || code == gpcTopic || code == gpcHeading ||
		strings.Contains(t, "consultation"):
		return []record.Section{record.SectionEncounters, record.SectionNotes}
	}
	return nil
}

// warnings returns, in full, every warning the response's Lists carry for this section:
// each warningCode of each List of the section's clinical area, with the List note's own
// words for it (the date the record transfer began…), each further warning the note states,
// and, labelled with the List's title, the warnings of Lists of areas shcr does not show.
func (g *gpcLists) warnings(sec record.Section) []string {
	var own, other []string
	for _, l := range g.all {
		area := gpcArea(l.code, l.Title)
		switch {
		case len(area) == 0:
			title := firstNonEmpty(strings.TrimSpace(l.Title), "GP Connect list")
			for _, w := range listWarnings(l.listRes) {
				other = append(other, title+": "+w)
			}
		case slices.Contains(area, sec):
			for _, w := range listWarnings(l.listRes) {
				if !slices.Contains(own, w) {
					own = append(own, w)
				}
			}
		}
	}
	out := own
	// A warning of another area that the section's own Lists already give (data in transit
	// is on every List) is not repeated.
	for _, w := range other {
		_, text, _ := strings.Cut(w, ": ")
		if !slices.Contains(own, text) && !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	slices.Sort(out)
	return out
}

// gpcWarningStarts are the openings of the texts the specification gives each warning code;
// a note holding several warnings (the specification concatenates them in List.note) is
// split where each begins.
var gpcWarningStarts = []string{
	"items excluded due to confidentiality",
	"patient record transfer from previous gp practice",
	"patient record contains some items in the gp practice workflow",
}

// listWarnings reads one List's warnings: one text per warningCode extension (the note's
// sentence for that code when the note has one, else the specification's text, else the
// code itself), then every other warning the note states. The empty-list statements the
// specification also puts in the note ("Information not available", "No known
// allergies") are not warnings.
func listWarnings(l listRes) []string {
	var segs []string
	for _, n := range l.Note {
		segs = append(segs, splitWarnings(n.Text)...)
	}
	used := make([]bool, len(segs))
	var out []string
	add := func(s string) {
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	for _, e := range l.Extension {
		if !strings.Contains(e.URL, "ListWarningCode") {
			continue
		}
		wc := strings.TrimSpace(firstNonEmpty(e.ValueCode, codingCode(e.ValueCoding), e.Text()))
		w, known := gpcWarnings[wc]
		found := false
		for i, s := range segs {
			if known && strings.Contains(strings.ToLower(s), w.keyword) {
				add(s)
				used[i], found = true, true
			}
		}
		switch {
		case found:
		case known:
			add(w.text)
		case wc != "":
			add("GP system warning: " + wc)
		}
	}
	for i, s := range segs {
		if !used[i] && !emptyListStatement(s) {
			add(s)
		}
	}
	return out
}

// splitWarnings splits a List note into its warnings: at line breaks, and where the text
// of a specified warning begins.
func splitWarnings(note string) []string {
	var out []string
	for _, line := range strings.FieldsFunc(note, func(r rune) bool { return r == '\n' || r == '\r' }) {
		// Byte positions in line itself (lower-casing can change a text's length).
		cuts := []int{0}
		for _, start := range gpcWarningStarts {
			for i := 0; i+len(start) <= len(line); i++ {
				if utf8.RuneStart(line[i]) && strings.EqualFold(line[i:i+len(start)], start) {
					if i > 0 {
						cuts = append(cuts, i)
					}
					i += len(start) - 1
				}
			}
		}
		slices.Sort(cuts)
		cuts = slices.Compact(cuts)
		for j, c := range cuts {
			end := len(line)
			if j+1 < len(cuts) {
				end = cuts[j+1]
			}
			if s := strings.Trim(line[c:end], " \t;,|-–"); s != "" {
				out = append(out, strings.Join(strings.Fields(s), " "))
			}
		}
	}
	return out
}

// emptyListStatement reports whether a note sentence says only that the List is empty.
func emptyListStatement(s string) bool {
	l := strings.TrimRight(strings.ToLower(strings.TrimSpace(s)), ".")
	return l == "information not available" || (strings.HasPrefix(l, "no known") && strings.Contains(l, "allerg"))
}

func codingCode(c *Coding) string {
	if c == nil {
		return ""
	}
	return c.Code
}

// maxWarningLen bounds one GP Connect warning: far longer than any warning the
// specification defines, so a warning is kept in full; only a runaway note is cut.
const maxWarningLen = 4000

// cleanWarning makes a warning one line of printable, valid UTF-8, kept in full up to
// maxWarningLen characters (clean's 500 would cut a long practice note).
func cleanWarning(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(s, "?"))
	return oneLine(s, maxWarningLen)
}
