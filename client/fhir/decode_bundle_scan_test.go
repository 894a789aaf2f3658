package fhir

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
)

// scanCorners are bundles in the corners of what the byte scanner reads or gives up on:
// repeated members, nulls, names in another case or with escapes, values with escapes, bad
// UTF-8 and lone surrogates, numbers out of int's grammar or range, trailing bytes, deep
// nesting, broken syntax.
var scanCorners = map[string]string{
	// ids and full URLs of many lengths, plain (copied into the reader's slabs), escaped at
	// an eight- or sixteen-byte boundary, not ASCII: each as the token decoder reads it.
	"slab strings": `{"resourceType":"Bundle","entry":[{"fullUrl":"http://x/fhir/Encounter/` + strings.Repeat("a", 9) + `","resource":{"resourceType":"Encounter","id":"` + strings.Repeat("b", 16) + `"}},` +
		`{"fullUrl":"` + strings.Repeat("c", 15) + `\"","resource":{"resourceType":"Encounter","id":"` + strings.Repeat("d", 7) + `\u0041"}},` +
		`{"fullUrl":"é` + strings.Repeat("e", 30) + `","resource":{"resourceType":"Flag","id":"` + strings.Repeat("f", 63) + `\/"}},` +
		`{"fullUrl":"","resource":{"resourceType":"Flag","id":"` + strings.Repeat("[{", 50) + `"}},` +
		`{"fullUrl":"` + strings.Repeat("g", 200) + `","resource":{"resourceType":"Flag","id":"x"}}]}`,
	"plain":           `{"resourceType":"Bundle","type":"searchset","total":2,"link":[{"relation":"self","url":"s"},{"relation":"next","url":"n"}],"entry":[{"fullUrl":"u1","resource":{"resourceType":"Encounter","id":"e1","period":{"start":"2024"}},"search":{"mode":"match"}},{"resource":{"resourceType":"Location","id":"l1"},"search":{"mode":"include"}}]}`,
	"spaces":          " \n{ \"resourceType\" : \"Bundle\" ,\t\"entry\" : [ { \"resource\" : { \"resourceType\" : \"Flag\" , \"period\" :\n { \"start\" : \"2024\" } , \"id\" : \"f\" } } ] } \r\n",
	"case names":      `{"RESOURCETYPE":"Bundle","Type":"searchset","TOTAL":3,"Link":[{"Relation":"next","URL":"n"}],"Entry":[{"FULLURL":"u","Resource":{"ResourceType":"Flag","ID":"1","Period":{"start":"x"}},"Search":{"MODE":"match"}}]}`,
	"repeats":         `{"resourceType":"Bundle","type":"a","type":"b","total":1,"total":2,"total":null,"link":[{"relation":"next","url":"a"}],"link":[{"relation":"self","url":"b"}],"entry":[{"fullUrl":"a","fullUrl":null,"resource":{"resourceType":"Flag","id":"1","id":"2","date":"1","date":"2"},"search":{"mode":"match","mode":"include"}}]}`,
	"two entries":     `{"resourceType":"Bundle","entry":[],"entry":[]}`,
	"nulls":           `{"resourceType":"Bundle","type":null,"total":null,"link":null,"entry":[null,{},{"resource":null},{"resource":{"resourceType":null,"id":null}},{"search":null,"resource":{"resourceType":"Flag","id":null}}]}`,
	"odd resources":   `{"resourceType":"Bundle","entry":[{"resource":[]},{"resource":1},{"resource":"x"},{"resource":{"id":"1"}},{"resource":{"resourceType":5,"id":"1"}},{"resource":{"resourceType":"Flag","id":true}},{"fullUrl":"named","resource":{}}]}`,
	"null mode":       `{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Flag"},"search":{"mode":"match","mode":null}}]}`,
	"null relation":   `{"resourceType":"Bundle","link":[{"relation":"next","url":"a"},{"relation":null,"url":"b"}]}`,
	"null link":       `{"resourceType":"Bundle","link":[null]}`,
	"link object":     `{"resourceType":"Bundle","link":{"relation":"next","url":"a"}}`,
	"link number":     `{"resourceType":"Bundle","link":[{"relation":1}]}`,
	"search string":   `{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Flag"},"search":"match"}]}`,
	"mode number":     `{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Flag"},"search":{"mode":1}}]}`,
	"mode other":      `{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Flag"},"search":{"score":1,"mode":"outcome"}},{"resource":{"resourceType":"Flag"},"search":{"mode":"other"}},{"resource":{"resourceType":"Flag"},"search":{}}]}`,
	"escaped values":  `{"resourceType":"Bun\u0064le","type":"se\"t","link":[{"relation":"ne\u0078t","url":"a\/b?x=1\u0026y=2"}],"entry":[{"fullUrl":"u\u00e9","resource":{"resourceType":"Fl\u0061g","id":"a\\b\n"},"search":{"mode":"m\u0061tch"}}]}`,
	"escaped link":    `{"resourceType":"Bundle","link":[{"relation":"next","url":"a\ud800b"}]}`,
	"escaped mode":    `{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Flag"},"search":{"mode":"\uDC00"}}]}`,
	"non-ascii link":  `{"resourceType":"Bundle","link":[{"relation":"next","url":"é"}]}`,
	"bad utf8 mode":   "{\"resourceType\":\"Bundle\",\"entry\":[{\"resource\":{\"resourceType\":\"Flag\"},\"search\":{\"mode\":\"\xff\"}}]}",
	"escaped names":   `{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Flag","i\u0064":"1"}}]}`,
	"escaped top":     `{"resource\u0054ype":"Bundle"}`,
	"unicode name":    `{"resourceType":"Bundle","entry":[{"resource":{"reſourceType":"Flag"}}]}`,
	"bad utf8":        "{\"resourceType\":\"Bundle\",\"type\":\"s\xff\",\"entry\":[{\"fullUrl\":\"\xc3(\",\"resource\":{\"resourceType\":\"Flag\",\"id\":\"\xff\xfe\",\"note\":\"\xff\"}}]}",
	"surrogates":      `{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Flag","id":"\ud800","note":"\udc00\ud800x","date":"\ud83d\ude00"}}]}`,
	"controls":        "{\"resourceType\":\"Bundle\",\"entry\":[{\"resource\":{\"resourceType\":\"Flag\",\"note\":\"a\tb\"}}]}",
	"del byte":        "{\"resourceType\":\"Bundle\",\"entry\":[{\"resource\":{\"resourceType\":\"Flag\",\"id\":\"a\x7fb\"}}]}",
	"total float":     `{"resourceType":"Bundle","total":1.5}`,
	"total exp":       `{"resourceType":"Bundle","total":1e3}`,
	"total minus 0":   `{"resourceType":"Bundle","total":-0}`,
	"total negative":  `{"resourceType":"Bundle","total":-7}`,
	"total huge":      `{"resourceType":"Bundle","total":99999999999999999999}`,
	"total leading 0": `{"resourceType":"Bundle","total":01}`,
	"total string":    `{"resourceType":"Bundle","total":"1"}`,
	"not a bundle":    `{"resourceType":"Patient","id":"p"}`,
	"no type":         `{"entry":[]}`,
	"trailing":        `{"resourceType":"Bundle"}x`,
	"trailing nul":    "{\"resourceType\":\"Bundle\"}\x00",
	"two values":      `{"resourceType":"Bundle"}{}`,
	"bom":             "\xef\xbb\xbf{\"resourceType\":\"Bundle\"}",
	"trailing comma":  `{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Flag",}}]}`,
	"entry comma":     `{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Flag"}},]}`,
	"missing colon":   `{"resourceType":"Bundle","entry":[{"resource" {"resourceType":"Flag"}}]}`,
	"bad literal":     `{"resourceType":"Bundle","x":nul}`,
	"bad number":      `{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Flag","n":-}}]}`,
	"bad escape":      `{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Flag","n":"\x"}}]}`,
	"own facts":       `{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Condition","id":"c","recordedDate" : "2024-01-02","RECORDER":{"reference":"Practitioner/1", "display" : "Dr A"},"subject":{"reference":"Patient/1"},"author":[{"reference":"x"}],"note":[{"text":"t"}]}}]}`,
	"deep":            `{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Flag","x":` + strings.Repeat("[", 600) + strings.Repeat("]", 600) + `}}]}`,
	"deep ok":         `{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Flag","x":` + strings.Repeat(`{"a":`, 100) + "1" + strings.Repeat("}", 100) + `}}]}`,
	"truncated":       `{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Fl`,
}

