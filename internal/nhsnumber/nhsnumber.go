// Package nhsnumber parses, validates and formats NHS numbers with the Modulus 11 rule.
package nhsnumber

import (
	"errors"
	"fmt"
	"strings"
)

// Errors returned by Parse. They are distinct so that a user is told exactly what is wrong.
var (
	ErrEmpty      = errors.New("no NHS number given")
	ErrCharacters = errors.New("an NHS number has only digits (spaces and dashes are allowed between them)")
	ErrLength     = errors.New("an NHS number has 10 digits")
	ErrCheckDigit = errors.New("this is not a valid NHS number: its check digit is wrong (Modulus 11)")
)

// Error describes why an input is not an NHS number.
type Error struct {
	Input  string
	Digits int
	Err    error
}

func (e *Error) Error() string {
	if errors.Is(e.Err, ErrLength) {
		return fmt.Sprintf("%v, not %d", e.Err, e.Digits)
	}
	return e.Err.Error()
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
func Parse(s string) (string, error) {
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
