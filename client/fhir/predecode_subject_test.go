package fhir

import (
	"reflect"
	"slices"
	"testing"
)

// Encounters whose subject the reader reads, or must leave to Subject: given twice, null,
// a string, a number, in another case, beside patient or beneficiary, named with escapes,
// with escapes in its value, nested in other members, an identifier only, blank.
var predecodeSubjectCorners = []string{
	`{"resourceType":"Encounter","id":"c","status":"finished","subject":{"reference":"Patient/1"}}`,
	`{"resourceType":"Encounter","id":"c","subject":{"reference":"Patient/1"},"subject":{"reference":"Patient/2"}}`,
	`{"resourceType":"Encounter","id":"c","subject":{"reference":"Patient/1"},"subject":null}`,
	`{"resourceType":"Encounter","id":"c","subject":null,"subject":{"reference":"Patient/2"}}`,
	`{"resourceType":"Encounter","id":"c","subject":null}`,
	`{"resourceType":"Encounter","id":"c","subject":"Patient/1"}`,
	`{"resourceType":"Encounter","id":"c","subject":7}`,
	`{"resourceType":"Encounter","id":"c","subject":[{"reference":"Patient/1"}]}`,
	`{"resourceType":"Encounter","id":"c","subject":{}}`,
	`{"resourceType":"Encounter","id":"c","subject":{"reference":"   "}}`,
	`{"resourceType":"Encounter","id":"c","subject":{"reference":" Patient/1 "}}`,
	`{"resourceType":"Encounter","id":"c","subject":{"reference":null,"display":"Jo"}}`,
	`{"resourceType":"Encounter","id":"c","subject":{"reference":7}}`,
	`{"resourceType":"Encounter","id":"c","subject":{"reference":"Patient/1","reference":"Patient/2"}}`,
	`{"resourceType":"Encounter","id":"c","subject":{"Reference":"Patient/1"}}`,
	`{"resourceType":"Encounter","id":"c","subject":{"reference":"Patient/\u0031"}}`,
	`{"resourceType":"Encounter","id":"c","subject":{"reference":"Patient/\ud800"}}`,
	`{"resourceType":"Encounter","id":"c","subject":{"reference":"Patient/\/1","type":"Patient"}}`,
	`{"resourceType":"Encounter","id":"c","subject":{"identifier":{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9434765919"}}}`,
	`{"resourceType":"Encounter","id":"c","subject":{"identifier":{"system":"https://fhir.nhs.uk/Id/nhs-number","value":""}}}`,
	`{"resourceType":"Encounter","id":"c","subject":{"identifier":{"value":"1","assigner":{"reference":"Organization/9"}}}}`,
	`{"resourceType":"Encounter","id":"c","subject":{"identifier":{"value":"1","reference":"Organization/9"}}}`,
	`{"resourceType":"Encounter","id":"c","subject":{"identifier":{"value":"1","assigner":{"reference":"Organization/9"}},"reference":"Patient/1","reference":"Patient/2"}}`,
	`{"resourceType":"Encounter","id":"c","subject":{"reference":"Patient/1","extension":[{"url":"u","valueReference":{"reference":"Patient/2"}}]}}`,
	`{"resourceType":"Encounter","id":"c","Subject":{"reference":"Patient/1"}}`,
	`{"resourceType":"Encounter","id":"c","SUBJECT":{"reference":"Patient/1"},"subject":{"reference":"Patient/2"}}`,
	`{"resourceType":"Encounter","id":"c","subject":{"reference":"Patient/1"},"sUbject":{"reference":"Patient/2"}}`,
	`{"resourceType":"Encounter","id":"c","subj\u0065ct":{"reference":"Patient/1"}}`,
	`{"resourceType":"Encounter","id":"c","subject":{"reference":"Patient/1"},"subj\u0065ct":{"reference":"Patient/2"}}`,
	`{"resourceType":"Encounter","id":"c","patient":{"reference":"Patient/3"}}`,
	`{"resourceType":"Encounter","id":"c","subject":{"reference":""},"patient":{"reference":"Patient/3"}}`,
	`{"resourceType":"Encounter","id":"c","subject":{"reference":"Patient/1"},"Patient":{"reference":"Patient/3"}}`,
	`{"resourceType":"Encounter","id":"c","beneficiary":{"reference":"Patient/4"}}`,
	`{"resourceType":"Encounter","id":"c","subject":null,"BENEFICIARY":{"reference":"Patient/4"}}`,
	`{"resourceType":"Encounter","id":"c","x":{"subject":{"reference":"Patient/5"}},"participant":[{"individual":{"reference":"Practitioner/1"},"subject":{"reference":"Patient/6"}}]}`,
	`{"resourceType":"Encounter","id":"c","contained":[{"resourceType":"Patient","id":"p","subject":{"reference":"Patient/7"}}],"subject":{"reference":"#p"}}`,
	`{"resourceType":"Encounter","id":"c","subjects":{"reference":"Patient/8"},"subjec":{"reference":"Patient/9"}}`,
	`{"resourceType":"Encounter","id":"c","subject":{"reference":"urn:uuid:1"},"period":{"start":"2020"}}`,
	`{"resourceType":"Encounter","id":"c","subject":{"reference":"Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|9434765919"}}`,
	`{"resourceType":"Encounter","id":"c","subject":{"reference":"Patient/1"},"status":7}`,
	`{"resourceType":"Encounter","id":"c","subject":{"reference":"Patient/1"},"é":1}`,
	`{"resourceType":"Encounter","id":"c","subject":{"reference":"Patient/1"}`,
	"{\"resourceType\":\"Encounter\",\"id\":\"c\" , \"subject\" : { \"reference\" : \"Patient/1\" } }\n",
}

