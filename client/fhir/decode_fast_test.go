package fhir

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	jsonv2 "github.com/go-json-experiment/json"
)

// sameFastDecode fails unless every hand-written reader that accepts raw reads it exactly
// as the generic decode (one pass) and encoding/json read it, and never accepts what they
// refuse. It reports which readers accepted.
func sameFastDecode(t *testing.T, name string, raw []byte) (encOK, ownOK bool) {
	t.Helper()
	check := func(target string, fast, generic, slow any, ok bool) {
		t.Helper()
		if !ok {
			return
		}
		errGeneric := jsonv2.Unmarshal(raw, generic, decOpts)
		errSlow := json.Unmarshal(raw, slow)
		if errGeneric != nil || errSlow != nil {
			t.Fatalf("%s into %s: the hand-written reader accepted what the generic decode refuses (%v; %v)", name, target, errGeneric, errSlow)
		}
		if !reflect.DeepEqual(fast, generic) || !reflect.DeepEqual(fast, slow) {
			t.Fatalf("%s into %s:\nhand-written %+v\ngeneric      %+v\nencoding/json %+v", name, target, fast, generic, slow)
		}
	}
	var e, eg, es encounterRes
	encOK = decodeEncounterFast(raw, &e)
	check("encounterRes", &e, &eg, &es, encOK)
	var o, og, os ownFacts
	ownOK = decodeOwnFactsFast(raw, &o)
	check("ownFacts", &o, &og, &os, ownOK)
	var s, sg, ss subjectHead
	check("subjectHead", &s, &sg, &ss, decodeSubjectFast(raw, &s))
	sameEncounterOwn(t, name, raw, nil)
	// The own-fact members as the bundle pass sets them aside, when raw is a resource.
	if b, err := ParseBundle(append(append([]byte(`{"resourceType":"Bundle","entry":[{"resource":`), raw...), "}]}"...)); err == nil && len(b.Entries) == 1 && b.Entries[0].own != nil {
		sameEncounterOwn(t, name+" (own facts set aside)", raw, b.Entries[0].own)
	}
	return encOK, ownOK
}

// sameEncounterOwn fails unless the combined reader, when it reads raw, reads what the
// Encounter reader reads from raw and the own-fact reader from own (raw when nil), each
// alone. It reports whether it read raw.
func sameEncounterOwn(t *testing.T, name string, raw, own []byte) bool {
	t.Helper()
	var e, e2 encounterRes
	var o, o2 ownFacts
	if !decodeEncounterOwnFast(raw, "", &e, &o) {
		return false
	}
	data := own
	if data == nil {
		data = raw
	}
	if !decodeEncounterFast(raw, &e2) || !decodeOwnFactsFast(data, &o2) {
		t.Fatalf("%s: the combined reader read what a reader alone refuses (own facts from %s)", name, data)
	}
	if !reflect.DeepEqual(e, e2) || !reflect.DeepEqual(o, o2) {
		t.Fatalf("%s: combined\n%+v\n%+v\nalone\n%+v\n%+v", name, e, o, e2, o2)
	}
	return true
}

// The combined reader reads the demo's and the published UK Core encounters (with their
// own facts set aside by the bundle pass) as the two readers do, and reads them itself.
func TestEncounterOwnFastAgrees(t *testing.T) {
	for _, data := range [][]byte{largeEncounterBundle(30), ukcoreEncounterBundle(t, 3)} {
		b, err := ParseBundle(data)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range b.Entries {
			if r.Type == "Encounter" && !sameEncounterOwn(t, r.Ref(), r.Raw, r.own) {
				t.Fatalf("%s: not read by the combined reader", r.Ref())
			}
		}
	}
	for _, s := range []string{`{"period":null,"serviceProvider":null}`, `{"period":{},"recordedDate":"2020","Status":"x"}`,
		`{"period":{"start":"a"},"period":{"start":"b"}}`, `{"RecordedDate":"x"}`, `{"SERVICEPROVIDER":{}}`, `{"Period":{}}`, `{"serviceProvider":{"reference":"a"},"custodian":{"reference":"b"},"author":[{"display":"c"}]}`} {
		sameEncounterOwn(t, s, []byte(s), nil)
	}
}

