package fhir

import (
	"encoding/base64"
	"regexp"
	"strings"

	"github.com/shcr-project/shcr/internal/text"
	"golang.org/x/net/html"
)

// HTMLText turns XHTML (a narrative div, an HTML attachment) into plain text for a
// terminal: block elements and table rows start new lines, a two-cell row with a heading
// cell reads "Heading: value", scripts and styles are dropped, whitespace is collapsed.
func HTMLText(s string) string {
	doc, err := html.Parse(strings.NewReader(s))
	if err != nil {
		return strings.TrimSpace(s)
	}
	var lines []string
	var cur strings.Builder
	flush := func() {
		if t := strings.Join(strings.Fields(cur.String()), " "); t != "" {
			lines = append(lines, t)
		}
		cur.Reset()
	}
	inPre := 0
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			if inPre == 0 {
				cur.WriteString(n.Data)
				return
			}
			// Preformatted text keeps its lines.
			parts := strings.Split(n.Data, "\n")
			for i, part := range parts {
				cur.WriteString(part)
				if i < len(parts)-1 {
					flush()
				}
			}
			return
		case html.ElementNode:
			switch n.Data {
			case "script", "style", "head":
				return
			case "br":
				flush()
				return
			case "tr":
				flush()
				lines = appendNonEmpty(lines, rowText(n))
				return
			}
		}
		block := n.Type == html.ElementNode && isBlock(n.Data)
		if block {
			flush()
		}
		if n.Type == html.ElementNode && n.Data == "li" {
			cur.WriteString("- ")
		}
		pre := n.Type == html.ElementNode && n.Data == "pre"
		if pre {
			inPre++
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
		if pre {
			inPre--
		}
		if block {
			flush()
		}
	}
	walk(doc)
	flush()
	return strings.Join(lines, "\n")
}

func appendNonEmpty(ss []string, s string) []string {
	if s == "" {
		return ss
	}
	return append(ss, s)
}

func rowText(tr *html.Node) string {
	var cells []string
	firstIsHead := false
	for c := tr.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode || (c.Data != "td" && c.Data != "th") {
			continue
		}
		if len(cells) == 0 && c.Data == "th" {
			firstIsHead = true
		}
		cells = append(cells, strings.ReplaceAll(HTMLText(renderChildren(c)), "\n", " "))
	}
	if len(cells) == 2 && firstIsHead && cells[0] != "" {
		return cells[0] + ": " + cells[1]
	}
	var nonEmpty []string
	for _, c := range cells {
		if c != "" {
			nonEmpty = append(nonEmpty, c)
		}
	}
	return strings.Join(nonEmpty, " | ")
}

func renderChildren(n *html.Node) string {
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		_ = html.Render(&b, c)
	}
	return b.String()
}

func isBlock(tag string) bool {
	switch tag {
	case "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "table", "tbody", "thead",
		"section", "article", "header", "footer", "pre", "blockquote", "dl", "dt", "dd", "hr", "body", "caption":
		return true
	}
	return false
}

// decodeBase64 reads attachment data, tolerating missing padding and the URL alphabet.
func decodeBase64(s string) ([]byte, error) {
	s = strings.Join(strings.Fields(s), "")
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, nil
		}
	}
	_, err := base64.StdEncoding.DecodeString(s)
	return nil, err
}

// codeBar matches a SNOMED CT style "code | term |" written as a display or text.
var codeBar = regexp.MustCompile(`^\s*[0-9]{4,18}\s*\|\s*([^|]*?)\s*\|?\s*$`)

// termOf strips a leading "123456 | " (and a closing "|") from a term, so that a display
// written as a SNOMED CT expression reads as its words.
func termOf(s string) string {
	s = strings.TrimSpace(s)
	if m := codeBar.FindStringSubmatch(s); m != nil {
		return strings.TrimSpace(m[1])
	}
	return s
}

// readable is the words a person reads for a concept: its text, else the clinician's term
// (GP Connect DescriptionDisplay), else a coding's display — each with any "code |" prefix
// stripped. Never a bare code: "" when the concept has only codes.
func readable(c CodeableConcept) string {
	if t := termOf(c.Text); t != "" && !isCodeOnly(t) {
		return t
	}
	for _, cd := range c.Coding {
		if d := termOf(descriptionDisplay(cd)); d != "" && !isCodeOnly(d) {
			return d
		}
		if d := termOf(cd.Display); d != "" && !isCodeOnly(d) {
			return d
		}
	}
	return ""
}

// isCodeOnly reports whether s is only digits (a code written where words belong).
func isCodeOnly(s string) bool { return text.Digits(strings.TrimSpace(s)) }

// readableConcepts joins the readable words of each concept.
func readableConcepts(cs Concepts) string {
	var out []string
	for _, c := range cs {
		if l := readable(c); l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, ", ")
}
