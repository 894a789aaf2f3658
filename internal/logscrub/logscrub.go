// Package logscrub is defence in depth for shcr's debug log: a slog.Handler that removes
// anything that looks like an NHS number (10 digits passing Modulus 11, with or without
// spaces or dashes), a UK telephone number, a bearer token / JWT or another credential, and
// terminal escape sequences and controls, from log messages and attribute values before they
// reach the real handler. Callers must still log only back end names, resource types,
// counts, durations and status codes; this catches mistakes.
package logscrub

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"strconv"
	"strings"

	"github.com/shcr-project/shcr/internal/nhsnumber"
)

// Replacement texts.
const (
	RedactedNHSNumber = "[redacted:nhs-number]"
	RedactedPhone     = "[redacted:phone]"
	RedactedToken     = "[redacted:token]"
	Redacted          = "[redacted]" // the whole value of a secret-named attribute
)

// Handler wraps another slog.Handler and scrubs every record passing through it.
type Handler struct {
	inner slog.Handler
}

// New wraps inner.
func New(inner slog.Handler) *Handler { return &Handler{inner: inner} }

// Enabled defers to the inner handler.
func (h *Handler) Enabled(ctx context.Context, l slog.Level) bool { return h.inner.Enabled(ctx, l) }

// Handle scrubs the message and every attribute, then passes the record on.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	nr := slog.NewRecord(r.Time, r.Level, String(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		nr.AddAttrs(Attr(a))
		return true
	})
	return h.inner.Handle(ctx, nr)
}

// WithAttrs scrubs attrs once, then hands them to the inner handler.
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	clean := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		clean[i] = Attr(a)
	}
	return &Handler{inner: h.inner.WithAttrs(clean)}
}

// WithGroup defers to the inner handler.
func (h *Handler) WithGroup(name string) slog.Handler {
	return &Handler{inner: h.inner.WithGroup(name)}
}

// secretKey reports whether an attribute's name says its value is a secret.
func secretKey(k string) bool {
	k = strings.ToLower(k)
	for _, s := range []string{"token", "authorization", "password", "secret", "cookie", "apikey", "api_key", "assertion"} {
		if strings.Contains(k, s) {
			return true
		}
	}
	return false
}

// Attr returns a scrubbed copy of a: LogValuers resolved, groups scrubbed recursively,
// strings, errors, Stringers and other values scrubbed as text, integers that read as an
// NHS number removed, and the whole value of a secret-named attribute (token, password…)
// replaced.
func Attr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	if v.Kind() == slog.KindGroup {
		attrs := v.Group()
		clean := make([]slog.Attr, len(attrs))
		for i, g := range attrs {
			clean[i] = Attr(g)
		}
		return slog.Attr{Key: a.Key, Value: slog.GroupValue(clean...)}
	}
	if secretKey(a.Key) && !(v.Kind() == slog.KindString && v.String() == "") {
		return slog.String(a.Key, Redacted)
	}
	switch v.Kind() {
	case slog.KindString:
		if s := String(v.String()); s != v.String() {
			v = slog.StringValue(s)
		}
	case slog.KindInt64:
		if s := strconv.FormatInt(v.Int64(), 10); String(s) != s {
			v = slog.StringValue(String(s))
		}
	case slog.KindUint64:
		if s := strconv.FormatUint(v.Uint64(), 10); String(s) != s {
			v = slog.StringValue(String(s))
		}
	case slog.KindAny:
		var s string
		switch x := v.Any().(type) {
		case error:
			s = x.Error()
		case fmt.Stringer:
			s = x.String()
		case []byte:
			s = string(x)
		default:
			s = fmt.Sprintf("%+v", x)
		}
		if c := String(s); c != s {
			v = slog.StringValue(c)
		}
	}
	return slog.Attr{Key: a.Key, Value: v}
}

