package config

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// Error is a problem with the configuration. Its message is one line naming the file, the
// key and what is wrong, e.g.
//
//	config /home/a/.config/shcr/config.yaml: backends[1].kind: "fhir-r5" is not a back end kind (fhir-r4 | gp-connect | pds | nrl)
type Error struct {
	File string // the config file; "" when the value came from the environment alone
	Key  string // "backends[1].kind"; "" for problems with the whole file
	Env  string // the environment variable the value came from, if it did
	Line int    // YAML line for syntax errors; 0 when unknown
	Col  int    // YAML column with Line; 0 when unknown
	Msg  string // what is wrong
	// Joined: Msg continues "config FILE" as a sentence, with no colon between them
	// ("config /home/a/.config/shcr/config.yaml is writable by others: run chmod go-w …").
	Joined bool
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("config")
	if e.File != "" {
		b.WriteString(" " + printable(e.File))
	}
	switch {
	case e.Line > 0 && e.Col > 0:
		fmt.Fprintf(&b, ":%d:%d: ", e.Line, e.Col)
	case e.Line > 0:
		fmt.Fprintf(&b, ":%d: ", e.Line)
	case e.Joined:
		b.WriteString(" ")
	default:
		b.WriteString(": ")
	}
	if e.Key != "" {
		b.WriteString(printable(e.Key))
		if e.Env != "" {
			b.WriteString(" (from " + e.Env + ")")
		}
		b.WriteString(": ")
	}
	b.WriteString(oneLine(e.Msg))
	return b.String()
}

// printable quotes a file name or key holding control characters (a YAML key can hold a
// newline), so that the message stays on one line.
func printable(s string) string {
	if strings.ContainsFunc(s, unicode.IsControl) {
		return strconv.Quote(s)
	}
	return s
}

// oneLine folds a message onto a single line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
