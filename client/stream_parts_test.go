package client

import "testing"

// A big streamed section is handed on in parts of at most flushMost items and a page, each
// held in a list asked for with the same room: the list the last part was gathered from
// (and handed back, record.EncounterList) is then big enough for the next, instead of
// every part past 8,000 shown needing a bigger list than any before it. A smaller section
// in small pages holds no more room than its parts need.
func TestHeldListsFitTheNextPart(t *testing.T) {
	const page, total = 1000, 60000
	asked := map[int]bool{}
	held, shown := 0, 0
	for shown+held < total {
		if held == 0 {
			if room := heldRoom(page, shown, total, true); room > 0 {
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
	if heldRoom(page, 20000, total, false) != 0 || heldRoom(page, 0, total, true) != 0 || heldRoom(page, 3000, total, true) != 0 {
		t.Error("room held for pages that are not held together")
	}
	// 5,200 encounters in pages of 100: room for the part being held, no more.
	for shown := 100; shown < 5200; shown += 100 {
		if room := heldRoom(100, shown, 5200, true); room > flushAt(shown)+100 {
			t.Fatalf("at %d shown of 5,200 in pages of 100: room for %d held, want at most %d", shown, room, flushAt(shown)+100)
		}
	}
}
