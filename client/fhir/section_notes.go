package fhir

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/shcr-project/shcr/client/record"
)

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
			Kind: docKind, Title: firstNonEmpty(title, d.Desc, d.Type.Label()), Date: m.date(r, field, date),
			Status: firstNonEmpty(d.DocStatus, d.Status),
		}
		inline := false
		for i, c := range d.Content {
			at := c.Attachment
			if n.Title == "" || (i == 0 && at.Title != "" && title == "" && d.Desc == "") {
				n.Title = firstNonEmpty(at.Title, n.Title)
			}
			mt := strings.ToLower(strings.TrimSpace(strings.SplitN(at.ContentType, ";", 2)[0]))
			if !inline && at.Data != "" && strings.HasPrefix(mt, "text/") {
				raw, err := decodeBase64(at.Data)
				if err != nil {
					m.warn("%s: content[%d].attachment.data: not valid base64; not shown", r.Ref(), i)
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
			if n.ContentType == "" && !inline {
				n.ContentType, n.URL = at.ContentType, at.URL
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
			Kind: docKind, Title: firstNonEmpty(title, c.Title, c.Type.Label()), Date: m.date(r, "date", c.Date), Status: c.Status,
		}
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
		return record.Note{
			Item: m.item(r, &o.domainResource, itemFacts{author: author, recorded: firstNonEmpty(o.Issued, date), field: "issued"}),
			Kind: "observation", Title: firstNonEmpty(title, o.Code.Label()), Date: m.date(r, field, date),
			Status: o.Status, Text: cutText(strings.Join(texts, "\n")),
		}, true
	}
	return record.Note{}, false
}

func sectionText(secs []compSection, depth int, parts *[]string) {
	for _, s := range secs {
		var b strings.Builder
		if t := firstNonEmpty(s.Title, s.Code.Label()); t != "" {
			b.WriteString(strings.Repeat("  ", depth) + t)
		}
		if s.Text != nil {
			body := HTMLText(s.Text.Div)
			if t := firstNonEmpty(s.Title, s.Code.Label()); t != "" {
				// Narratives often repeat the section title as their first line.
				if first, rest, _ := strings.Cut(body, "\n"); strings.EqualFold(strings.TrimSpace(first), t) {
					body = rest
				}
			}
			if body != "" {
				if b.Len() > 0 {
					b.WriteString("\n")
				}
				b.WriteString(body)
			}
		}
		if b.Len() > 0 {
			*parts = append(*parts, b.String())
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
