package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	jsonv2 "github.com/go-json-experiment/json"

	"github.com/shcr-project/shcr/record"
)

// The writer as it was (marshal, unmarshal, rewrite, indent): the one-pass writer must give
// exactly its bytes.

type orderedSectionsOld struct {
	keys []string
	vals []json.RawMessage
}

func (o orderedSectionsOld) MarshalJSON() ([]byte, error) {
	var b strings.Builder
	b.WriteByte('{')
	for i, k := range o.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kj, _ := json.Marshal(k)
		b.Write(kj)
		b.WriteByte(':')
		b.Write(o.vals[i])
	}
	b.WriteByte('}')
	return []byte(b.String()), nil
}

func writeJSONOld(t testing.TB, rec *record.Record, found bool, sections []record.Section) []byte {
	t.Helper()
	doc, err := buildJSON(rec, found, sections)
	if err != nil {
		t.Fatal(err)
	}
	old := struct {
		Person        *record.Person         `json:"person"`
		Sections      orderedSectionsOld     `json:"sections"`
		SectionStatus []record.SectionStatus `json:"section_status"`
		Backends      []backendJSON          `json:"backends"`
		Discrepancies []record.Discrepancy   `json:"discrepancies"`
		Notices       []record.Notice        `json:"notices"`
		Identity      *record.Identity       `json:"identity"`
		HeldElsewhere *record.Locator        `json:"held_elsewhere"`
		Routing       []record.Route         `json:"routing"`
		Flags         []flagJSON             `json:"flags"`
		Consent       consentJSON            `json:"consent"`
	}{Person: doc.Person, SectionStatus: doc.SectionStatus, Backends: doc.Backends, Discrepancies: doc.Discrepancies, Notices: doc.Notices,
		Identity: doc.Identity, HeldElsewhere: doc.HeldElsewhere, Routing: doc.Routing, Flags: doc.Flags, Consent: doc.Consent}
	if rec == nil {
		rec = &record.Record{}
	}
	all, err := json.Marshal(rec.Sections)
	if err != nil {
		t.Fatal(err)
	}
	var bySection map[string]json.RawMessage
	if err := json.Unmarshal(all, &bySection); err != nil {
		t.Fatal(err)
	}
	for _, sec := range sections {
		keys := []string{strings.ReplaceAll(string(sec), "-", "_")} // the old writer's rule
		if sec == record.SectionCarePackages {
			keys = append(keys, "referrals_and_orders")
		}
		for _, k := range keys {
			v := bySection[k]
			if string(v) == "null" {
				v = json.RawMessage("[]")
			}
			v = bytes.ReplaceAll(v, []byte(`"security":null`), []byte(`"security":[]`))
			old.Sections.keys = append(old.Sections.keys, k)
			old.Sections.vals = append(old.Sections.vals, v)
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(old); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// writeJSONGeneric is the writer before the hand-written one: json v2 over the whole
// document, the sections through orderedSections.MarshalJSONTo.
func writeJSONGeneric(t testing.TB, rec *record.Record, found bool, sections []record.Section) []byte {
	t.Helper()
	doc, err := buildJSON(rec, found, sections)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := jsonv2.MarshalWrite(&buf, doc, getJSONOptions); err != nil {
		t.Fatal(err)
	}
	return append(buf.Bytes(), '\n')
}

// fill sets every field of v (a pointer) to a random value: strings with characters that
// need escaping, HTML, non-ASCII and invalid UTF-8, nil, empty and full slices and maps,
// zero and non-zero times, awkward floats; now and then a nested struct left all zero.
func fill(r *rand.Rand, v reflect.Value, depth int) {
	strs := []string{"", "plain", `quote " and \ back`, "<b>&amp;</b>", "line\nbreak\ttab", "é ü 漢字", "\u2028\u2029", "bad \xff utf8", "\x01ctl"}
	switch v.Kind() {
	case reflect.String:
		s := strs[r.IntN(len(strs))]
		if v.Type() != reflect.TypeFor[string]() && !utf8.ValidString(s) {
			s = "enum" // named string types are enumerations (domain, state): never bad UTF-8
		}
		v.SetString(s)
	case reflect.Bool:
		v.SetBool(r.IntN(2) == 0)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if v.Type() == reflect.TypeFor[time.Duration]() {
			v.SetInt(int64(r.IntN(5000)) * int64(time.Millisecond))
			return
		}
		v.SetInt([]int64{0, 1, -7, 1234567}[r.IntN(4)])
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(uint64(r.IntN(300)))
	case reflect.Float32, reflect.Float64:
		v.SetFloat([]float64{0, 0.1, 3, 14.5, 1e21, 1e-7, 123456789.125}[r.IntN(7)])
	case reflect.Pointer:
		if depth > 9 || r.IntN(3) == 0 {
			return
		}
		p := reflect.New(v.Type().Elem())
		fill(r, p.Elem(), depth+1)
		v.Set(p)
	case reflect.Slice:
		if depth > 9 {
			return
		}
		switch r.IntN(3) {
		case 0: // nil
		case 1:
			v.Set(reflect.MakeSlice(v.Type(), 0, 0))
		default:
			n := 1 + r.IntN(3)
			s := reflect.MakeSlice(v.Type(), n, n)
			for i := range n {
				fill(r, s.Index(i), depth+1)
			}
			v.Set(s)
		}
	case reflect.Map:
		if depth > 9 || r.IntN(3) == 0 {
			return
		}
		m := reflect.MakeMap(v.Type())
		for range r.IntN(4) {
			k := reflect.New(v.Type().Key()).Elem()
			fill(r, k, depth+1)
			if k.Kind() == reflect.String && !utf8.ValidString(k.String()) {
				k.SetString("key") // map keys are back end and section names: never bad UTF-8
			}
			e := reflect.New(v.Type().Elem()).Elem()
			fill(r, e, depth+1)
			m.SetMapIndex(k, e)
		}
		v.Set(m)
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			if r.IntN(3) > 0 {
				v.Set(reflect.ValueOf(time.Date(2020+r.IntN(6), time.Month(1+r.IntN(12)), 1+r.IntN(28), r.IntN(24), r.IntN(60), 0, r.IntN(3)*500000000, []*time.Location{time.UTC, time.FixedZone("BST", 3600)}[r.IntN(2)])))
			}
			return
		}
		if depth > 2 && r.IntN(6) == 0 {
			return // a struct all zero: omitzero leaves it out
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(r, v.Field(i), depth+1)
			}
		}
	}
}

// TestWriteJSONOnePassMatchesOldWriter: 400 random records (fill) written byte for byte as
// the old writer wrote them; across them, every JSON field of every section's item type
// (nested ones too) is seen set and zero, and every list nil, empty and not (fieldsSeen).
func TestWriteJSONOnePassMatchesOldWriter(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	allSections := record.Sections()
	seen := map[string]map[string]bool{}
	for i := range 400 {
		var rec record.Record
		fill(r, reflect.ValueOf(&rec).Elem(), 0)
		fieldsSeen(reflect.ValueOf(rec.Sections), "", seen)
		sections := allSections
		if i%3 == 1 {
			sections = allSections[:1+r.IntN(len(allSections))]
		}
		found := i%5 != 0
		var recp *record.Record
		if i != 7 {
			recp = &rec
		}
		want := writeJSONOld(t, recp, found, sections)
		var got bytes.Buffer
		if err := writeJSON(&got, recp, found, sections); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want) {
			g, w := got.String(), string(want)
			at := 0
			for at < len(g) && at < len(w) && g[at] == w[at] {
				at++
			}
			t.Fatalf("record %d: output differs at byte %d:\ngot  …%s\nwant …%s", i, at, excerpt(g, at), excerpt(w, at))
		}
		if generic := writeJSONGeneric(t, recp, found, sections); !bytes.Equal(got.Bytes(), generic) {
			t.Fatalf("record %d: output differs from the generic marshal of the whole document", i)
		}
	}
	var paths []string
	jsonNames(reflect.TypeFor[record.SectionsData](), "", &paths)
	for _, p := range paths {
		for _, k := range []string{"set", "zero"} {
			if !seen[p][k] {
				t.Errorf("no random record has %s %s", p, k)
			}
		}
		if seen[p]["list"] && !(seen[p]["nil"] && seen[p]["empty"]) {
			t.Errorf("no random record has the list %s nil and another empty (%v)", p, seen[p])
		}
	}
}

