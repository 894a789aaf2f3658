package demo

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"unicode/utf8"
)

// leadingKeys are written first in every object, in this order, so that served resources
// read as FHIR JSON usually does (resourceType, id, meta, extension, then the rest sorted).
var leadingKeys = [...]string{"resourceType", "id", "meta", "extension"}

// encodeJSON writes the demo's JSON values (objects, arrays, strings, numbers, booleans)
// without HTML escaping and with the leading keys first. Other types fall back to
// encoding/json.
func encodeJSON(b *bytes.Buffer, v any) error {
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case jobj:
		b.WriteByte('{')
		first := true
		key := func(k string) error {
			if !first {
				b.WriteByte(',')
			}
			first = false
			writeJSONString(b, k)
			b.WriteByte(':')
			return encodeJSON(b, x[k])
		}
		for _, k := range leadingKeys {
			if _, ok := x[k]; ok {
				if err := key(k); err != nil {
					return err
				}
			}
		}
		rest := make([]string, 0, len(x))
		for k := range x {
			if !slices.Contains(leadingKeys[:], k) {
				rest = append(rest, k)
			}
		}
		slices.Sort(rest)
		for _, k := range rest {
			if err := key(k); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	case jarr:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := encodeJSON(b, e); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	case string:
		writeJSONString(b, x)
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case int:
		b.WriteString(strconv.Itoa(x))
	case int64:
		b.WriteString(strconv.FormatInt(x, 10))
	default:
		enc := json.NewEncoder(b)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			return err
		}
		b.Truncate(b.Len() - 1) // Encode's newline
	}
	return nil
}

const hexDigits = "0123456789abcdef"

// writeJSONString writes s as a JSON string, escaping only what JSON requires (and the
// line and paragraph separators, which some JavaScript parsers reject).
func writeJSONString(b *bytes.Buffer, s string) {
	b.WriteByte('"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b.WriteByte('\\')
				b.WriteByte(c)
			case c == '\n':
				b.WriteString(`\n`)
			case c == '\r':
				b.WriteString(`\r`)
			case c == '\t':
				b.WriteString(`\t`)
			case c < 0x20:
				b.WriteString(`\u00`)
				b.WriteByte(hexDigits[c>>4])
				b.WriteByte(hexDigits[c&0xf])
			default:
				b.WriteByte(c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteString(`\ufffd`)
		case r == '\u2028' || r == '\u2029':
			b.WriteString(`\u202`)
			b.WriteByte(hexDigits[r&0xf])
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	b.WriteByte('"')
}