// sameScan fails unless the byte scanner's bundle, when it gives one, is the token
// decoder's, member for member (own-fact members and the cached reference included).
func sameScan(t *testing.T, name string, data []byte) (scanned bool) {
	t.Helper()
	got, ok := scanBundle(data)
	if !ok {
		return false
	}
	want, wantOK := parseBundleTokens(data)
	if !wantOK {
		t.Fatalf("%s: the scanner read a bundle the token decoder turns down: %+v", name, *got)
	}
	if got.Type != want.Type || got.Total != want.Total || got.Next != want.Next || !reflect.DeepEqual(got.Warnings, want.Warnings) || len(got.Entries) != len(want.Entries) {
		t.Fatalf("%s: bundles differ:\nscan  %+v\ntoken %+v", name, *got, *want)
	}
	for i := range got.Entries {
		g, w := got.Entries[i], want.Entries[i]
		if g.Type != w.Type || g.ID != w.ID || g.FullURL != w.FullURL || g.Mode != w.Mode || g.ref != w.ref ||
			!bytes.Equal(g.Raw, w.Raw) || !bytes.Equal(g.own, w.own) || (g.own == nil) != (w.own == nil) {
			t.Fatalf("%s: entry %d differs:\nscan  %+v own %s\ntoken %+v own %s", name, i, g, g.own, w, w.own)
		}
	}
	return true
}

