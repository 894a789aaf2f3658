package config

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/go-viper/mapstructure/v2"
)

// What Load says when a file does not decode: the key, the value and what was expected, and
// the closest known key to one it does not know.

// decodeError finds the innermost field error of a mapstructure failure and words it.
func decodeError(err error) *Error {
	var leaves []*mapstructure.DecodeError
	var walk func(error)
	walk = func(err error) {
		switch e := err.(type) {
		case *mapstructure.DecodeError:
			inner := e.Unwrap()
			var de *mapstructure.DecodeError
			if errors.As(inner, &de) {
				walk(inner)
				return
			}
			leaves = append(leaves, e)
		case interface{ Unwrap() []error }:
			for _, x := range e.Unwrap() {
				walk(x)
			}
		case interface{ Unwrap() error }:
			walk(e.Unwrap())
		}
	}
	walk(err)
	if len(leaves) == 0 {
		return &Error{Msg: err.Error()}
	}
	slices.SortFunc(leaves, func(a, b *mapstructure.DecodeError) int { return strings.Compare(a.Name(), b.Name()) })
	e := leaves[0]
	return &Error{Key: e.Name(), Msg: decodeReason(e.Unwrap())}
}

func decodeReason(err error) string {
	var pe *mapstructure.ParseError
	if errors.As(err, &pe) {
		return fmt.Sprintf("%s is not %s", quoteValue(pe.Value), kindName(pe.Expected.Type()))
	}
	var ue *mapstructure.UnconvertibleTypeError
	if errors.As(err, &ue) {
		return fmt.Sprintf("expected %s, got %s", kindName(ue.Expected.Type()), valueKind(ue.Value))
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "source data must be an array or slice"):
		return "expected a list (lines starting with -), got " + strings.TrimPrefix(msg[strings.LastIndex(msg, "got")+3:], " ")
	case strings.Contains(msg, "expected a map"):
		return "expected a mapping (key: value lines)"
	}
	return msg
}

func quoteValue(v any) string {
	if s, ok := v.(string); ok {
		return strconv.Quote(s)
	}
	return fmt.Sprint(v)
}

func kindName(t reflect.Type) string {
	if t == durationType {
		return "a duration (e.g. 90s, 5m)"
	}
	switch t.Kind() {
	case reflect.String:
		return "text"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice, reflect.Array:
		return "a list (lines starting with -)"
	case reflect.Struct, reflect.Map:
		return "a mapping (key: value lines)"
	}
	return t.String()
}

func valueKind(v any) string {
	switch v.(type) {
	case nil:
		return "nothing"
	case string:
		return "text " + quoteValue(v)
	case []any:
		return "a list"
	case map[string]any:
		return "a mapping"
	}
	return kindName(reflect.TypeOf(v)) + " " + fmt.Sprint(v)
}

// unknownKeyError reports the first unknown key (a typo such as "vocabluary"), with a
// suggestion where one known key is close.
func unknownKeyError(file string, unused []string) *Error {
	keys := slices.Clone(unused)
	slices.Sort(keys)
	key := keys[0]
	msg := "unknown key"
	parent, last := "", key
	if i := strings.LastIndex(key, "."); i >= 0 {
		parent, last = key[:i], key[i+1:]
	}
	if strings.HasPrefix(parent, "organisations.") { // the mapping form: one organisation
		parent = "organisations[0]"
	}
	if s := closest(last, knownKeys(parent)); s != "" {
		msg += fmt.Sprintf(" (did you mean %s?)", s)
	}
	if len(keys) > 1 {
		msg += fmt.Sprintf("; also unknown: %s", strings.Join(keys[1:], ", "))
	}
	return &Error{File: file, Key: key, Msg: msg}
}

var indexRe = regexp.MustCompile(`\[\d+\]`)

// knownKeys lists the keys allowed under parent ("", "backends[0]", "backends[0].auth").
func knownKeys(parent string) []string {
	t := reflect.TypeOf(Config{})
	if parent != "" {
		for _, part := range strings.Split(indexRe.ReplaceAllString(parent, ""), ".") {
			f, ok := fieldByTag(t, part)
			if !ok {
				return nil
			}
			t = f.Type
			for t.Kind() == reflect.Slice || t.Kind() == reflect.Pointer {
				t = t.Elem()
			}
			if t.Kind() != reflect.Struct {
				return nil
			}
		}
	}
	var keys []string
	for i := 0; i < t.NumField(); i++ {
		if tag := t.Field(i).Tag.Get("mapstructure"); tag != "" && tag != "-" {
			keys = append(keys, tag)
		}
	}
	return keys
}

func fieldByTag(t reflect.Type, tag string) (reflect.StructField, bool) {
	for i := 0; i < t.NumField(); i++ {
		if t.Field(i).Tag.Get("mapstructure") == tag {
			return t.Field(i), true
		}
	}
	return reflect.StructField{}, false
}

// closest returns the known key within edit distance 2 of s, if exactly one is nearest.
func closest(s string, known []string) string {
	best, bestD, ties := "", 3, 0
	for _, k := range known {
		d := editDistance(s, k)
		switch {
		case d < bestD:
			best, bestD, ties = k, d, 0
		case d == bestD:
			ties++
		}
	}
	if ties > 0 {
		return ""
	}
	return best
}

// editDistance is the optimal string alignment distance: insertions, deletions,
// substitutions and swaps of neighbours ("vocabluary") each count one.
func editDistance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}
