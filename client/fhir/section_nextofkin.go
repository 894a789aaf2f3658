package fhir

import (
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/shcr-project/shcr/record"
)

// Next of kin: RelatedPerson; Patient.contact comes from the Patient already fetched (and
// from GP Connect's Patient, where relationship.text alone may name the role).
func init() {
	registerMapping(record.SectionNextOfKin, sectionMapping{
		queries:     func() []Query { return []Query{search("RelatedPerson")} },
		usesPatient: true,
		mapR4: func(m *mapper, patient *Resource, items []Resource, out *record.SectionsData) {
			if patient != nil {
				out.NextOfKin = append(out.NextOfKin, m.patientContacts(*patient)...)
			}
			for _, r := range items {
				if r.Type == "RelatedPerson" {
					if c, ok := m.relatedPerson(r); ok {
						out.NextOfKin = append(out.NextOfKin, c)
					}
				}
			}
		},
		gpc: &gpcSection{mapping: gpcNextOfKin},
	})
}

func gpcNextOfKin(c *gpcResponse, part *record.Part, st *record.SectionStatus) {
	st.State = record.StateReturned
	part.Sections.NextOfKin = c.m.patientContacts(*c.patient)
	st.Count = len(part.Sections.NextOfKin)
}

// Contacts (next of kin, emergency contacts, key holders, carers…) come from
// Patient.contact and RelatedPerson. Roles are normalised to the record.Role* constants
// from:
//   - HL7 v2-0131 (contact role): N next of kin, C / EP emergency contact;
//   - HL7 v3 RoleCode (R4 http://terminology.hl7.org/CodeSystem/v3-RoleCode and the
//     STU3-era http://hl7.org/fhir/v3/RoleCode): NOK, ECON, GUARD, POWATT/HPOWATT/…,
//     family codes (WIFE, MTH, SON…) kept as the relationship text;
//   - UK Core AdditionalPersonRelationshipRole / PDS AdditionalRelatedPersonRole
//     (Guardian, Carer, Personal, Agent, Proxy…);
//   - the Interweave Extension-Interweave-SocialCareSupportRole complex extension
//     (supportRoleType NOK, KH key holder, LPA, MC main carer…; supportRolePeriod);
//   - relationship text alone, as GP Connect sends it ("Next of kin", "Key holder").
// The UK Core ContactRank extension gives Rank (1 = call first).

// roleByCode maps codes (any system) to a normalised role.
var roleByCode = map[string]string{
	"N": record.RoleNextOfKin, "NOK": record.RoleNextOfKin, "NEXTOFKIN": record.RoleNextOfKin,
	"C": record.RoleEmergencyContact, "EP": record.RoleEmergencyContact, "ECON": record.RoleEmergencyContact, "EC": record.RoleEmergencyContact,
	"KH": record.RoleKeyHolder, "KEYHOLDER": record.RoleKeyHolder,
	"LPA": record.RoleLPA, "POWATT": record.RoleLPA, "HPOWATT": record.RoleLPA, "DPOWATT": record.RoleLPA, "SPOWATT": record.RoleLPA,
	"LPAHW": record.RoleLPA, "LPAPF": record.RoleLPA,
	"MC": record.RoleMainCarer, "MAINCARER": record.RoleMainCarer,
	"CARER": record.RoleCarer, "CAREGIVER": record.RoleCarer, "CG": record.RoleCarer, "INFCARER": record.RoleCarer,
	"GUARD": record.RoleGuardian, "GUARDIAN": record.RoleGuardian,
}

// roleByText recognises roles written out, in order of specificity.
var roleByText = []struct{ words, role string }{
	{"next of kin", record.RoleNextOfKin}, {"next-of-kin", record.RoleNextOfKin}, {"nok", record.RoleNextOfKin},
	{"emergency contact", record.RoleEmergencyContact}, {"emergency", record.RoleEmergencyContact},
	{"key holder", record.RoleKeyHolder}, {"keyholder", record.RoleKeyHolder},
	{"power of attorney", record.RoleLPA}, {"attorney", record.RoleLPA},
	{"main carer", record.RoleMainCarer}, {"primary carer", record.RoleMainCarer},
	{"carer", record.RoleCarer}, {"caregiver", record.RoleCarer},
	{"guardian", record.RoleGuardian},
}

func normCode(s string) string {
	return strings.ToUpper(strings.NewReplacer(" ", "", "-", "", "_", "").Replace(strings.TrimSpace(s)))
}

func roleOfText(s string) string {
	l := strings.ToLower(s)
	for _, rt := range roleByText {
		if rt.words == "nok" {
			if strings.EqualFold(strings.TrimSpace(s), "nok") {
				return rt.role
			}
			continue
		}
		if strings.Contains(l, rt.words) {
			return rt.role
		}
	}
	return ""
}

// rolesOf reads relationship concepts: roles normalised, the rest (family relationship) as text.
func rolesOf(rels []CodeableConcept) (roles []string, relationship []string) {
	roles = []string{} // a list in JSON even when empty
	addRole := func(r string) {
		if r != "" && !slices.Contains(roles, r) {
			roles = append(roles, r)
		}
	}
	for _, cc := range rels {
		found := false
		for _, c := range cc.Coding {
			if r, ok := roleByCode[normCode(c.Code)]; ok && (isRoleSystem(c.System) || len(c.Code) > 1) {
				addRole(r)
				found = true
				continue
			}
			if r := roleOfText(c.Display); r != "" {
				addRole(r)
				found = true
				continue
			}
			if strings.Contains(strings.ToLower(c.System), "rolecode") && c.Display != "" {
				relationship = appendUnique(relationship, ukSpelling(title(c.Display)))
				found = true
			}
		}
		if r := roleOfText(cc.Text); r != "" {
			addRole(r)
			continue
		}
		if !found {
			if l := cc.Label(); l != "" {
				if c, ok := cc.First(); ok && l == c.Code && strings.ToUpper(l) == l {
					l = strings.ToLower(l) // a bare code such as "WIFE" reads as "Wife"
				}
				relationship = appendUnique(relationship, ukSpelling(title(l)))
			}
		} else if cc.Text != "" && roleOfText(cc.Text) == "" {
			relationship = appendUnique(relationship, ukSpelling(cc.Text))
		}
	}
	return roles, relationship
}