// The byte scanner agrees with the token decoder on every bundle input of the tests (the
// published examples, the test cases, the fuzz seeds) and on the corners; it reads the
// plain form itself (the demo's and the published examples' shape: the fast path cannot
// silently stop being used) and gives up on what it must leave to the token decoder.
func TestScanBundleAgreesWithTokenDecode(t *testing.T) {
	read := 0
	for name, data := range bundleInputs(t) {
		if sameScan(t, name, data) {
			read++
		}
	}
	if read < 14 {
		t.Errorf("the scanner read %d of the test inputs itself, want every one the token decoder reads (14)", read)
	}
	for name, data := range scanCorners {
		sameScan(t, name, []byte(data))
	}
	for _, name := range []string{"plain", "spaces", "case names", "repeats", "nulls", "odd resources", "mode other",
		"escaped values", "slab strings", "bad utf8", "surrogates", "del byte", "total minus 0", "total negative", "own facts", "deep ok"} {
		if _, ok := scanBundle([]byte(scanCorners[name])); !ok {
			t.Errorf("%s: the scanner gave up on a bundle of the form it reads", name)
		}
	}
	for _, name := range []string{"escaped link", "escaped mode", "non-ascii link", "bad utf8 mode", "two entries", "null mode", "null relation", "null link", "link object", "link number",
		"search string", "mode number", "escaped names", "escaped top", "unicode name", "controls", "total float",
		"total exp", "total huge", "total leading 0", "total string", "not a bundle", "no type", "trailing",
		"trailing nul", "two values", "bom", "trailing comma", "entry comma", "missing colon", "bad literal",
		"bad number", "bad escape", "deep", "truncated"} {
		if _, ok := scanBundle([]byte(scanCorners[name])); ok {
			t.Errorf("%s: the scanner read a bundle it must leave to the token decoder", name)
		}
	}
	for _, data := range [][]byte{largeEncounterBundle(50), ukcoreEncounterBundle(t, 20)} {
		if !sameScan(t, "generated", data) {
			t.Errorf("the scanner gave up on a generated searchset: %.200s", data)
		}
	}
}

// FuzzScanBundle: on any input, the byte scanner's bundle, when it gives one, is the token
// decoder's.
func FuzzScanBundle(f *testing.F) {
	for _, data := range bundleInputs(f) {
		if len(data) < 64<<10 {
			f.Add(data)
		}
	}
	for _, data := range scanCorners {
		f.Add([]byte(data))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sameScan(t, "input", data)
	})
}

// A resource kept beyond its page (Detached) holds copies of its own bytes and own-fact
// members, not the page's buffer or the slab its members were copied into. (An Encounter
// keeps no own-fact members: keepsOwn.)
func TestDetachedKeepsNothingOfThePage(t *testing.T) {
	b, ok := scanBundle([]byte(scanCorners["plain"]))
	if !ok || len(b.Entries) != 2 || b.Entries[1].Type != "Location" || len(b.Entries[1].own) == 0 || b.Entries[0].own != nil {
		t.Fatalf("plain: %v %+v", ok, b)
	}
	r := b.Entries[1]
	d := r.Detached()
	if !bytes.Equal(d.Raw, r.Raw) || !bytes.Equal(d.own, r.own) {
		t.Fatalf("detached %s %s, want %s %s", d.Raw, d.own, r.Raw, r.own)
	}
	if &d.Raw[0] == &r.Raw[0] || &d.own[0] == &r.own[0] {
		t.Error("the detached resource shares the page's memory")
	}
}