func TestFastDecodeAgreesWithGenericDecode(t *testing.T) {
	encounters, encFast, own, ownFast, subjectFast := 0, 0, 0, 0, 0
	for name, data := range bundleInputs(t) {
		b, err := ParseBundle(data)
		if err != nil {
			sameFastDecode(t, name, data)
			continue
		}
		for i, r := range b.Entries {
			if name == "huge" && i > 50 {
				break
			}
			encOK, _ := sameFastDecode(t, name+" "+r.Ref(), r.Raw)
			if r.Type == "Encounter" {
				encounters++
				if encOK {
					encFast++
				}
			}
			if r.own != nil {
				_, ownOK := sameFastDecode(t, name+" "+r.Ref()+" own", r.own)
				own++
				if ownOK {
					ownFast++
				}
				var h subjectHead
				if decodeSubjectFast(r.own, &h) {
					subjectFast++
				}
			}
		}
	}
	t.Logf("encounters read by hand %d of %d; own facts %d of %d; subjects %d", encFast, encounters, ownFast, own, subjectFast)
	// The readers must stay in use, not silently give up on everything.
	if encounters == 0 || encFast*2 < encounters || ownFast*10 < own*9 || subjectFast*10 < own*9 {
		t.Errorf("encounters read by hand %d of %d; own facts %d of %d; subjects %d", encFast, encounters, ownFast, own, subjectFast)
	}
}

// The demo-shaped encounters a big record is made of, and the published UK Core inpatient
// encounter (extensions, hospitalization), are read by hand; so is whom each of a UK Core
// searchset's encounters is about.
func TestFastDecodeReadsTheLargeRecordShape(t *testing.T) {
	var uk encounterRes
	if !decodeEncounterFast(readFileF(t, "testdata/examples/ukcore/UKCore-Encounter-InpatientEncounter-Example.json"), &uk) ||
		uk.Hospitalization == nil || len(uk.Extension) == 0 {
		t.Fatalf("the UK Core encounter was not read by hand: %+v", uk)
	}
	b, err := ParseBundle(largeEncounterBundle(40))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range b.Entries {
		if r.Type != "Encounter" {
			continue
		}
		var e encounterRes
		if !decodeEncounterFast(r.Raw, &e) {
			t.Fatalf("%s: not read by hand", r.Ref())
		}
		// Read with the encounter (the bundle decode sets none aside for it: keepsOwn).
		var o ownFacts
		if r.own != nil || !decodeOwnFactsFast(r.Raw, &o) || o.Period == nil || o.ServiceProvider == nil {
			t.Fatalf("%s: own facts %+v (set aside: %s)", r.Ref(), o, r.own)
		}
	}
	uks, err := ParseBundle(ukcoreEncounterBundle(t, 5))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range uks.Entries {
		var h subjectHead
		if r.Type == "Encounter" && (!decodeSubjectFast(r.Raw, &h) || h.Subject == nil || h.Subject.Reference == "") {
			t.Fatalf("%s: subject %+v not read by hand from %s", r.Ref(), h, r.Raw)
		}
	}
}

