package hostile

import (
	"fmt"
	"reflect"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/shcr-project/shcr/record"
)

// Markers are payload texts that live only inside OSC sequences: seen in any output, they
// mean a sequence's body got through. (A DCS body is not one: a mapping that lowercases a
// name before it is sanitised turns "ESC P" into the two-byte escape "ESC p", and the body
// after it is then plain, harmless text.)
var Markers = []string{"PWNED-TITLE", "Y3VybCBodHRwczovL2V2aWwu", "ZXZpbA=="}

// Interpreted describes the first thing in s a terminal would act on or that hides or
// reorders text — ESC, another C0 control (LF and tab allowed when multi), DEL, a C1 control,
// a format character (bidi controls, zero-width characters), a line separator, invalid UTF-8
// — or returns "" when there is none.
func Interpreted(s string, multi bool) string {
	if !utf8.ValidString(s) {
		return "invalid UTF-8"
	}
	for i, r := range s {
		switch {
		case r == '\n' || r == '\t':
			if !multi {
				return fmt.Sprintf("line break or tab at %d", i)
			}
		case r == 0x1b:
			return fmt.Sprintf("ESC at %d", i)
		case r < 0x20 || r == 0x7f:
			return fmt.Sprintf("control %U at %d", r, i)
		case r >= 0x80 && r <= 0x9f:
			return fmt.Sprintf("C1 control %U at %d", r, i)
		case unicode.Is(unicode.Cf, r):
			return fmt.Sprintf("format character %U at %d", r, i)
		case r == '\u2028' || r == '\u2029':
			return fmt.Sprintf("line separator %U at %d", r, i)
		}
	}
	for _, m := range Markers {
		if strings.Contains(s, m) {
			return "payload " + m
		}
	}
	return ""
}

// Unsafe walks v (a record, part, person, status, …) and returns "path: what" for every
// string in it that Interpreted objects to; multi-line fields (record.MultiLine) may hold LF
// and tab. n counts the strings seen, so a test can tell an empty walk from a clean one.
func Unsafe(v any) (bad []string, n int) {
	walk(reflect.ValueOf(v), "", false, &bad, &n)
	return bad, n
}

func walk(v reflect.Value, path string, multi bool, bad *[]string, n *int) {
	switch v.Kind() {
	case reflect.String:
		*n++
		if what := Interpreted(v.String(), multi); what != "" {
			*bad = append(*bad, fmt.Sprintf("%s: %s in %q", path, what, v.String()))
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			if f := t.Field(i); f.IsExported() {
				walk(v.Field(i), path+"."+f.Name, record.MultiLine(t, f.Name), bad, n)
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			walk(v.Index(i), fmt.Sprintf("%s[%d]", path, i), multi, bad, n)
		}
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			walk(v.Elem(), path, multi, bad, n)
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			walk(it.Key(), path+"{key}", false, bad, n)
			walk(it.Value(), fmt.Sprintf("%s{%v}", path, it.Key()), multi, bad, n)
		}
	}
}

// TerminalLeaks lists what in a program's terminal output came from hostile data: OSC
// sequences (clipboard, title, hyperlinks: shcr itself draws with CSI only), DCS/APC/PM/SOS
// strings, C1 controls, bidi and other format characters, BEL, and the payload markers.
// CSI sequences are not reported: a TUI draws with them.
func TerminalLeaks(out string) []string {
	var leaks []string
	for _, seq := range []struct{ what, s string }{
		{"OSC 52 clipboard write", "\x1b]52"}, {"OSC 0 title", "\x1b]0;"}, {"OSC 2 title", "\x1b]2;"}, {"OSC 1 icon", "\x1b]1;"},
		{"DCS", "\x1bP"}, {"APC", "\x1b_"}, {"PM", "\x1b^"}, {"SOS", "\x1bX"}, {"BEL", "\x07"},
	} {
		if strings.Contains(out, seq.s) {
			leaks = append(leaks, seq.what)
		}
	}
	for _, r := range out {
		if r >= 0x80 && r <= 0x9f || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029' {
			leaks = append(leaks, fmt.Sprintf("rune %U", r))
			break
		}
	}
	for _, m := range Markers {
		if strings.Contains(out, m) {
			leaks = append(leaks, "payload "+m)
		}
	}
	return leaks
}
