package hostile

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

func get(t *testing.T, url, token string) (int, string) {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// The server stays hostile: the tests that use it prove nothing if it stops sending what a
// terminal would act on, or stops echoing the token.
func TestServerIsHostile(t *testing.T) {
	s := Start()
	defer s.Close()
	code, body := get(t, s.URL+DataPath+"/Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|"+NHSNumber, "tok-1")
	var decoded any
	if code != 200 || json.Unmarshal([]byte(body), &decoded) != nil {
		t.Fatalf("patient search: %d %s", code, body)
	}
	var texts []string
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case string:
			texts = append(texts, x)
		case map[string]any:
			for _, e := range x {
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(decoded)
	all := strings.Join(texts, "\n")
	for _, want := range []string{"\x1b]52;c;", "\x1b]0;", "\u202e", "\x1b["} {
		if !strings.Contains(all, want) {
			t.Errorf("the Patient carries no %q", want)
		}
	}
	if what := Interpreted(all, true); what == "" {
		t.Error("Interpreted finds nothing in the hostile Patient")
	}
	for _, typ := range []string{"EpisodeOfCare", "CareTeam", "MedicationStatement", "AllergyIntolerance", "RelatedPerson", "Encounter", "DocumentReference", "Flag"} {
		if code, body := get(t, s.URL+DataPath+"/"+typ+"?patient=p1", ""); code != 200 || !strings.Contains(body, `\u001b]52`) {
			t.Errorf("%s: %d, hostile: %v", typ, code, strings.Contains(body, `\u001b]52`))
		}
	}
	code, body = get(t, s.URL+ErrorsPath+"/Encounter?patient=p1", "tok-2")
	if code != 500 || !strings.Contains(body, "Bearer tok-2") || !strings.Contains(body, `\u001b[2J`) {
		t.Errorf("errors back end, OperationOutcome: %d %s", code, body)
	}
	code, body = get(t, s.URL+ErrorsPath+"/Flag?patient=p1", "tok-3")
	if code != 502 || !strings.Contains(body, "Bearer tok-3") || !strings.Contains(body, "\x1b]52") {
		t.Errorf("errors back end, HTML page: %d %q", code, body)
	}
	if got := s.Authorizations(); len(got) != 3 || got[0] != "Bearer tok-1" {
		t.Errorf("Authorizations = %q", got)
	}
	code, body = get(t, s.URL+DataPath+"/.well-known/smart-configuration", "")
	if code != 200 || !strings.Contains(body, s.Foreign+"/token") {
		t.Errorf("SMART configuration: %d %s", code, body)
	}
	if len(s.ForeignRequests()) != 0 {
		t.Error("the foreign server counted a request nobody sent")
	}
	get(t, s.Foreign+"/token", "tok-4")
	if got := s.ForeignRequests(); len(got) != 1 || !strings.Contains(got[0], "Bearer tok-4") {
		t.Errorf("ForeignRequests = %q", got)
	}
	if leaks := TerminalLeaks("plain \x1b[1mbold\x1b[0m text"); len(leaks) != 0 {
		t.Errorf("CSI alone is how a TUI draws, not a leak: %v", leaks)
	}
	if leaks := TerminalLeaks("a\x1b]52;c;eA==\x07b\u202e"); len(leaks) < 2 {
		t.Errorf("TerminalLeaks missed OSC 52 or bidi: %v", leaks)
	}
}