// fieldsSeen notes, for each JSON member path under v (as jsonNames names them), whether
// it was seen set and zero, and for a list nil and empty.
func fieldsSeen(v reflect.Value, prefix string, seen map[string]map[string]bool) {
	note := func(p, k string) {
		if seen[p] == nil {
			seen[p] = map[string]bool{}
		}
		seen[p][k] = true
	}
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			fieldsSeen(v.Elem(), prefix+"[]", seen)
		}
	case reflect.Slice:
		for i := range v.Len() {
			fieldsSeen(v.Index(i), prefix+"[]", seen)
		}
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			return
		}
		for i := range v.NumField() {
			f := v.Type().Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if !f.IsExported() || name == "-" {
				continue
			}
			if f.Anonymous && name == "" {
				fieldsSeen(v.Field(i), prefix, seen)
				continue
			}
			p, fv := prefix+"."+name, v.Field(i)
			if fv.IsZero() {
				note(p, "zero")
			} else {
				note(p, "set")
			}
			if fv.Kind() == reflect.Slice {
				note(p, "list")
				if fv.IsNil() {
					note(p, "nil")
				} else if fv.Len() == 0 {
					note(p, "empty")
				}
			}
			fieldsSeen(fv, p, seen)
		}
	}
}

func excerpt(s string, at int) string {
	lo, hi := max(0, at-120), min(len(s), at+120)
	return fmt.Sprintf("%q", s[lo:hi])
}

