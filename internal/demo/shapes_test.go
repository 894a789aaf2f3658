package demo_test

import (
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/shcr-project/shcr/internal/demo"
)

// These tests hold the demo's answers against published examples (testdata/README.md).

func loadExample(t *testing.T, parts ...string) obj {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(append([]string{"testdata"}, parts...)...))
	if err != nil {
		t.Fatal(err)
	}
	var m obj
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%v: %v", parts, err)
	}
	return m
}

func extensionURLs(r obj) []string {
	var out []string
	for _, e := range list(r["extension"]) {
		out = append(out, str(e, "url"))
	}
	return out
}

func codes(cc any) []string {
	var out []string
	for _, c := range list(cc.(obj)["coding"]) {
		out = append(out, str(c, "code"))
	}
	return out
}

func TestGPConnectBundleMatchesPublishedExamples(t *testing.T) {
	profiles := map[string]string{}    // resource type → profile in the examples
	listCodes := map[string]bool{}     // List codes in the examples
	msExt := map[string]bool{}         // MedicationStatement extension URLs
	obsCodes := map[string]bool{}      // Observation codes
	var verifyExt, verifySystem string // Patient NHS number verification
	for _, f := range []string{"allergies_response1.json", "meds_response.json", "consultations_response1.json"} {
		ex := loadExample(t, "gpconnect", f)
		if ex["type"] != "collection" {
			t.Fatalf("%s: type %v", f, ex["type"])
		}
		for _, r := range resources(ex, "") {
			typ := str(r, "resourceType")
			if m, ok := r["meta"].(obj); ok && len(list(m["profile"])) > 0 {
				profiles[typ] = list(m["profile"])[0].(string)
			}
			switch typ {
			case "List":
				for _, c := range codes(r["code"]) {
					listCodes[c] = true
				}
			case "MedicationStatement":
				for _, u := range extensionURLs(r) {
					msExt[u] = true
				}
			case "Observation":
				for _, c := range codes(r["code"]) {
					obsCodes[c] = true
				}
			case "Patient":
				id := list(r["identifier"])[0].(obj)
				verifyExt = str(list(id["extension"])[0], "url")
				verifySystem = str(list(list(id["extension"])[0].(obj)["valueCodeableConcept"].(obj)["coding"])[0], "system")
			}
		}
	}
	s := start(t)
	code, b := gpPost(t, s, gpParams(nhsMarchbank, allParts()...), nil)
	if code != 200 {
		t.Fatalf("status %d", code)
	}
	if p := list(b["meta"].(obj)["profile"])[0]; p != "https://fhir.nhs.uk/STU3/StructureDefinition/GPConnect-StructuredRecord-Bundle-1" {
		t.Errorf("bundle profile %v", p)
	}
	for _, r := range resources(b, "") {
		typ := str(r, "resourceType")
		want, ok := profiles[typ]
		if !ok {
			t.Errorf("%s does not appear in the published examples", typ)
			continue
		}
		if got := list(r["meta"].(obj)["profile"])[0]; got != want {
			t.Errorf("%s profile %v, published %s", typ, got, want)
		}
		switch typ {
		case "List":
			for _, c := range codes(r["code"]) {
				if !listCodes[c] && c != "1103671000000101" { // ended allergies: the example has the placeholder TBD
					t.Errorf("List %q code %s is not in the published examples", str(r, "title"), c)
				}
			}
		case "MedicationStatement":
			for _, u := range extensionURLs(r) {
				if !msExt[u] {
					t.Errorf("MedicationStatement extension %s is not in the published examples", u)
				}
			}
		case "Observation":
			for _, c := range codes(r["code"]) {
				if !obsCodes[c] {
					t.Errorf("Observation code %s is not in the published examples", c)
				}
			}
		case "Patient":
			id := list(r["identifier"])[0].(obj)
			ext := list(id["extension"])[0].(obj)
			if str(ext, "url") != verifyExt || str(list(ext["valueCodeableConcept"].(obj)["coding"])[0], "system") != verifySystem {
				t.Errorf("NHS number verification %v, published %s / %s", ext, verifyExt, verifySystem)
			}
		}
	}
}