// fastSeeds are the corners: nulls, empty arrays, one object for many, names in another
// case or with escapes, repeated members, escapes and bad UTF-8 in values, values of the
// wrong kind, broken syntax.
var fastSeeds = []string{
	`{"resourceType":"Encounter","id":"e1","status":"finished","class":{"code":"AMB"},"type":[],"reasonCode":null,"participant":[null,{}],"location":[{"location":null}],"serviceProvider":{}}`,
	`{"status":"planned","type":{"text":"one"},"identifier":{"value":"1"},"meta":{"profile":["a",null],"tag":[{"code":"x"}],"security":null}}`,
	`{"Status":"x"}`, `{"status":"a","status":"b"}`, `{"st\u0061tus":"x"}`, `{"ſtatus":"x"}`,
	`{"status":"caf\u00e9 \"q\" \/ \n"}`, "{\"status\":\"bad \xff\"}", `{"status":"\ud800"}`, "{\"status\":\"tab\there\"}",
	`{"status":1}`, `{"status":true}`, `{"period":"2020"}`, `{"participant":{"type":[]}}`, `{"type":"x"}`,
	`{"status":"a",}`, `{"status":"a"} x`, `{"status":"a" "id":"b"}`, `{"x":[1,-0.5e+3,true,false,null,{"a":{}}]}`,
	`{"x":01}`, `{"x":-}`, `{"x":1.}`, `{"x":"\x"}`, `{"x":"\u12"}`, `[]`, `null`, ``, `{`,
	`{"class":{"coding":[{"system":"s","code":"IMP","display":"inpatient"}],"text":"t","code":"AMB"}}`,
	`{"class":{"text":"only text"}}`, `{"class":null,"text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">x</div>"}}`,
	`{"extension":[{"url":"u","valueString":"v"}]}`, `{"hospitalization":{"admitSource":{"text":"a"}}}`, `{"contained":[]}`,
	`{"serviceProvider":{"reference":"Organization/1","identifier":{"system":"s","value":"v","type":{"text":"t"}}}}`,
	`{"period":{"start":"2020-01-01","end":null,"END":"x"}}`, `{"reason_code":[{"text":"x"}],"reasoncode":[{"text":"y"}]}`,
	`{"recordedDate":"2020","author":{"reference":"Practitioner/1"},"managingOrganization":[{"display":"o"}],"effectivePeriod":{"start":"s"}}`,
	`{"requester":{"agent":{"reference":"Practitioner/1"}}}`, `{"date":null,"issued":"i","custodian":null,"recorder":{"display":"r"}}`,
	`{"extension":[{"url":"a","valueBoolean":true}]}`, `{"extension":[{"url":"a","valueInteger":1}]}`,
	`{"extension":[{"url":"a","extension":[{"url":"b","valueCoding":{"code":"c","extension":[{"url":"d","valueString":"e"}]}},{"url":"p","valuePeriod":{"start":"s"}}]}]}`,
	`{"hospitalization":{"extension":[{"url":"u","valueReference":{"reference":"Location/1"}}],"destination":{"display":"home"},"dischargeDisposition":{"text":"d"},"origin":null}}`,
	`{"identifier":[{"system":"s","value":"v","extension":[{"url":"x","valueDate":"2020"}]}],"extension":null}`,
	`{"extension":[{"url":"a","ValueString":"x"}]}`, `{"extension":[{"url":"a","valuestring":"x","value_string":"y"}]}`,
	`{"subject":{"reference":"Patient/1"},"patient":null,"Beneficiary":{}}`, `{"subject":"Patient/1"}`, `{"patient":{"identifier":{"system":"s","value":"9"}}}`,
	`{"subject":{"reference":"a"},"subject":{"reference":"b"}}`, `{"SUBJECT":{"display":"x"}}`, `{"beneficiary":[{"reference":"x"}]}`,
	`{"author":"x"}`, `{"author":[null]}`, `{"period":{}}`, `{"x":` + strings.Repeat("[", 600) + strings.Repeat("]", 600) + `}`,
}

func FuzzFastEncounter(f *testing.F) {
	for name, data := range bundleInputs(f) {
		if b, err := ParseBundle(data); err == nil && name != "huge" {
			for _, e := range b.Entries {
				if e.Type == "Encounter" || e.own != nil {
					f.Add([]byte(e.Raw))
					f.Add(e.own)
				}
			}
		}
	}
	for _, s := range fastSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		sameFastDecode(t, "input", raw)
	})
}

// The switch the bundle decode asks is the set of ownFacts' and subjectHead's names.
func TestOwnFactNamesSwitch(t *testing.T) {
	n := 0
	for name := range ownFactNames {
		if !isOwnFactLower(name) {
			t.Errorf("%q is an own fact name the switch misses", name)
		}
		n++
	}
	switchNames := strings.Fields(`recordeddate asserteddate dateasserted authoredon date issued created
		datetime effectivedatetime occurrencedatetime effectiveperiod period recorder asserter author
		requester informationsource managingorganization custodian serviceprovider subject patient beneficiary`)
	for _, name := range switchNames {
		if !ownFactNames[name] {
			t.Errorf("the switch takes %q, no own fact name", name)
		}
	}
	if n != len(switchNames) || isOwnFactLower("status") || isOwnFactLower("") {
		t.Errorf("%d own fact names, the switch %d", n, len(switchNames))
	}
}