// largeRecord is a record of n encounters and n/20 medications with every field set.
func largeRecord(n int) *record.Record {
	r := rand.New(rand.NewPCG(3, 4))
	var rec record.Record
	fill(r, reflect.ValueOf(&rec).Elem(), 0)
	var e record.Encounter
	var m record.Medication
	for e.Type == "" {
		fill(r, reflect.ValueOf(&e).Elem(), 0)
	}
	fill(r, reflect.ValueOf(&m).Elem(), 0)
	rec.Sections.Encounters = make([]record.Encounter, n)
	for i := range rec.Sections.Encounters {
		rec.Sections.Encounters[i] = e
		rec.Sections.Encounters[i].Key = fmt.Sprintf("enc-%d", i)
	}
	rec.Sections.Medications = make([]record.Medication, n/20)
	for i := range rec.Sections.Medications {
		rec.Sections.Medications[i] = m
	}
	return &rec
}

// BenchmarkWriteJSON measures `shcr get --output json` writing the large demo record's
// size (5,200 encounters, 260 medications): "one-pass" is the writer, "old" the marshal,
// unmarshal, rewrite and indent it replaced; then 50,000 encounters.
func BenchmarkWriteJSON(b *testing.B) {
	rec := largeRecord(5200)
	sections := record.Sections()
	var size int
	b.Run("one-pass", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var buf bytes.Buffer
			if err := writeJSON(&buf, rec, true, sections); err != nil {
				b.Fatal(err)
			}
			size = buf.Len()
		}
		b.SetBytes(int64(size))
	})
	b.Run("old", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			size = len(writeJSONOld(b, rec, true, sections))
		}
		b.SetBytes(int64(size))
	})
	// The demo's large person as read from its three back ends over loopback (5,200
	// encounters: real shapes, ASCII text, UTC times, one source's provenance after another)
	// to io.Discard, on one goroutine.
	b.Run("demo-large/one-goroutine", func(b *testing.B) {
		demoRec := demoLargeRecord(b, sections)
		var n countingWriter
		if err := writeJSONChunked(&n, demoRec, true, sections, chunking{}); err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(n.buf.Len()))
		b.ReportAllocs()
		cpu0 := cpuTime()
		for b.Loop() {
			if err := writeJSONChunked(io.Discard, demoRec, true, sections, chunking{}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
	})
	// 50,000 encounters (~80 MB) to io.Discard: the writer alone, as get's chunking cuts
	// it (one worker a processor: -cpu 1 writes one item after the other) and on one
	// goroutine whatever -cpu is; B/op is what the writer holds, not the output.
	big := largeRecord(50000)
	for _, c := range []struct {
		name string
		c    func() chunking
	}{{"50000/chunked", getChunking}, {"50000/one-goroutine", func() chunking { return chunking{} }}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			var n countingWriter
			if err := writeJSONChunked(&n, big, true, sections, chunking{}); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(n.buf.Len()))
			ch := c.c()
			cpu0 := cpuTime()
			for b.Loop() {
				if err := writeJSONChunked(io.Discard, big, true, sections, ch); err != nil {
					b.Fatal(err)
				}
			}
			// CPU time (user and system, every thread) beside the wall time: on a shared
			// machine the wall time per op is what the other processes leave, the CPU time is not.
			b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
		})
	}
}

// cpuTime is the process's CPU time so far (user and system), in nanoseconds.
func cpuTime() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