// isRoleSystem: single-letter codes (N, C) only count in the v2-0131 contact role system.
func isRoleSystem(system string) bool {
	return strings.Contains(system, "v2-0131") || strings.Contains(strings.ToLower(system), "contactrole")
}

func appendUnique(ss []string, s string) []string {
	if s == "" || slices.ContainsFunc(ss, func(o string) bool { return strings.EqualFold(o, s) }) {
		return ss
	}
	return append(ss, s)
}

// ukSpelling writes the HL7 v3 RoleCode displays that use US spelling ("neighbor") as
// readers in England spell them.
func ukSpelling(s string) string {
	return strings.NewReplacer("Neighbor", "Neighbour", "neighbor", "neighbour").Replace(s)
}

// title capitalises the first letter: "wife" → "Wife".
func title(s string) string {
	s = strings.TrimSpace(s)
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 || r == utf8.RuneError {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// contactRank reads the UK Core ContactRank extension (valuePositiveInt).
func contactRank(exts []Extension) int {
	if e, ok := findExt(exts, "ContactRank"); ok {
		if n, ok := e.Int(); ok && n > 0 {
			return n
		}
	}
	return 0
}

// supportRoles reads Interweave's Extension-Interweave-SocialCareSupportRole (one per role).
func (m *mapper) supportRoles(r Resource, exts []Extension) (roles []string, period record.Period) {
	for _, e := range exts {
		if !strings.Contains(strings.ToLower(e.URL), "socialcaresupportrole") {
			continue
		}
		if t, ok := e.Sub("supportRoleType"); ok && t.ValueCodeableConcept != nil {
			cc := *t.ValueCodeableConcept
			role := ""
			for _, c := range cc.Coding {
				if rr, ok := roleByCode[normCode(c.Code)]; ok {
					role = rr
					break
				}
				if rr := roleOfText(c.Display); rr != "" {
					role = rr
					break
				}
			}
			if role == "" {
				role = roleOfText(cc.Text)
			}
			if role != "" && !slices.Contains(roles, role) {
				roles = append(roles, role)
			}
		}
		if pe, ok := e.Sub("supportRolePeriod"); ok && pe.ValuePeriod != nil && period.Start.IsZero() {
			period = m.periodWithText(r, "supportRolePeriod", pe.ValuePeriod)
		}
	}
	return roles, period
}

func (m *mapper) patientContacts(patient Resource) []record.Contact {
	var p patientRes
	if err := decodeAs(patient, &p); err != nil {
		m.warn("%s", err)
		return nil
	}
	var out []record.Contact
	for i, c := range p.Contact {
		it := m.item(patient, &p.domainResource, itemFacts{})
		cid := c.ID
		if cid == "" {
			cid = strconv.Itoa(i + 1)
		}
		it.Key, it.AlsoKnownAs = patient.Ref()+"#contact-"+cid+"@"+firstNonEmpty(it.Provenance.SourceSystem, m.src.Backend), nil
		roles, rel := rolesOf(c.Relationship)
		name := personName(c.Name)
		if name == "" && c.Organization != nil {
			name = m.who(c.Organization, &p.domainResource).name
		}
		phones, email := phonesOf(c.Telecom)
		if phones == nil {
			phones = []record.Phone{}
		}
		out = append(out, record.Contact{
			Item: it, Name: name, Roles: roles, Relationship: strings.Join(rel, ", "),
			Phones: phones, Email: email, Address: address(c.Address), Rank: contactRank(c.Extension),
			Period: m.periodWithText(patient, "contact.period", &c.Period), Source: "Patient.contact",
		})
	}
	return out
}

func (m *mapper) relatedPerson(r Resource) (record.Contact, bool) {
	var rp relatedPersonRes
	if err := decodeAs(r, &rp); err != nil {
		m.warn("%s; skipped", err)
		return record.Contact{}, false
	}
	// A RelatedPerson no longer active is kept, marked Inactive: shown as a former
	// contact, never as one to call.
	roles, rel := rolesOf(rp.Relationship)
	sroles, speriod := m.supportRoles(r, rp.Extension)
	for _, sr := range sroles {
		if !slices.Contains(roles, sr) {
			roles = append(roles, sr)
		}
	}
	period := m.periodWithText(r, "period", &rp.Period)
	if !speriod.Start.IsZero() || !speriod.End.IsZero() {
		// The support role's period says when the role holds; the relationship's own end,
		// where earlier, still ends it.
		if !period.End.IsZero() && (speriod.End.IsZero() || period.End.Before(speriod.End)) {
			speriod.End, speriod.EndText = period.End, period.EndText
		}
		period = speriod
	}
	phones, email := phonesOf(rp.Telecom)
	if phones == nil {
		phones = []record.Phone{}
	}
	return record.Contact{
		Item: m.item(r, &rp.domainResource, itemFacts{}), Name: personName(rp.Name), Roles: roles,
		Relationship: strings.Join(rel, ", "), Phones: phones, Email: email, Address: address(rp.Address),
		Rank: contactRank(rp.Extension), Period: period, Inactive: rp.Active != nil && !*rp.Active, Source: "RelatedPerson",
	}, true
}
