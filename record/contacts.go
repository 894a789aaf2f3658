package record

import (
	"slices"
	"strings"
	"unicode"
)

// SameContact reports whether two contacts (from different back ends, under different keys:
// a Patient.contact and a council RelatedPerson, say) are the same person: the same name
// once titles, case and punctuation are set aside, and at least one telephone number in
// common once written as digits alone (+44 read as 0). Two people of the same name with no
// number in common stay apart, and so do two whose family relationships to the person
// differ ("Husband" and "Son": a father and son of one name sharing the home phone).
func SameContact(a, b *Contact) bool {
	na := NormaliseName(a.Name)
	if na == "" || na != NormaliseName(b.Name) {
		return false
	}
	ra, rb := splitRelationship(a.Relationship), splitRelationship(b.Relationship)
	if len(ra) > 0 && len(rb) > 0 && !slices.ContainsFunc(ra, func(r string) bool {
		return slices.ContainsFunc(rb, func(o string) bool { return strings.EqualFold(r, o) })
	}) {
		return false
	}
	for _, p := range a.Phones {
		n := NormalisePhone(p.Number)
		if n != "" && slices.ContainsFunc(b.Phones, func(q Phone) bool { return NormalisePhone(q.Number) == n }) {
			return true
		}
	}
	return false
}

// foldContact adds what from says about a contact to into: its roles and phone numbers
// (next of kin from one back end, key holder from another), the family relationship, e-mail,
// address and period where into has none, and the lower "call first" rank. Slices are copied
// before they change: earlier masked copies of the record may share them.
func foldContact(into, from *Contact) {
	for _, r := range from.Roles {
		if !slices.Contains(into.Roles, r) {
			into.Roles = append(slices.Clip(into.Roles), r)
			// In one order whichever back end answered first.
			slices.SortStableFunc(into.Roles, func(a, b string) int { return roleOrder(a) - roleOrder(b) })
		}
	}
	for _, p := range from.Phones {
		n := NormalisePhone(p.Number)
		i := slices.IndexFunc(into.Phones, func(q Phone) bool { return n != "" && NormalisePhone(q.Number) == n })
		switch {
		case i < 0:
			into.Phones = append(slices.Clip(into.Phones), p)
		case into.Phones[i].Use == "" && p.Use != "":
			into.Phones = slices.Clone(into.Phones)
			into.Phones[i].Use = p.Use
		}
	}
	rels := splitRelationship(into.Relationship)
	for _, r := range splitRelationship(from.Relationship) {
		if !slices.ContainsFunc(rels, func(o string) bool { return strings.EqualFold(o, r) }) {
			rels = append(rels, r)
		}
	}
	into.Relationship = strings.Join(rels, ", ")
	if into.Email == "" {
		into.Email = from.Email
	}
	if len(into.Address.Lines) == 0 && into.Address.Postcode == "" {
		into.Address = from.Address
	}
	if into.Period.Start.IsZero() && into.Period.End.IsZero() {
		into.Period = from.Period
	}
	if from.Rank > 0 && (into.Rank == 0 || from.Rank < into.Rank) {
		into.Rank = from.Rank
	}
}

// roleOrder places the normalised roles: next of kin first; roles of other kinds last.
func roleOrder(r string) int {
	if i := slices.Index([]string{RoleNextOfKin, RoleEmergencyContact, RoleKeyHolder, RoleLPA, RoleMainCarer,
		RoleCarer, RoleGuardian}, r); i >= 0 {
		return i
	}
	return 100
}

func splitRelationship(s string) []string {
	var out []string
	for _, r := range strings.Split(s, ",") {
		if r = strings.TrimSpace(r); r != "" {
			out = append(out, r)
		}
	}
	return out
}

// honorifics are the titles NormaliseName sets aside.
var honorifics = map[string]bool{"mr": true, "mrs": true, "ms": true, "miss": true, "mx": true, "dr": true,
	"prof": true, "rev": true, "sir": true, "dame": true, "lady": true, "lord": true}

// NormaliseName reduces a person's name for comparison: lower case, letters and digits
// only, single spaces, leading titles (Mr, Mrs, Dr…) dropped. "Mrs Margaret  Brackenbury"
// and "margaret brackenbury" give the same result.
func NormaliseName(s string) string {
	words := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\''
	})
	for len(words) > 1 && honorifics[words[0]] {
		words = words[1:]
	}
	return strings.Join(words, " ")
}

// NormalisePhone reduces a UK telephone number to its digits as dialled at home: spaces,
// brackets and dashes go, an international +44 or 0044 prefix becomes 0, and "+44 (0)" is
// read once. "+44 (0)7700 900201", "07700-900201" and "07700 900201" are equal. Anything
// with no digits gives "".
func NormalisePhone(s string) string {
	s = strings.TrimSpace(s)
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	d := b.String()
	intl := strings.HasPrefix(s, "+44")
	if strings.HasPrefix(d, "0044") {
		d, intl = d[2:], true
	}
	if intl && strings.HasPrefix(d, "44") {
		d = strings.TrimPrefix(d[2:], "0")
		d = "0" + d
	}
	return d
}
