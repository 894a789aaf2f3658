package client

import "testing"

// A big streamed section is handed on in parts of at most flushMost items and a page, each
// held in a list asked for with the same room: the list the last part was gathered from
// (and handed back, record.EncounterList) is then big enough for the next, instead of
// every part past 8,000 shown needing a bigger list than any before it.
func TestHeldListsFitTheNextPart(t *testing.T) {
	const page = 1000
	asked := map[int]bool{}
	held, shown := 0, 0
	for shown+held < 60000 {
		if held == 0 {
			if room := heldRoom(page, shown, true); room > 0 {
				asked[room] = true
			}
		}
		held += page
		if shown == 0 || held >= flushAt(shown) {
			if held > flushMost+page {
				t.Fatalf("a part of %d items at %d shown: more than flushMost and a page", held, shown)
			}
			shown, held = shown+held, 0
		}
	}
	if len(asked) != 1 || !asked[flushMost+page] {
		t.Fatalf("held lists asked with room for %v, want one size, %d", asked, flushMost+page)
	}
	// The last page of a section, and pages shown on their own, need no room held for more.
	if heldRoom(page, 20000, false) != 0 || heldRoom(page, 0, true) != 0 || heldRoom(page, 3000, true) != 0 {
		t.Error("room held for pages that are not held together")
	}
}