var (
	jwtRE    = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*`)
	bearerRE = regexp.MustCompile(`(?i)\b(bearer)(\s+|%20)[A-Za-z0-9\-._~+/]+=*`)
	nhsRE    = regexp.MustCompile(`[0-9]{3}[ -]?[0-9]{3}[ -]?[0-9]{4}`)
)

// String removes NHS numbers, UK telephone numbers, bearer tokens, JWTs and the other
// credentials Secrets removes from s, and anything a terminal would act on (safetext.Multi:
// escape sequences, controls other than newline and tab, bidi and invisible characters), so
// that a log read with cat or less cannot act on the terminal either.
func String(s string) string {
	s = ServerTextMulti(s)
	s = jwtRE.ReplaceAllString(s, RedactedToken)
	s = bearerRE.ReplaceAllString(s, "${1} "+RedactedToken)
	s = replaceNHS(s)
	return replacePhones(s)
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

func replaceNHS(s string) string {
	var b strings.Builder
	last, pos := 0, 0
	for pos < len(s) {
		loc := nhsRE.FindStringIndex(s[pos:])
		if loc == nil {
			break
		}
		start, end := pos+loc[0], pos+loc[1]
		if start > 0 && isDigit(s[start-1]) || end < len(s) && isDigit(s[end]) || !nhsnumber.Valid(s[start:end]) {
			pos = start + 1 // not one here: a number may still start inside this candidate
			continue
		}
		b.WriteString(s[last:start])
		b.WriteString(RedactedNHSNumber)
		last, pos = end, end
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// replacePhones removes UK telephone numbers: 0 followed by 9 or 10 more digits, or +44
// followed by 9 or 10 digits (an optional "(0)" ignored), with spaces, dashes and brackets
// allowed between digits: "07700 900123", "(0113) 496 0000", "+44 (0)20 7946 0000".
func replacePhones(s string) string {
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); i++ {
		if i > 0 && !phoneMayFollow(s[i-1]) {
			continue
		}
		end, ok := phoneAt(s, i)
		if !ok {
			continue
		}
		b.WriteString(s[last:i])
		b.WriteString(RedactedPhone)
		last = end
		i = end - 1
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// phoneMayFollow reports whether a telephone number may start right after c: not inside a
// longer number, a decimal, or a word such as a hex identifier.
func phoneMayFollow(c byte) bool {
	return !(isDigit(c) || c == '+' || c == '.' || c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z')
}

// phoneAt reports whether a UK telephone number starts at s[i], and where it ends.
func phoneAt(s string, i int) (end int, ok bool) {
	j := i
	want := 0 // digits still to come after the prefix, at most
	switch {
	case strings.HasPrefix(s[j:], "+44"):
		j += 3
		for j < len(s) && s[j] == ' ' {
			j++
		}
		if strings.HasPrefix(s[j:], "(0)") {
			j += 3
		}
		want = 10
	case s[j] == '(' && j+1 < len(s) && s[j+1] == '0':
		j += 2
		want = 10
	case s[j] == '0':
		j++
		want = 10
	default:
		return 0, false
	}
	digits, lastDigit, seps := 0, j, 0
	for j < len(s) && digits < want {
		c := s[j]
		switch {
		case isDigit(c):
			digits++
			seps = 0
			lastDigit = j + 1
		case c == ' ' || c == '-' || c == '(' || c == ')':
			seps++
			if seps > 2 {
				j = len(s)
				continue
			}
		default:
			j = len(s)
			continue
		}
		j++
	}
	if digits < want-1 {
		return 0, false
	}
	if lastDigit < len(s) && isDigit(s[lastDigit]) {
		return 0, false // a longer number
	}
	if digits == want-1 {
		// Nine digits after the prefix (e.g. 01xxx xxxx numbers) only when nothing numeric follows.
		k := lastDigit
		for k < len(s) && (s[k] == ' ' || s[k] == '-' || s[k] == '(' || s[k] == ')') {
			k++
		}
		if k < len(s) && (isDigit(s[k]) || strings.HasPrefix(s[k:], RedactedPhone)) {
			return 0, false // a longer number (or one already redacted: String is stable)
		}
	}
	if lastDigit < len(s) && s[lastDigit] == ')' {
		lastDigit++
	}
	return lastDigit, true
}
