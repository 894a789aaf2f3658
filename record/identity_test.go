package record

import "testing"

// A restricted identity drops every other back end's address and phones, whether it
// arrives before or after them.
func TestRestrictedIdentityWithholdsLocation(t *testing.T) {
	regional := Person{NHSNumber: "9996780007", Name: Name{Family: "Oakes"}, Address: Address{Lines: []string{"3 Mill Lane"}, Postcode: "DM1 1AA"},
		Phones: []Phone{{Number: "01632 960000"}}, Sources: []PersonSource{{Backend: "ShCR", ID: "p1", Postcode: "DM1 1AA"}}}
	id := &Identity{Backend: "PDS", State: IdentityVerified, Verified: true, Restricted: true}
	for _, identityFirst := range []bool{true, false} {
		var r Record
		p := regional
		p.Sources = append([]PersonSource(nil), regional.Sources...)
		if identityFirst {
			r.Merge(Part{Identity: id})
		}
		r.Merge(Part{Backend: "ShCR", Person: &p})
		if !identityFirst {
			if r.Person.Address.Postcode == "" {
				t.Fatal("the regional address was not merged before the identity: the test proves nothing")
			}
			r.Merge(Part{Identity: id})
		}
		if r.Person.Address.Postcode != "" || len(r.Person.Address.Lines) != 0 || len(r.Person.Phones) != 0 || r.Person.Sources[0].Postcode != "" {
			t.Errorf("identity first %v: location kept: %+v", identityFirst, r.Person)
		}
		if !r.LocationWithheld() {
			t.Errorf("identity first %v: not withheld", identityFirst)
		}
		if regional.Sources[0].Postcode == "" {
			t.Fatal("merging changed the caller's person")
		}
	}
	// Not restricted: the address stays.
	var r Record
	p := regional
	r.Merge(Part{Identity: &Identity{Backend: "PDS", State: IdentityVerified, Verified: true}})
	r.Merge(Part{Backend: "ShCR", Person: &p})
	if r.Person.Address.Postcode != "DM1 1AA" || r.LocationWithheld() {
		t.Errorf("unrestricted person lost their address: %+v", r.Person.Address)
	}
}
