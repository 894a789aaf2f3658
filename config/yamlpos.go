package config

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// YAML errors name the line and column of the problem: "config FILE:LINE:COL: …".
//
// yaml.v3 gives a syntax error's line only, and often the line where the enclosing block
// began rather than the line at fault ("did not find expected key" at the line of the
// mapping's first key). So the problem line is found again by parsing prefixes of the
// file: the line at fault is the one after the longest prefix that parses. The column
// is where on that line the problem is (the stray colon, the tab, the quote or bracket not
// closed), else the line's first character. For errors in values (types, validation), the
// key's own position comes from the YAML node tree.

// maxBisectLines bounds the prefix search: a longer file keeps yaml.v3's line.
const maxBisectLines = 500

var yamlLine = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

// yamlError turns a YAML syntax error into one line with its line and column.
func yamlError(path string, data []byte, err error) error {
	msg, line := yamlMessage(err)
	if strings.Contains(msg, "into map[string]interface {}") {
		return &Error{File: path, Msg: "YAML: the file must be a YAML mapping (key: value lines), as in the README"}
	}
	lines := bytes.SplitAfter(data, []byte("\n"))
	if n := len(lines); n > 0 && len(lines[n-1]) == 0 {
		lines = lines[:n-1]
	}
	if len(lines) <= maxBisectLines {
		// The line at fault follows the longest prefix that parses. (Not the shortest prefix
		// that fails: a list or quoted value that spans lines fails when cut after its first.)
		for k := len(lines) - 1; k >= 0; k-- {
			if k > 0 && yaml.Unmarshal(bytes.Join(lines[:k], nil), new(map[string]any)) != nil {
				continue
			}
			if e := yaml.Unmarshal(bytes.Join(lines[:k+1], nil), new(map[string]any)); e != nil {
				if pm, _ := yamlMessage(e); !strings.Contains(pm, "into map[string]interface {}") {
					msg, line = pm, k+1
				}
			}
			break
		}
	}
	if line <= 0 || line > len(lines) {
		return &Error{File: path, Msg: "YAML syntax: " + msg}
	}
	text := strings.TrimRight(string(lines[line-1]), "\r\n")
	msg = strings.Replace(msg, "found unexpected end of stream", "a quoted value or bracket is not closed", 1)
	return &Error{File: path, Line: line, Col: problemColumn(text, msg), Msg: "YAML syntax: " + msg}
}

// yamlMessage is the first error of a yaml.v3 error, without "yaml: " and its line number.
func yamlMessage(err error) (msg string, line int) {
	s := err.Error()
	var te *yaml.TypeError
	if asTypeError(err, &te) && len(te.Errors) > 0 {
		s = te.Errors[0]
	}
	s = strings.TrimPrefix(s, "yaml: ")
	s = strings.TrimPrefix(s, "unmarshal errors:")
	s = oneLine(s)
	if m := yamlLine.FindStringSubmatch(s); m != nil {
		n, _ := strconv.Atoi(m[1])
		return m[2], n
	}
	return s, 0
}

func asTypeError(err error, out **yaml.TypeError) bool {
	for err != nil {
		if te, ok := err.(*yaml.TypeError); ok {
			*out = te
			return true
		}
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return false
		}
		err = u.Unwrap()
	}
	return false
}

var dupKey = regexp.MustCompile(`^mapping key "(.*)" already defined`)

// problemColumn finds where on the line the problem msg describes is (1-based, in characters).
func problemColumn(text, msg string) int {
	idx := -1
	switch {
	case strings.Contains(msg, "mapping values are not allowed"):
		idx = lastMappingColon(text)
	case strings.Contains(msg, "tab character"):
		idx = strings.IndexByte(text, '\t')
	case strings.Contains(msg, "cannot start any token"):
		idx = strings.IndexAny(text, "@`\t%")
	case strings.Contains(msg, "not closed"):
		idx = strings.IndexAny(text, `"'[{`)
	case strings.Contains(msg, "did not find expected ',' or"):
		idx = strings.LastIndexAny(text, "[{")
	default:
		if m := dupKey.FindStringSubmatch(msg); m != nil {
			if u, err := strconv.Unquote(`"` + m[1] + `"`); err == nil {
				idx = strings.Index(text, u)
			}
		}
	}
	if idx < 0 {
		idx = len(text) - len(strings.TrimLeft(text, " \t"))
		if idx >= len(text) {
			idx = 0
		}
	}
	return len([]rune(text[:idx])) + 1
}

// lastMappingColon is the byte index of the last ": " (or final ":") outside quotes.
func lastMappingColon(text string) int {
	last := -1
	var quote byte
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '#' && (i == 0 || text[i-1] == ' '):
			return last
		case c == ':' && (i+1 == len(text) || text[i+1] == ' ' || text[i+1] == '\t'):
			last = i
		}
	}
	return last
}

// keyPosition finds the line and column of key ("backends[1].kind") in the YAML: of its
// value, or with atKey of the key itself (an unknown key). A key that is not in the file (a
// missing setting) gives the position of its nearest enclosing entry that is.
func keyPosition(data []byte, key string, atKey bool) (line, col int) {
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 {
		return 0, 0
	}
	n := doc.Content[0]
	line, col = 0, 0
	for _, part := range splitKey(key) {
		if n.Kind == yaml.AliasNode && n.Alias != nil {
			n = n.Alias
		}
		var next, keyNode *yaml.Node
		if i, err := strconv.Atoi(part); err == nil && n.Kind == yaml.SequenceNode {
			if i >= 0 && i < len(n.Content) {
				next = n.Content[i]
			}
		} else if n.Kind == yaml.MappingNode {
			for j := 0; j+1 < len(n.Content); j += 2 {
				if strings.EqualFold(n.Content[j].Value, part) {
					keyNode, next = n.Content[j], n.Content[j+1]
				}
			}
		}
		if next == nil {
			break
		}
		line, col = next.Line, next.Column
		if atKey && keyNode != nil {
			line, col = keyNode.Line, keyNode.Column
		}
		n = next
	}
	return line, col
}

// splitKey turns "backends[1].auth.type" into ["backends" "1" "auth" "type"].
func splitKey(key string) []string {
	key = strings.ReplaceAll(key, "[", ".")
	key = strings.ReplaceAll(key, "]", "")
	return strings.FieldsFunc(key, func(r rune) bool { return r == '.' })
}
