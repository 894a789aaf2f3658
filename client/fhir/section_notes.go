package fhir

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/shcr-project/shcr/record"
)

// Notes: DocumentReference (+ author, custodian), Composition (+ author), and Observation with
// code=http://snomed.info/sct|37331000000100 (comment notes). From GP Connect, the
// consultations' comment notes, titled by topic and heading.
func init() {
	registerMapping(record.SectionNotes, sectionMapping{
		queries: func() []Query {
			obs := search("Observation")
			obs.Params = url.Values{"code": {SystemSNOMED + "|" + CommentNoteCode}}
			return []Query{search("DocumentReference", "DocumentReference:author", "DocumentReference:custodian"), search("Composition", "Composition:author"), obs}
		},
		mapR4: func(m *mapper, _ *Resource, items []Resource, out *record.SectionsData) {
			for _, r := range items {
				if n, ok := m.note(r, ""); ok {
					out.Notes = append(out.Notes, n)
				}
			}
		},
		gpc: &gpcSection{ask: askConsultations, mapping: gpcNotes},
	})
}

func gpcNotes(c *gpcResponse, part *record.Part, st *record.SectionStatus) {
	if !c.lists.has(gpcListConsultations) {
		return
	}
	st.State = record.StateReturned
	for _, e := range c.entries {
		if e.Type != "Observation" {
			continue
		}
		var o observationRes
		if decodeAs(e, &o) != nil || !o.Code.Has(SystemSNOMED, CommentNoteCode) {
			continue
		}
		if n, ok := c.m.note(e, c.lists.headings[e.Ref()]); ok {
			part.Sections.Notes = append(part.Sections.Notes, n)
		}
	}
	st.Warnings = append(st.Warnings, c.lists.warnings(record.SectionNotes)...)
	st.Count = len(part.Sections.Notes)
}

// ---- notes ----

// maxNoteText bounds the text kept from one note (a huge inline document is cut, and says so).
const maxNoteText = 64 << 10

// note maps a DocumentReference, Composition or note-like Observation. title overrides the
// title (GP Connect consultation headings).
func (m *mapper) note(r Resource, title string) (record.Note, bool) {
	docKind := "document"
	if m.src.Domain == record.DomainSocialCare {
		docKind = "case-note"
	}
	switch r.Type {
	case "DocumentReference":
		var d documentReferenceRes
		if err := decodeAs(r, &d); err != nil {
			m.warn("%s; skipped", err)
			return record.Note{}, false
		}
		if d.Status == "entered-in-error" {
			return record.Note{}, false
		}
		var author *Reference
		if len(d.Author) > 0 {
			author = &d.Author[0]
		}
		date, field := d.Date, "date"
		if date == "" {
			date, field = firstNonEmpty(d.Created, d.Indexed), "created"
		}
		n := record.Note{
			Item: m.item(r, &d.domainResource, itemFacts{author: author, recorded: date, field: field}),
			Kind: docKind, Title: firstNonEmpty(title, d.Desc, d.Type.Label()),
			Status: firstNonEmpty(d.DocStatus, d.Status),
		}
		n.Date, n.DateText = m.dateText(r, field, date)
		inline := false
		for i, c := range d.Content {
			at := c.Attachment
			if n.Title == "" || (i == 0 && at.Title != "" && title == "" && d.Desc == "") {
				n.Title = firstNonEmpty(at.Title, n.Title)
			}
			mt := strings.ToLower(strings.TrimSpace(strings.SplitN(at.ContentType, ";", 2)[0]))
			if !inline && at.Data != "" && (strings.HasPrefix(mt, "text/") || mt == "application/xhtml+xml" || mt == "") {
				raw, err := decodeBase64(at.Data)
				switch {
				case err != nil:
					m.warn("%s: content[%d].attachment.data: not valid base64; not shown", r.Ref(), i)
					if n.ContentType == "" {
						n.ContentType, n.URL, n.Size = firstNonEmpty(at.ContentType, "unknown type"), at.URL, at.Size
					}
					continue
				case mt == "" && !utf8.Valid(raw):
					// No type and not text: described, not shown.
					if n.ContentType == "" {
						n.ContentType, n.URL, n.Size = "unknown type", at.URL, int64(len(raw))
					}
					continue
				}
				text := string(raw)
				if !utf8.ValidString(text) {
					text = strings.ToValidUTF8(text, "?")
				}
				if mt == "text/html" || mt == "application/xhtml+xml" {
					text = HTMLText(text)
				}
				n.Text, inline = cutText(strings.TrimSpace(text)), true
				continue
			}
			if n.ContentType == "" && !inline && (at.URL != "" || at.Data != "" || at.ContentType != "") {
				n.ContentType, n.URL = firstNonEmpty(at.ContentType, "unknown type"), at.URL
				n.Size = at.Size
				if n.Size == 0 && at.Data != "" {
					if raw, err := decodeBase64(at.Data); err == nil {
						n.Size = int64(len(raw))
					}
				}
			}
		}
		if inline {
			n.ContentType, n.URL, n.Size = "", "", 0
		}
		return n, true
	case "Composition":
		var c compositionRes
		if err := decodeAs(r, &c); err != nil {
			m.warn("%s; skipped", err)
			return record.Note{}, false
		}
		if c.Status == "entered-in-error" {
			return record.Note{}, false
		}
		var author *Reference
		if len(c.Author) > 0 {
			author = &c.Author[0]
		}
		n := record.Note{
			Item: m.item(r, &c.domainResource, itemFacts{author: author, recorded: c.Date, field: "date"}),
			Kind: docKind, Title: firstNonEmpty(title, c.Title, c.Type.Label()), Status: c.Status,
		}
		n.Date, n.DateText = m.dateText(r, "date", c.Date)
		if docKind == "document" {
			n.Kind = "composition"
		}
		var parts []string
		sectionText(c.Section, 0, &parts)
		n.Text = cutText(strings.Join(parts, "\n\n"))
		return n, true
	case "Observation":
		var o observationRes
		if err := decodeAs(r, &o); err != nil {
			m.warn("%s; skipped", err)
			return record.Note{}, false
		}
		if o.Status == "entered-in-error" || o.Status == "cancelled" {
			return record.Note{}, false
		}
		var texts []string
		for _, t := range []string{o.ValueString, o.Comment, notes(o.Note)} {
			if t = strings.TrimSpace(t); t != "" && !slices.Contains(texts, t) {
				texts = append(texts, t)
			}
		}
		if len(texts) == 0 {
			return record.Note{}, false
		}
		var author *Reference
		if len(o.Performer) > 0 {
			author = &o.Performer[0]
		}
		date, field := o.EffectiveDateTime, "effectiveDateTime"
		if date == "" && o.EffectivePeriod != nil {
			date, field = o.EffectivePeriod.Start, "effectivePeriod.start"
		}
		if date == "" {
			date, field = o.Issued, "issued"
		}
		n := record.Note{
			Item: m.item(r, &o.domainResource, itemFacts{author: author, recorded: firstNonEmpty(o.Issued, date), field: "issued"}),
			Kind: "observation", Title: firstNonEmpty(title, o.Code.Label()),
			Status: o.Status, Text: cutText(strings.Join(texts, "\n")),
		}
		n.Date, n.DateText = m.dateText(r, field, date)
		return n, true
	}
	return record.Note{}, false
}

