package fhir

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	jsonv2 "github.com/go-json-experiment/json"
)

// decodeTargets are the structs resources are decoded into.
func decodeTargets() []any {
	return []any{&resourceHead{}, &ownFacts{}, &patientRes{}, &relatedPersonRes{}, &episodeOfCareRes{}, &carePlanRes{},
		&serviceRequestRes{}, &careTeamRes{}, &practitionerRoleRes{}, &practitionerRes{}, &organizationRes{},
		&locationRes{}, &medicationRes{}, &medicationStatementRes{}, &medicationRequestRes{}, &allergyRes{},
		&encounterRes{}, &documentReferenceRes{}, &compositionRes{}, &observationRes{}, &flagRes{},
		&provenanceRes{}, &listRes{}, &deviceRequestRes{}, &deviceRes{}, &packageProbe{}, &outcomeJSON{}}
}

// sameDecode fails unless the one-pass decoder reads raw into every target exactly as
// encoding/json does: the same values, and it never accepts what encoding/json refuses.
func sameDecode(t *testing.T, name string, raw []byte) {
	t.Helper()
	for _, target := range decodeTargets() {
		typ := reflect.TypeOf(target).Elem()
		fast, slow := reflect.New(typ).Interface(), reflect.New(typ).Interface()
		errFast := jsonv2.Unmarshal(raw, fast, decOpts)
		errSlow := json.Unmarshal(raw, slow)
		if errFast == nil && errSlow != nil {
			t.Fatalf("%s into %s: the one-pass decoder accepted what encoding/json refuses (%v)", name, typ, errSlow)
		}
		if errFast == nil && !reflect.DeepEqual(fast, slow) {
			t.Fatalf("%s into %s: one-pass %+v, encoding/json %+v", name, typ, fast, slow)
		}
		// decodeAs (fast, else slow) always ends as encoding/json does.
		viaDecodeAs := reflect.New(typ).Interface()
		err := decodeAs(Resource{Type: "X", ID: "1", Raw: raw}, viaDecodeAs)
		if (err == nil) != (errSlow == nil) || (err == nil && !reflect.DeepEqual(viaDecodeAs, slow)) {
			t.Fatalf("%s into %s: decodeAs %+v (%v), encoding/json %+v (%v)", name, typ, viaDecodeAs, err, slow, errSlow)
		}
	}
}

func TestTypedDecodeAgreesWithEncodingJSON(t *testing.T) {
	n := 0
	for name, data := range bundleInputs(t) {
		if b, err := ParseBundle(data); err == nil {
			for _, e := range b.Entries {
				sameDecode(t, name+" "+e.Ref(), e.Raw)
				n++
				if n > 3000 {
					return
				}
			}
		} else if bytes.HasPrefix(bytes.TrimSpace(data), []byte("{")) {
			sameDecode(t, name, data)
		}
	}
}

func FuzzTypedDecode(f *testing.F) {
	for name, data := range bundleInputs(f) {
		if b, err := ParseBundle(data); err == nil && name != "huge" {
			for _, e := range b.Entries {
				f.Add([]byte(e.Raw))
			}
		}
	}
	f.Add([]byte(`{"period":{"start":"a"},"period":null,"Period":{"end":"b"},"recorded_date":"x","code":{"coding":{"code":"1"}},"value":"1.5"}`))
	for _, seed := range []string{
		`{"ſtatus":"x","\u0073tatus":"y","K":1,"recorded_date":"z","PERIOD":{"START":"1"}}`,
		`{"code":{"coding":[{"code":"a","system":"s"},{"code":"c"}],"coding":[{"code":"b"}],"CODING":null},"identifier":{"value":"1"},"identifier":[{"system":"s"},{"value":"v"}]}`,
		`{"period":{"start":"a"},"period":{"end":"b"},"subject":{"reference":"P/1","identifier":{"value":"x"}},"subject":{"display":"d"}}`,
		"{\"status\":\"bad \xff utf8\",\"code\":{\"text\":\"\xc3\"}}",
		`{"requester":{"agent":{"reference":"Practitioner/1"}},"class":{"code":"AMB"},"type":{"text":"t"},"participant":[{"type":{"coding":{"code":"x"}}}]}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		sameDecode(t, "input", raw)
	})
}
