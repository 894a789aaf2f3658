package main

import (
	"bytes"
	"encoding/json"
	"io"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shcr-project/shcr/record"
)

// fillMode says what fillAll sets.
type fillMode int

const (
	fillSet       fillMode = iota // every field not zero: every list two long, every map one entry, every pointer set
	fillZeroOne                   // every field zero but lists: one element (itself zero)
	fillZeroEmpty                 // every field zero but lists: empty, not nil
)

// fillAll sets every exported field of v as mode says; strings (fillSet) need escaping,
// with HTML, U+2028 and invalid UTF-8.
func fillAll(v reflect.Value, depth int, mode fillMode) {
	if mode != fillSet {
		switch v.Kind() {
		case reflect.Slice:
			n := 0
			if mode == fillZeroOne && depth < 12 {
				n = 1
			}
			s := reflect.MakeSlice(v.Type(), n, n)
			for i := range n {
				fillAll(s.Index(i), depth+1, mode)
			}
			v.Set(s)
		case reflect.Struct:
			for i := range v.NumField() {
				if v.Type().Field(i).IsExported() {
					fillAll(v.Field(i), depth+1, mode)
				}
			}
		}
		return
	}
	switch v.Kind() {
	case reflect.String:
		s := "a \"q\" <b>&amp; \u2028 \x01\n \xff é"
		if v.Type() != reflect.TypeFor[string]() {
			s = "enum"
		}
		v.SetString(s)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(7)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(7)
	case reflect.Float32, reflect.Float64:
		v.SetFloat(2.5e-7)
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		fillAll(p.Elem(), depth+1, mode)
		v.Set(p)
	case reflect.Slice:
		n := 2
		if depth > 12 {
			n = 0
		}
		s := reflect.MakeSlice(v.Type(), n, n)
		for i := range n {
			fillAll(s.Index(i), depth+1, mode)
		}
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		fillAll(k, depth+1, mode)
		fillAll(e, depth+1, mode)
		m.SetMapIndex(k, e)
		v.Set(m)
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(time.Date(2024, 3, 12, 9, 30, 0, 120000000, time.FixedZone("BST", 3600))))
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fillAll(v.Field(i), depth+1, mode)
			}
		}
	}
}

// jsonNames lists the JSON member paths of t by reflection (encoding/json's rules for
// tags and embedded structs), as "a.b.c"; lists add "[]".
func jsonNames(t reflect.Type, prefix string, out *[]string) {
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice:
		jsonNames(t.Elem(), prefix+"[]", out)
		return
	case reflect.Struct:
		if t == reflect.TypeFor[time.Time]() {
			return
		}
	default:
		return
	}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || name == "-" {
			continue
		}
		if f.Anonymous && name == "" {
			jsonNames(f.Type, prefix, out)
			continue
		}
		if name == "" {
			name = f.Name
		}
		*out = append(*out, prefix+"."+name)
		jsonNames(f.Type, prefix+"."+name, out)
	}
}

// writtenNames lists the member paths of a decoded JSON value, as jsonNames does.
func writtenNames(v any, prefix string, out *[]string) {
	switch v := v.(type) {
	case []any:
		for _, e := range v {
			writtenNames(e, prefix+"[]", out)
		}
	case map[string]any:
		for k, e := range v {
			*out = append(*out, prefix+"."+k)
			writtenNames(e, prefix+"."+k, out)
		}
	}
}

// handAndGeneric writes list (a section's slice) by hand and with the generic marshal,
// as the member "list" of an object at depth 2.
func handAndGeneric(t *testing.T, list reflect.Value) (hand, generic []byte, fellBack int) {
	t.Helper()
	w := itemWriter{b: []byte(`{"list": `)}
	if ok, err := w.handSection(io.Discard, 2, list); !ok || err != nil {
		t.Fatalf("%s: written by hand %v, %v", list.Type(), ok, err)
	}
	g := itemWriter{b: []byte(`{"list": `)}
	v := list
	if v.IsNil() {
		v = reflect.MakeSlice(v.Type(), 0, 0)
	}
	if err := g.marshal(2, v.Interface()); err != nil {
		t.Fatal(err)
	}
	return w.b, g.b, w.generic
}