// sectionText renders a Composition's sections for reading: each section's title on its
// own line, then its narrative; a nested section is indented two spaces a level, title and
// text alike. A section with no narrative says why (its emptyReason) or how many entries it
// holds that are not written out as text.
func sectionText(secs []compSection, depth int, parts *[]string) {
	indent := strings.Repeat("  ", depth)
	for _, s := range secs {
		var lines []string
		title := firstNonEmpty(s.Title, readable(s.Code))
		if title != "" {
			lines = append(lines, indent+title)
		}
		body := ""
		if s.Text != nil {
			body = HTMLText(s.Text.Div)
			// Narratives often repeat the section title as their first line.
			if first, rest, _ := strings.Cut(body, "\n"); title != "" && strings.EqualFold(strings.TrimSpace(first), title) {
				body = rest
			}
		}
		switch {
		case strings.TrimSpace(body) != "":
			for _, l := range strings.Split(strings.TrimSpace(body), "\n") {
				lines = append(lines, indent+l)
			}
		case readable(s.EmptyReason) != "":
			lines = append(lines, indent+"Nothing recorded: "+readable(s.EmptyReason))
		case len(s.Entry) > 0 && len(s.Section) == 0:
			n := "1 entry"
			if len(s.Entry) > 1 {
				n = fmt.Sprintf("%d entries", len(s.Entry))
			}
			lines = append(lines, indent+"("+n+" in the document, not written out as text)")
		}
		if len(lines) > 0 {
			*parts = append(*parts, strings.Join(lines, "\n"))
		}
		sectionText(s.Section, depth+1, parts)
	}
}

func cutText(s string) string {
	if len(s) <= maxNoteText {
		return s
	}
	cut := s[:maxNoteText]
	for !utf8.ValidString(cut) {
		cut = cut[:len(cut)-1]
	}
	return cut + "\n[… text cut: the note is longer than 64 KB]"
}

// CommentNoteCode is the SNOMED CT code of GP Connect's "Comment note" Observation, the
// note-like Observations the notes section asks for.
const CommentNoteCode = "37331000000100"