// subjectWays are r's subject read both ways: from its Encounter decoded first (when it
// was), and by Subject from its bytes (a copy with nothing decoded).
func subjectWays(r Resource) (pre, plain Reference, preOK, plainOK, known bool) {
	bare := r
	one := []Resource{r}
	var d Predecoder
	d.Decode(one)
	p := predecodedFor(one[0])
	known = p != nil && p.subjectKnown
	pre, preOK = Subject(one[0])
	plain, plainOK = Subject(bare)
	return
}

// sameWithSubject fails unless the Encounter reader reads raw the same with its subject
// read as without (the same answer, the same values, the same references): reading the
// subject never makes it give up, nor changes what else it reads.
func sameWithSubject(t *testing.T, raw []byte) {
	t.Helper()
	var (
		e1, e2 encounterRes
		o1, o2 ownFacts
		n1, n2 []string
		subj   subjectRead
	)
	ok1, all1 := decodeEncounterOwnFastRefs(raw, "c", &e1, &o1, &n1, nil)
	ok2, all2 := decodeEncounterOwnFastRefs(raw, "c", &e2, &o2, &n2, &subj)
	if ok1 != ok2 || all1 != all2 {
		t.Fatalf("read without the subject ok %v all %v, with it ok %v all %v\n%s", ok1, all1, ok2, all2, raw)
	}
	// A null reference read is named "" (the scan finds none there; ReferencesOf drops it).
	n1, n2 = slices.DeleteFunc(n1, isEmpty), slices.DeleteFunc(n2, isEmpty)
	if ok1 && (!reflect.DeepEqual(e1, e2) || !reflect.DeepEqual(o1, o2) || !slices.Equal(n1, n2)) {
		t.Fatalf("read with the subject, another answer:\n%+v\n%+v\n%q\n%q\n%s", e1, e2, n1, n2, raw)
	}
}

func isEmpty(s string) bool { return s == "" }

// inBundle is raw as the one entry of a search page (so that Subject reads the members
// the bundle decode set aside, as it does on a page), ok false when it is not one.
func inBundle(raw []byte) (Resource, bool) {
	b, err := ParseBundle([]byte(`{"resourceType":"Bundle","type":"searchset","entry":[{"resource":` + string(raw) + `,"search":{"mode":"match"}}]}`))
	if err != nil || len(b.Entries) != 1 || b.Entries[0].Type != "Encounter" {
		return Resource{}, false
	}
	return b.Entries[0], true
}