func TestCouncilResourcesMatchInterweaveExamples(t *testing.T) {
	s := start(t)
	council := base(t, s, demo.NameCouncil)

	ex := loadExample(t, "interweave", "EpisodeOfCare-InterweaveSocialCareServiceExample-Full.json")
	eocs := byPatient(t, council, "EpisodeOfCare", patientID(t, council, nhsQuimby), nil)
	if len(eocs) != 1 {
		t.Fatalf("%d episodes", len(eocs))
	}
	e := eocs[0]
	for k := range ex {
		if _, ok := e[k]; !ok && k != "extension" {
			t.Errorf("EpisodeOfCare lacks %s, which the Interweave example has", k)
		}
	}
	tagSystems := func(r obj) []string {
		var out []string
		for _, tg := range list(r["meta"].(obj)["tag"]) {
			out = append(out, str(tg, "system"))
		}
		slices.Sort(out)
		return out
	}
	if !slices.Equal(tagSystems(e), tagSystems(ex)) {
		t.Errorf("meta.tag systems %v, Interweave %v", tagSystems(e), tagSystems(ex))
	}
	if str(list(e["identifier"])[0], "system") != str(list(ex["identifier"])[0], "system") {
		t.Errorf("identifier system %v", e["identifier"])
	}
	exType := list(list(ex["type"])[0].(obj)["coding"])[0].(obj)
	myType := list(list(e["type"])[0].(obj)["coding"])[0].(obj)
	if myType["system"] != exType["system"] || myType["code"] != exType["code"] {
		t.Errorf("reablement type %v, Interweave %v", myType, exType)
	}

	rex := loadExample(t, "interweave", "RelatedPerson-InterweaveRelatedPersonExample-SocialCare-Full.json")
	rps := byPatient(t, council, "RelatedPerson", patientID(t, council, nhsBrackenbury), url.Values{})
	exRole := list(rex["extension"])[0].(obj)
	found := false
	for _, rp := range rps {
		for _, ext := range list(rp["extension"]) {
			if str(ext, "url") != str(exRole, "url") {
				continue
			}
			var subs, exSubs []string
			for _, sub := range list(ext.(obj)["extension"]) {
				subs = append(subs, str(sub, "url"))
			}
			for _, sub := range list(exRole["extension"]) {
				exSubs = append(exSubs, str(sub, "url"))
			}
			sys := str(list(list(ext.(obj)["extension"])[0].(obj)["valueCodeableConcept"].(obj)["coding"])[0], "system")
			exSys := str(list(list(exRole["extension"])[0].(obj)["valueCodeableConcept"].(obj)["coding"])[0], "system")
			if !slices.Equal(subs, exSubs) || sys != exSys {
				t.Errorf("support role extension %v / %s, Interweave %v / %s", subs, sys, exSubs, exSys)
			}
			found = true
		}
	}
	if !found {
		t.Error("no RelatedPerson carries the Interweave support role extension")
	}
}

func TestNHSPatientMatchesUKCoreExample(t *testing.T) {
	ex := loadExample(t, "ukcore", "UKCore-Patient-RichardSmith-Example.json")
	s := start(t)
	nhs := base(t, s, demo.NameNHS)
	_, p := get(t, nhs+"/Patient/"+patientID(t, nhs, nhsBrackenbury))
	exID := list(ex["identifier"])[0].(obj)
	id := list(p["identifier"])[0].(obj)
	if str(id, "system") != str(exID, "system") ||
		str(list(id["extension"])[0], "url") != str(list(exID["extension"])[0], "url") {
		t.Errorf("NHS number identifier %v, UK Core %v", id, exID)
	}
	exSys := str(list(list(exID["extension"])[0].(obj)["valueCodeableConcept"].(obj)["coding"])[0], "system")
	if got := str(list(list(id["extension"])[0].(obj)["valueCodeableConcept"].(obj)["coding"])[0], "system"); got != exSys {
		t.Errorf("verification status system %s, UK Core %s", got, exSys)
	}
	exRank := extensionURLs(list(ex["contact"])[0].(obj))[0]
	for _, c := range list(p["contact"]) {
		if !slices.Contains(extensionURLs(c.(obj)), exRank) {
			t.Errorf("contact lacks the UK Core contact rank extension %s", exRank)
		}
	}
}
