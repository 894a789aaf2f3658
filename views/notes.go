package views

import (
	"fmt"
	"strings"

	"github.com/shcr-project/shcr/internal/ukdate"
	"github.com/shcr-project/shcr/record"
	"github.com/shcr-project/shcr/views/vocab"
)

func init() {
	registerView(record.SectionNotes, listView(record.SectionNotes, func(v vocab.Vocabulary) string { return v.TabNotes },
		func(s *record.SectionsData) []record.Note { return s.Notes }, timeless(NotesTable), timelessFields(noteFields)))
}

// NotesTable is the notes tab (clinical notes or case notes), newest first by default.
func NotesTable(items []record.Note, v vocab.Vocabulary, revealed func(key string) bool) Table {
	t := Table{
		Section: record.SectionNotes,
		Columns: []Column{{Title: v.ColDate, Min: 11}, {Title: v.ColTitle, Max: 30}, {Title: v.ColAuthor, Max: 22},
			{Title: v.ColText, Flex: true}},
		Rows:        make([]Row, len(items)),
		DefaultSort: 0,
		DefaultDesc: true,
	}
	for i := range items {
		n := &items[i]
		r := Row{Index: i, Domain: n.Provenance.Domain, Restricted: n.Masked(revealed)}
		if !r.Restricted {
			r.Cells = []string{ukdate.Date(n.Date), n.Title, n.Provenance.Author.Name, noteText(n, v)}
		}
		r.Keys = []string{sortTime(n.Date)}
		if r.Restricted { // content withheld: sort by when it was recorded
			r.Keys[0] = sortTime(n.Provenance.Recorded)
		}
		t.Rows[i] = r
	}
	return t
}

func noteText(n *record.Note, v vocab.Vocabulary) string {
	if n.Text != "" {
		return n.Text
	}
	var parts []string
	if n.ContentType != "" {
		parts = append(parts, n.ContentType)
	}
	if n.Size > 0 {
		parts = append(parts, fmt.Sprintf("%d %s", n.Size, v.Bytes))
	}
	if n.URL != "" {
		// Only a link: shcr does not fetch it; say what it is.
		return strings.TrimSuffix(fmt.Sprintf(v.AttachmentLink, strings.Join(parts, ", ")), ": ")
	}
	if len(parts) > 0 {
		return v.Attachment + ": " + strings.Join(parts, ", ")
	}
	return ""
}

func noteFields(n *record.Note, v vocab.Vocabulary) []Field {
	return []Field{
		{v.ColDate, ukdate.DateTime(n.Date)}, {v.ColTitle, n.Title}, {v.ColStatus, v.StatusWord(n.Status)},
		{v.ColText, noteText(n, v)}, {v.ColKind, n.Kind},
	}
}