// The subject of an Encounter decoded first is exactly Subject's (the same Reference and
// identifier, the same ok) for every Encounter of the test inputs and the corners, alone
// and on a page; the demo's shape and most inputs must have it read with them (else the
// path is not exercised).
func TestPredecodedSubjectAgrees(t *testing.T) {
	rs := encounterInputs(t)
	for _, s := range predecodeSubjectCorners {
		rs = append(rs, Resource{Type: "Encounter", ID: "c", Mode: "match", Raw: []byte(s)})
		if r, ok := inBundle([]byte(s)); ok {
			rs = append(rs, r)
		}
	}
	known, total := 0, 0
	for _, r := range rs {
		sameWithSubject(t, r.Raw)
		pre, plain, preOK, plainOK, k := subjectWays(r)
		total++
		if k {
			known++
		}
		if preOK != plainOK || !reflect.DeepEqual(pre, plain) {
			t.Fatalf("%s: decoded first %+v %v, Subject %+v %v\n%s", r.Ref(), pre, preOK, plain, plainOK, r.Raw)
		}
	}
	t.Logf("%d encounters, %d with their subject read with them", total, known)
	if total < 60 || known < 40 {
		t.Fatalf("%d encounters, %d with their subject read with them: too few to prove anything", total, known)
	}
	// The demo server's pages (its key-sorted JSON: the subject near the end).
	seen := 0
	for _, page := range demoEncounterPages(t, 1200) {
		b, err := ParseBundle(page)
		if err != nil {
			t.Fatal(err)
		}
		var d Predecoder
		d.Decode(b.Entries)
		for _, r := range b.Entries {
			if r.Type != "Encounter" {
				continue
			}
			seen++
			p := predecodedFor(r)
			if p == nil || !p.subjectKnown || !p.subjectOK || p.subject.Reference == "" {
				t.Fatalf("%s: the demo's shape not read with its subject\n%s", r.Ref(), r.Raw)
			}
			r.pre = nil
			if want, ok := Subject(r); !ok || !reflect.DeepEqual(want, p.subject) {
				t.Fatalf("%s: decoded first %+v, Subject %+v %v", r.Ref(), p.subject, want, ok)
			}
		}
	}
	if seen != 1200 {
		t.Fatalf("the demo's pages hold %d Encounters, want 1200", seen)
	}
}

// The corners the reader must leave to Subject are left to it; those it reads are read.
func TestPredecodedSubjectLeavesWhatItMust(t *testing.T) {
	for _, c := range []struct {
		raw   string
		known bool
	}{
		{predecodeSubjectCorners[0], true},
		{`{"resourceType":"Encounter","id":"c","subject":null}`, true},
		{`{"resourceType":"Encounter","id":"c","status":"finished"}`, true},
		{`{"resourceType":"Encounter","id":"c","subject":{"reference":"Patient/1"},"subject":{"reference":"Patient/2"}}`, false},
		{`{"resourceType":"Encounter","id":"c","subject":"Patient/1"}`, false},
		{`{"resourceType":"Encounter","id":"c","Subject":{"reference":"Patient/1"}}`, false},
		{`{"resourceType":"Encounter","id":"c","patient":{"reference":"Patient/3"}}`, false},
		{`{"resourceType":"Encounter","id":"c","beneficiary":{"reference":"Patient/4"}}`, false},
		{`{"resourceType":"Encounter","id":"c","subj\u0065ct":{"reference":"Patient/1"}}`, false},
		{`{"resourceType":"Encounter","id":"c","x":{"subject":{"reference":"Patient/5"}}}`, true},
	} {
		r := Resource{Type: "Encounter", ID: "c", Mode: "match", Raw: []byte(c.raw)}
		if _, _, _, _, known := subjectWays(r); known != c.known {
			t.Errorf("%s: read with the Encounter %v, want %v", c.raw, known, c.known)
		}
	}
}

// FuzzPredecodedSubject: whatever bytes an Encounter holds, alone or on a page, its subject
// decoded first is Subject's, and its references are still References'.
func FuzzPredecodedSubject(f *testing.F) {
	for _, s := range predecodeSubjectCorners {
		f.Add([]byte(s))
	}
	addEncounterSeeds(f)
	f.Fuzz(func(t *testing.T, raw []byte) {
		rs := []Resource{{Type: "Encounter", ID: "c", Mode: "match", Raw: raw}}
		if r, ok := inBundle(raw); ok {
			rs = append(rs, r)
		}
		sameWithSubject(t, raw)
		for _, r := range rs {
			pre, plain, preOK, plainOK, _ := subjectWays(r)
			if preOK != plainOK || !reflect.DeepEqual(pre, plain) {
				t.Fatalf("decoded first %+v %v, Subject %+v %v", pre, preOK, plain, plainOK)
			}
			one := []Resource{r}
			var d Predecoder
			d.Decode(one)
			if got, want := ReferencesOf(one[0], "http://b/fhir"), References(r.Raw, "http://b/fhir"); !reflect.DeepEqual(got, want) {
				t.Fatalf("ReferencesOf %q, References %q", got, want)
			}
		}
	})
}
