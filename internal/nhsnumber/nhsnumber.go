// Package nhsnumber parses, validates and formats NHS numbers with the Modulus 11 rule.
package nhsnumber

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxInput is the longest input, in bytes, Parse looks at: ten digits with generous spaces
// and dashes. Anything longer is refused before it is read (no work or memory in
// proportion to it).
const MaxInput = 40

// maxEcho is the longest input a message may quote back to the user.
const maxEcho = 16

// Errors returned by Parse. They are distinct so that a user is told exactly what is wrong.
var (
	ErrEmpty      = errors.New("no NHS number given")
	ErrCharacters = errors.New("an NHS number has only digits (spaces and dashes are allowed between them)")
	ErrLength     = errors.New("an NHS number has 10 digits")
	ErrCheckDigit = errors.New("this is not a valid NHS number: its check digit is wrong (Modulus 11)")
	// ErrTooLong: far longer than any NHS number, however it is typed.
	ErrTooLong = errors.New("not an NHS number")
	// ErrControl: the input holds control or invisible formatting characters (escape
	// sequences, NUL, bidirectional overrides), as a hostile paste would.
	ErrControl = errors.New("not an NHS number: it holds control characters")
)

// Error describes why an input is not an NHS number. Its message never repeats the input:
// use Quoted for a message that does where that is safe.
type Error struct {
	Input  string
	Digits int
	Length int // characters in the input, for ErrTooLong
	Err    error
}

func (e *Error) Error() string {
	switch {
	case errors.Is(e.Err, ErrLength):
		return fmt.Sprintf("%v, not %d", e.Err, e.Digits)
	case errors.Is(e.Err, ErrTooLong):
		return fmt.Sprintf("%v (%s characters)", e.Err, thousands(e.Length))
	}
	return e.Err.Error()
}

// Quoted is the message with the input quoted in front of it when the input is short and
// plain (printable ASCII, at most 16 characters): `"12345": an NHS number has 10 digits,
// not 5`. Otherwise the input is not repeated at all: a long, binary or escape-laden input
// must not be echoed to a terminal or a log.
func (e *Error) Quoted() string {
	if safeToEcho(e.Input) {
		return strconv.Quote(e.Input) + ": " + e.Error()
	}
	return e.Error()
}

func safeToEcho(s string) bool {
	if len(s) > maxEcho {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// thousands writes n with commas: 10000 → "10,000".
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// hasControl reports control characters (C0, DEL, C1) and invisible formatting characters
// (bidirectional overrides and isolates, zero-width characters: Unicode category Cf).
// Tab counts as a space, as Normalise treats it.
func hasControl(s string) bool {
	for _, r := range s {
		if r == '\t' {
			continue
		}
		if r == utf8.RuneError || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return true
		}
	}
	return false
}

func (e *Error) Unwrap() error { return e.Err }

// Normalise strips spaces and dashes and returns the bare digits; it does not validate.
func Normalise(s string) string {
	var b strings.Builder
	for _, r := range strings.TrimSpace(s) {
		if r == ' ' || r == '-' || r == '\t' {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Parse accepts an NHS number typed with or without spaces or dashes and returns its 10 digits.
// Input longer than MaxInput bytes is refused (ErrTooLong) before anything else is done
// with it; input with control characters is refused as such (ErrControl).
func Parse(s string) (string, error) {
	if len(s) > MaxInput {
		return "", &Error{Input: strings.Clone(s[:maxEcho+1]), Length: utf8.RuneCountInString(s), Err: ErrTooLong}
	}
	if hasControl(s) {
		return "", &Error{Input: s, Err: ErrControl}
	}
	d := Normalise(s)
	if d == "" {
		return "", &Error{Input: s, Err: ErrEmpty}
	}
	for _, r := range d {
		if r < '0' || r > '9' {
			return "", &Error{Input: s, Err: ErrCharacters}
		}
	}
	if len(d) != 10 {
		return "", &Error{Input: s, Digits: len(d), Err: ErrLength}
	}
	if c, ok := CheckDigit(d[:9]); !ok || c != int(d[9]-'0') {
		return "", &Error{Input: s, Digits: 10, Err: ErrCheckDigit}
	}
	return d, nil
}

// Valid reports whether s (with or without spaces) is a valid NHS number.
func Valid(s string) bool {
	_, err := Parse(s)
	return err == nil
}

// CheckDigit computes the Modulus 11 check digit of nine digits. ok is false where
// no check digit exists (the remainder gives 10) or the input is not nine digits.
func CheckDigit(nine string) (digit int, ok bool) {
	if len(nine) != 9 {
		return 0, false
	}
	sum := 0
	for i := 0; i < 9; i++ {
		c := nine[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		sum += int(c-'0') * (10 - i)
	}
	d := 11 - sum%11
	switch d {
	case 11:
		return 0, true
	case 10:
		return 0, false
	}
	return d, true
}

// Format shows a 10-digit NHS number as 3-3-4 groups: "943 476 5919". Anything that
// is not 10 digits is returned unchanged.
func Format(s string) string {
	d := Normalise(s)
	if len(d) != 10 {
		return s
	}
	for _, r := range d {
		if r < '0' || r > '9' {
			return s
		}
	}
	return d[:3] + " " + d[3:6] + " " + d[6:]
}