// TestHandWriterFieldsMatchGeneric: every list of record.SectionsData is written by hand,
// with exactly json v2's bytes (the generic marshal the writer used before) for a value
// with every field set, ones with every field zero and lists of one zero element, empty or
// nil;
// and the member names written are every JSON field of the type, found by reflection. It
// fails when an item type (or a part of one: Item, Provenance, Period, Phone, Address…)
// gains, loses or renames a JSON field, or changes a field's omitempty or omitzero.
func TestHandWriterFieldsMatchGeneric(t *testing.T) {
	st := reflect.TypeFor[record.SectionsData]()
	for i := range st.NumField() {
		lt := st.Field(i).Type
		if !handWritten(lt) {
			t.Fatalf("SectionsData.%s (%s) is not written by hand: add it to itemWriter.handSection", st.Field(i).Name, lt)
		}
		for _, c := range []struct {
			name  string
			fill  func(reflect.Value)
			names bool
		}{
			{"every field set", func(v reflect.Value) { fillAll(v, 0, fillSet) }, true},
			{"every field zero, lists one zero element", func(v reflect.Value) { fillAll(v, 0, fillZeroOne) }, false},
			{"every field zero, lists empty", func(v reflect.Value) {
				v.Set(reflect.MakeSlice(lt, 1, 1))
				fillAll(v.Index(0), 0, fillZeroEmpty)
			}, false},
			{"every field zero, lists nil", func(v reflect.Value) { v.Set(reflect.MakeSlice(lt, 1, 1)) }, false},
			{"nil list", func(reflect.Value) {}, false},
		} {
			list := reflect.New(lt).Elem()
			c.fill(list)
			hand, generic, fellBack := handAndGeneric(t, list)
			if fellBack != 0 {
				t.Fatalf("%s, %s: %d items handed to the generic marshal", lt, c.name, fellBack)
			}
			if !bytes.Equal(hand, generic) {
				at := 0
				for at < len(hand) && at < len(generic) && hand[at] == generic[at] {
					at++
				}
				t.Fatalf("%s, %s: the hand writer differs from json v2 at byte %d:\nhand    …%s\ngeneric …%s", lt, c.name, at, excerpt(string(hand), at), excerpt(string(generic), at))
			}
			if !c.names {
				continue
			}
			var want, got []string
			jsonNames(lt, "", &want)
			var doc map[string]any
			if err := json.Unmarshal(append(hand, '}'), &doc); err != nil {
				t.Fatalf("%s: %v", lt, err)
			}
			writtenNames(doc["list"], "", &got)
			slices.Sort(want)
			slices.Sort(got)
			if got = slices.Compact(got); !slices.Equal(got, want) {
				t.Fatalf("%s: the hand writer writes the members\n%q\nthe type has\n%q", lt, got, want)
			}
		}
	}
}

// TestHandWriterHandsBackWhatItCannotWrite: a time outside the years 0-9999, or a float
// that is not a number, cannot be written as JSON; the item goes to the generic marshal,
// which refuses it as before (encoding/json refuses it too), and the items around it are
// still written by hand.
func TestHandWriterHandsBackWhatItCannotWrite(t *testing.T) {
	encs := make([]record.Encounter, 3)
	for i := range encs {
		fillAll(reflect.ValueOf(&encs[i]).Elem(), 0, fillSet)
	}
	encs[1].Period.Start = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	if _, err := json.Marshal(encs); err == nil {
		t.Fatal("encoding/json wrote a year past 9999")
	}
	w := itemWriter{b: []byte(`{"list": `)}
	_, err := w.handSection(io.Discard, 2, reflect.ValueOf(encs))
	if err == nil || w.generic != 1 {
		t.Fatalf("a year past 9999: error %v, %d items to the generic marshal (want an error, 1)", err, w.generic)
	}
	cps := make([]record.CarePackage, 2)
	fillAll(reflect.ValueOf(&cps[0]).Elem(), 0, fillSet)
	cps[0].HoursPerWeek = math.NaN()
	w = itemWriter{b: []byte(`{"list": `)}
	if _, err := w.handSection(io.Discard, 2, reflect.ValueOf(cps)); err == nil || w.generic != 1 {
		t.Fatalf("hours NaN: error %v, %d items to the generic marshal (want an error, 1)", err, w.generic)
	}
	rec := &record.Record{}
	rec.Sections.Encounters = encs
	if err := writeJSON(io.Discard, rec, true, record.Sections()); err == nil {
		t.Fatal("writeJSON wrote a year past 9999")
	}
}

// TestWriteJSONFlushesInPieces: a record larger than the writer's buffer reaches the
// output in several writes, each the bytes that follow the last (the writer keeps the last
// byte of each piece to read).
func TestWriteJSONFlushesInPieces(t *testing.T) {
	rec := largeRecord(1200)
	var one bytes.Buffer
	if err := writeJSON(&one, rec, true, record.Sections()); err != nil {
		t.Fatal(err)
	}
	pieces := &countingWriter{}
	if err := writeJSON(pieces, rec, true, record.Sections()); err != nil {
		t.Fatal(err)
	}
	if pieces.writes < 3 || !bytes.Equal(pieces.buf.Bytes(), one.Bytes()) || one.Len() < 2*flushAt {
		t.Fatalf("%d bytes in %d writes (want at least 3), same bytes: %v", one.Len(), pieces.writes, bytes.Equal(pieces.buf.Bytes(), one.Bytes()))
	}
	want := writeJSONOld(t, rec, true, record.Sections())
	if !bytes.Equal(one.Bytes(), want) {
		t.Fatal("a large record differs from the old writer's")
	}
}