// scanStringByByte is scanString as it was before it skipped eight plain bytes at a time:
// one table look-up a byte.
func scanStringByByte(d []byte, pos int) (quoted []byte, plain, ok bool) {
	i := pos + 1
	plain = true
	for i < len(d) {
		c := d[i]
		switch {
		case plainStringByte[c]:
		case c == '"':
			return d[pos : i+1], plain, true
		case c < 0x20:
			return nil, false, false
		case c == '\\':
			plain = false
			if i+1 >= len(d) {
				return nil, false, false
			}
			switch d[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(d) || !isHex4(d[i+2:i+6]) {
					return nil, false, false
				}
				i += 6
			default:
				return nil, false, false
			}
			continue
		case c >= 0x80:
			plain = false
		}
		i++
	}
	return nil, false, false
}

// The string scanner finds every byte that ends a run of plain ones wherever it stands in
// a block of eight (each kind of byte at each place of strings of 0 to 40 bytes, with and
// without the closing quote), and reads each string as the byte-by-byte scan does.
func TestScanStringFindsEverySpecialByte(t *testing.T) {
	specials := []byte{0x00, 0x01, 0x1f, '"', '\\', 0x7f, 0x80, 0xc3, 0xff, ' ', '!', '#', '[', ']', '~', 'A'}
	for n := range 41 {
		for pos := range n {
			for _, c := range specials {
				for _, tail := range []string{`"`, `", "x"`, ""} {
					body := bytes.Repeat([]byte("a"), n)
					body[pos] = c
					if c == '\\' && pos+1 < n {
						body[pos+1] = 'n'
					}
					sameScanString(t, append(append([]byte(`"`), body...), tail...))
				}
			}
		}
	}
}

// Two bytes that end a run of plain ones in one block of eight: the first is found, never
// one a borrow from it marks above it (each pair of kinds at each pair of places of
// strings of 2 to 24 bytes), and each string is read as the byte-by-byte scan reads it.
func TestScanStringFindsTheFirstOfTwoSpecialBytes(t *testing.T) {
	specials := []byte{0x00, 0x1f, 0x20, '"', '\\', '!', '#', 0x5b, 0x5d, 0x7f, 0x80, 0xa0, 0xff}
	for n := 2; n <= 24; n++ {
		for p1 := range n {
			for p2 := p1 + 1; p2 < n; p2++ {
				for _, c1 := range specials {
					for _, c2 := range specials {
						body := bytes.Repeat([]byte("a"), n)
						body[p1], body[p2] = c1, c2
						sameScanString(t, append(append([]byte(`"`), body...), `"`...))
					}
				}
			}
		}
	}
}

// sameScanString fails t unless the string scanner reads the string at the start of data
// as the byte-by-byte scan reads it.
func sameScanString(t *testing.T, data []byte) {
	t.Helper()
	f := &fastReader{data: data}
	q, plain, ok := f.scanString()
	wq, wplain, wok := scanStringByByte(data, 0)
	if !bytes.Equal(q, wq) || plain != wplain || ok != wok {
		t.Fatalf("%q: scanString %q %v %v, byte by byte %q %v %v", data, q, plain, ok, wq, wplain, wok)
	}
}

// FuzzScanString: on any bytes, from any place, the string scanner reads what the
// byte-by-byte scan reads.
func FuzzScanString(f *testing.F) {
	for _, s := range []string{`"abc"`, `"` + strings.Repeat("a", 15) + `\"` + strings.Repeat("b", 15) + `"`,
		`"` + strings.Repeat("x", 31) + `\\"`, `"` + strings.Repeat(`\"`, 20) + `"`, `"` + strings.Repeat("y", 63) + `\u00e9"`,
		`"[{]}` + strings.Repeat("z", 40), `"` + strings.Repeat("q", 64) + "\x00\"", `"é` + strings.Repeat("w", 30) + `"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		data[0] = '"'
		sameScanString(t, data)
	})
}
