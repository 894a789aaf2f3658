package client

import (
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/shcr-project/shcr/config"
	"github.com/shcr-project/shcr/record"
)

// TestGPConnectRequestingPractitioner decodes the JWT a loopback GP Connect server receives
// and checks requesting_practitioner as the GP Connect "cross organisation audit and
// provenance" page requires: id equal to sub; identifier holding the SDS user id and the
// SDS role profile id (each "UNK" when the user has none) and the local user id; name as
// an STU3 HumanName list.
func TestGPConnectRequestingPractitioner(t *testing.T) {
	const (
		sdsUser = "https://fhir.nhs.uk/Id/sds-user-id"
		sdsRole = "https://fhir.nhs.uk/Id/sds-role-profile-id"
		local   = "https://github.com/shcr-project/shcr/Id/user"
	)
	type ident = map[string]any
	tests := []struct {
		name    string
		user    config.User  // Options.User, the configured user
		current *config.User // Options.CurrentUser, the signed-in user, when set
		sub     string
		ids     []ident
		family  string
		given   []any
		prefix  []any
	}{
		{
			name: "smartcard ids from config",
			user: config.User{Name: "Dr Jane Carter", ID: "jcarter", SDSUserID: "555021935107", SDSRoleProfileID: "555254242106"},
			sub:  "jcarter",
			ids: []ident{{"system": sdsUser, "value": "555021935107"}, {"system": sdsRole, "value": "555254242106"},
				{"system": local, "value": "jcarter"}},
			family: "Carter", given: []any{"Jane"}, prefix: []any{"Dr"},
		},
		{
			name: "id that is an SDS user id, no role profile: UNK",
			user: config.User{Name: "Dr Jane Carter", ID: "555021935107", Role: "R8000"},
			sub:  "555021935107",
			ids: []ident{{"system": sdsUser, "value": "555021935107"}, {"system": sdsRole, "value": "UNK"},
				{"system": local, "value": "555021935107"}},
			family: "Carter", given: []any{"Jane"}, prefix: []any{"Dr"},
		},
		{
			name: "no smartcard: both UNK, the local id kept",
			user: config.User{Name: "Sam Okafor", ID: "G13579135"},
			sub:  "G13579135",
			ids: []ident{{"system": sdsUser, "value": "UNK"}, {"system": sdsRole, "value": "UNK"},
				{"system": local, "value": "G13579135"}},
			family: "Okafor", given: []any{"Sam"},
		},
		{
			name: "email only: the email is the local id",
			user: config.User{Name: "Mx Alex Rivers-Smith", Email: "alex.rivers@example.org"},
			sub:  "alex.rivers@example.org",
			ids: []ident{{"system": sdsUser, "value": "UNK"}, {"system": sdsRole, "value": "UNK"},
				{"system": local, "value": "alex.rivers@example.org"}},
			family: "Rivers-Smith", given: []any{"Alex"}, prefix: []any{"Mx"},
		},
		{
			name: "signed in (NHS CIS2 gives the SDS user id as the id); role profile from config",
			user: config.User{Name: "Configured Fallback", ID: "CFG1", SDSRoleProfileID: "555254242106"},
			// What auth.Identity.User gives: the sign-in's name, id and email over the configured user.
			current: &config.User{Name: "Dr Priya Shah", ID: "555000111222", Email: "priya.shah@example.nhs.uk", SDSRoleProfileID: "555254242106"},
			sub:     "555000111222",
			ids: []ident{{"system": sdsUser, "value": "555000111222"}, {"system": sdsRole, "value": "555254242106"},
				{"system": local, "value": "555000111222"}},
			family: "Shah", given: []any{"Priya"}, prefix: []any{"Dr"},
		},
		{
			name: "signed in through CIS2 as someone other than the configured user: the sign-in's SDS user id wins",
			user: config.User{Name: "Dr Jane Carter", ID: "jcarter", SDSUserID: "555021935107"},
			// auth.Identity.User keeps the configured fields the sign-in does not give.
			current: &config.User{Name: "Dr Priya Shah", ID: "555000111222", SDSUserID: "555021935107"},
			sub:     "555000111222",
			ids: []ident{{"system": sdsUser, "value": "555000111222"}, {"system": sdsRole, "value": "UNK"},
				{"system": local, "value": "555000111222"}},
			family: "Shah", given: []any{"Priya"}, prefix: []any{"Dr"},
		},
		{
			name:    "signed-in user with no SDS ids at all",
			user:    config.User{Name: "Configured Fallback", ID: "CFG1"},
			current: &config.User{Name: "Chris Lee", ID: "clee"},
			sub:     "clee",
			ids: []ident{{"system": sdsUser, "value": "UNK"}, {"system": sdsRole, "value": "UNK"},
				{"system": local, "value": "clee"}},
			family: "Lee", given: []any{"Chris"},
		},
	}
	pki := newTestPKI(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ts, seen, mu := newGPServer(t, pki, func(w http.ResponseWriter, _ []byte) { writeFHIR(w, 200, allergiesBundle(t)) })
			opts := Options{User: tc.user, Now: func() time.Time { return time.Date(2026, 3, 12, 10, 30, 0, 0, time.UTC) }}
			if tc.current != nil {
				cur := *tc.current
				opts.CurrentUser = func() config.User { return cur }
			}
			b, err := New(gpConfig(ts.URL, pki, true), opts)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := b.Search(ctxTimeout(t, 10*time.Second), record.Query{NHSNumber: "9999999999"}); err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(*seen) != 1 {
				t.Fatalf("requests = %d", len(*seen))
			}
			_, c, _ := decodeJWT(t, (*seen)[0].header.Get("Authorization"))
			pr, _ := c["requesting_practitioner"].(map[string]any)
			if pr["resourceType"] != "Practitioner" || pr["id"] != tc.sub || c["sub"] != tc.sub {
				t.Errorf("sub %v, practitioner id %v, want %q", c["sub"], pr["id"], tc.sub)
			}
			var ids []ident
			for _, i := range pr["identifier"].([]any) {
				ids = append(ids, i.(map[string]any))
			}
			if !reflect.DeepEqual(ids, tc.ids) {
				t.Errorf("identifier:\n got %v\nwant %v", ids, tc.ids)
			}
			names, _ := pr["name"].([]any)
			if len(names) != 1 {
				t.Fatalf("name = %v, want one HumanName", pr["name"])
			}
			n := names[0].(map[string]any)
			prefix, _ := n["prefix"].([]any)
			if n["family"] != tc.family || !reflect.DeepEqual(n["given"], tc.given) || !reflect.DeepEqual(prefix, tc.prefix) {
				t.Errorf("name = %v", n)
			}
		})
	}
}