type countingWriter struct {
	buf    bytes.Buffer
	writes int
}

func (c *countingWriter) Write(p []byte) (int, error) {
	c.writes++
	return c.buf.Write(p)
}

// FuzzAppendJSONString: the hand writer's strings are encoding/json's (HTML escaped,
// U+2028 and U+2029 escaped, each invalid UTF-8 byte as \ufffd) for any bytes.
func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{"", "plain", `quote " and \ back`, "<b>&amp;</b>", "line\nbreak\ttab\b\f\r", "é ü 漢字", "\u2028\u2029",
		"bad \xff utf8", "\x01ctl\x1f\x7f", "\xed\xa0\x80 surrogate", "\xf4\x90\x80\x80 past U+10FFFF", "\xe2\x80"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendJSONString([]byte("x"), s); string(got[1:]) != string(want) {
			t.Fatalf("%q: got %s, want %s", s, got[1:], want)
		}
	})
}

// TestAppendJSONStringAtEveryOffset: a byte that needs escaping, a character the writer
// must look at (U+2028, U+2029, other multi-byte ones) or an invalid byte, alone or two,
// at every offset of plain ASCII text of every length to 24 (both sides of each eight-byte
// step of the fast path), the bytes around each (0x1f, ' ', 0x7f: just inside and outside),
// empty and very long strings: encoding/json's bytes.
func TestAppendJSONStringAtEveryOffset(t *testing.T) {
	specials := []string{`"`, `\`, "<", ">", "&", "\x00", "\x1f", "\n", "\t", "\x7f", " ", "=", "?", "%", "'", "\u2028", "\u2029",
		"\xff", "\x80", "é", "漢", "\xe2\x80", "\xe2\x80\xa8"[:2], "\U0001F600", "\xed\xa0\x80"}
	plain := "abcdefghijklmnopqrstuvwxyz0123456789 ,.;:/|!#$()*+-_@[]^`{}~ABCDEF"
	check := func(s string) {
		t.Helper()
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendJSONString([]byte("x"), s); string(got[1:]) != string(want) {
			t.Fatalf("%q: got %s, want %s", s, got[1:], want)
		}
	}
	check("")
	for n := 0; n <= 24; n++ {
		check(plain[:n])
		for at := 0; at <= n; at++ {
			for _, sp := range specials {
				check(plain[:at] + sp + plain[at:n])
				for _, sp2 := range []string{`"`, "\x01", "\u2029", "\xc3"} {
					check(plain[:at] + sp + plain[at:n] + sp2)
					check(sp2 + plain[:at] + sp + plain[at:n])
				}
			}
		}
	}
	var long strings.Builder
	for i := range 20000 {
		long.WriteString(plain[:i%len(plain)])
		long.WriteString(specials[i%len(specials)])
	}
	check(long.String())
	check(strings.Repeat("a", 1<<20))
}

// TestKeyAndNewlineAtEveryDepth: a member's key and a line's start are the same bytes at
// every depth (the fixed copy up to depth 7, the longer ones after), whether the buffer
// has room for the fixed copy or not, after an opening brace (no comma) or a value.
func TestKeyAndNewlineAtEveryDepth(t *testing.T) {
	for d := range 40 {
		indent := "\n" + strings.Repeat("  ", d)
		for _, room := range []int{0, 1, 15, 16, 17, 64} {
			for _, before := range []string{"{", `"v"`} {
				buf := make([]byte, len(before), len(before)+room)
				copy(buf, before)
				var w itemWriter
				want := before + indent
				if got := w.newline(buf, d); string(got) != want {
					t.Fatalf("newline at depth %d, room %d: %q, want %q", d, room, got, want)
				}
				want = before + indent + `"name": `
				if before != "{" {
					want = before + "," + indent + `"name": `
				}
				got := w.key(buf, d, "name")
				if string(got) != want {
					t.Fatalf("key at depth %d, room %d, after %s: %q, want %q", d, room, before, got, want)
				}
				if string(buf) != before {
					t.Fatalf("key at depth %d: the bytes before it changed to %q", d, buf)
				}
			}
		}
	}
}
