package record

// Section names a part of the record. The values are the `--section` names of `shcr get`.
type Section string

const (
	SectionCarePackages Section = "care-packages"
	SectionCareTeam     Section = "care-team"
	SectionMedications  Section = "medications"
	SectionAllergies    Section = "allergies"
	SectionNextOfKin    Section = "next-of-kin"
	SectionEncounters   Section = "encounters"
	SectionNotes        Section = "notes"
	SectionAlerts       Section = "alerts"
	// SectionChildProtection is a child protection plan (CP-IS) with its responsible local
	// authority's contacts (record/flags.go); SectionConsent is what the person said about
	// sharing (record/consent.go). Neither has a tab: the banner shows both on every tab.
	SectionChildProtection Section = "child-protection"
	SectionConsent         Section = "consent"
)

// SectionDef describes one section to the record model. The section table (sectionTable,
// in display order) is the one place that says which sections exist and in what order;
// every other layer keeps its own part of a section (FHIR queries and mapping in
// client/fhir, columns and details in views, labels in views/vocab) in a table keyed by
// Section that a test proves complete against this one. See ARCHITECTURE.md.
type SectionDef struct {
	Key Section
	// Tab: the section has its own tab in the TUI (tabs 2…, in table order); a section
	// without one (alerts) is shown on the summary.
	Tab bool
	// lists are the SectionsData lists that hold the section's items. Only the first counts
	// towards Count: care packages keep referrals and orders beside them, listed apart.
	lists []sectionList
}

// JSON is the key of the section's items under "sections" in `shcr get --output json`
// (its first list's; care packages also write "referrals_and_orders").
func (d SectionDef) JSON() string { return d.lists[0].json() }

// sectionTable is every section, in display order.
var sectionTable = []SectionDef{
	{Key: SectionCarePackages, Tab: true, lists: []sectionList{
		list("care_packages", func(s *SectionsData) *[]CarePackage { return &s.CarePackages }),
		list("referrals_and_orders", func(s *SectionsData) *[]CarePackage { return &s.Referrals }),
	}},
	{Key: SectionCareTeam, Tab: true, lists: []sectionList{
		list("care_team", func(s *SectionsData) *[]CareTeamMember { return &s.CareTeam })}},
	{Key: SectionMedications, Tab: true, lists: []sectionList{
		list("medications", func(s *SectionsData) *[]Medication { return &s.Medications })}},
	{Key: SectionAllergies, Tab: true, lists: []sectionList{
		list("allergies", func(s *SectionsData) *[]Allergy { return &s.Allergies })}},
	{Key: SectionNextOfKin, Tab: true, lists: []sectionList{
		itemList[Contact, *Contact]{name: "next_of_kin", get: func(s *SectionsData) *[]Contact { return &s.NextOfKin },
			same: SameContact, fold: foldContact}}},
	{Key: SectionEncounters, Tab: true, lists: []sectionList{
		list("encounters", func(s *SectionsData) *[]Encounter { return &s.Encounters })}},
	{Key: SectionNotes, Tab: true, lists: []sectionList{
		list("notes", func(s *SectionsData) *[]Note { return &s.Notes })}},
	{Key: SectionAlerts, lists: []sectionList{
		list("alerts", func(s *SectionsData) *[]Alert { return &s.Alerts })}},
	{Key: SectionChildProtection, lists: []sectionList{
		list("child_protection", func(s *SectionsData) *[]ChildProtectionPlan { return &s.ChildProtection })}},
	{Key: SectionConsent, lists: []sectionList{
		list("consent", func(s *SectionsData) *[]ConsentRecord { return &s.Consent })}},
}

// Sections returns every section in display order.
func Sections() []Section {
	out := make([]Section, len(sectionTable))
	for i, d := range sectionTable {
		out[i] = d.Key
	}
	return out
}

// SectionDefs returns the section table, in display order.
func SectionDefs() []SectionDef { return append([]SectionDef(nil), sectionTable...) }

// TabSections are the sections with their own tab, in tab order.
func TabSections() []Section {
	var out []Section
	for _, d := range sectionTable {
		if d.Tab {
			out = append(out, d.Key)
		}
	}
	return out
}

// Def returns the section's descriptor.
func (s Section) Def() (SectionDef, bool) {
	for _, d := range sectionTable {
		if d.Key == s {
			return d, true
		}
	}
	return SectionDef{}, false
}

// JSON is the key of the section's items under "sections" in `shcr get --output json`
// ("" for a section the table does not hold).
func (s Section) JSON() string {
	if d, ok := s.Def(); ok {
		return d.JSON()
	}
	return ""
}

// JSONKeys are the keys of every list of the section's items under "sections" in `shcr get
// --output json`, in order: care packages write "care_packages" and "referrals_and_orders".
func (s Section) JSONKeys() []string {
	d, _ := s.Def()
	out := make([]string, len(d.lists))
	for i, l := range d.lists {
		out[i] = l.json()
	}
	return out
}

// ParseSection reads a section name as typed on the command line.
func ParseSection(s string) (Section, bool) {
	d, ok := Section(s).Def()
	return d.Key, ok
}

// sectionList is one list of SectionsData, with what the record does to every list.
type sectionList interface {
	json() string
	count(s *SectionsData) int
	each(s *SectionsData, sec Section, fn func(Section, *Item))
	at(s *SectionsData, i int) *Item // the ith item (0 ≤ i < count)
	merge(dst, add *SectionsData)
	mask(dst, src *SectionsData, revealed func(string) bool)
	withhold(s *SectionsData, involved, hide func(*Item) bool)
	fillEmpty(s *SectionsData)
}

// itemList is a sectionList of items of type T. same and fold, when set, recognise and
// combine the same item reported by two back ends under different keys (see mergeItems).
type itemList[T any, PT interface {
	*T
	keyed
}] struct {
	name string
	get  func(*SectionsData) *[]T
	same func(a, b *T) bool
	fold func(into, from *T)
}

func list[T any, PT interface {
	*T
	keyed
}](name string, get func(*SectionsData) *[]T) itemList[T, PT] {
	return itemList[T, PT]{name: name, get: get}
}

func (l itemList[T, PT]) json() string              { return l.name }
func (l itemList[T, PT]) count(s *SectionsData) int { return len(*l.get(s)) }

func (l itemList[T, PT]) each(s *SectionsData, sec Section, fn func(Section, *Item)) {
	items := *l.get(s)
	for i := range items {
		fn(sec, PT(&items[i]).item())
	}
}

func (l itemList[T, PT]) at(s *SectionsData, i int) *Item { return PT(&(*l.get(s))[i]).item() }

func (l itemList[T, PT]) merge(dst, add *SectionsData) {
	d := l.get(dst)
	*d = mergeItems[T, PT](*d, *l.get(add), l.same, l.fold)
}

func (l itemList[T, PT]) mask(dst, src *SectionsData, revealed func(string) bool) {
	*l.get(dst) = maskItems[T, PT](*l.get(src), revealed)
}

func (l itemList[T, PT]) fillEmpty(s *SectionsData) {
	if d := l.get(s); *d == nil {
		*d = []T{}
	}
}

// Item is the ith of the items Items(sec) lists, without listing them (nil when there is
// no such item): the details pane of a 10,000-row table reads one item, not all of them.
func (s *SectionsData) Item(sec Section, i int) *Item {
	d, ok := sec.Def()
	if !ok || i < 0 || i >= d.lists[0].count(s) {
		return nil
	}
	return d.lists[0].at(s, i)
}
