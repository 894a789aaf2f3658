package fhir

// The hand-written readers' generic parts (decode_fast.go): arrays, pointers and values
// of the element types, taken from the reader's slabs where they can be.

// slab is a reader's store of T values: slots handed out one at a time from arrays made
// for many (one allocation for many values). A reader whose values all die together (the
// Predecoder's: a page's Encounters are dropped before the next page is decoded) keeps the
// arrays it made and, after rewind, hands them out again, zeroed, instead of making new
// ones page after page (~30 MB over a 50,000-encounter record).
type slab[T any] struct {
	left   []T   // what is left of the array in use
	arrays [][]T // the arrays made, when kept (keep); the first used of them in use
	used   int
	keep   bool
}

// fill makes left a fresh array of size values (or, kept and rewound, the next one made
// before).
func (s *slab[T]) fill(size int) {
	if s.used < len(s.arrays) {
		s.left = s.arrays[s.used]
		s.used++
		return
	}
	s.left = make([]T, size)
	if s.keep {
		s.arrays = append(s.arrays, s.left)
		s.used++
	}
}

// rewind zeroes every array handed out since the last rewind and hands them out again:
// nothing may hold a value taken from them any more.
func (s *slab[T]) rewind() {
	for _, a := range s.arrays[:s.used] {
		clear(a)
	}
	s.used, s.left = 0, nil
}

// fastSlice reads an array (null leaves dst nil); a null element is a zero element. With
// a slab, an array of one (the common case) takes its element from it: no allocation.
func fastSlice[T any](f *fastReader, dst *[]T, slab *slab[T], elem func(*fastReader, *T) bool) bool {
	if null, ok := f.openArray(); !ok || null {
		return ok
	}
	s := make([]T, 0)
	if slab != nil {
		s = takeSlab(slab)[:0]
	}
	var zero T
	for first := true; f.peek() != ']'; first = false {
		if !first && !f.eat(',') {
			return false
		}
		// Read into the slice itself: a local handed to elem would escape to the heap.
		s = append(s, zero)
		if !f.null() && !elem(f, &s[len(s)-1]) {
			return false
		}
	}
	f.pos++
	*dst = s
	return true
}

// takeSlab hands out the next fresh (zero) slot of a slab as a slice of one, capacity one:
// an append beyond it moves to memory of its own. A slot is never handed out twice (until
// the slab is rewound).
func takeSlab[T any](slab *slab[T]) []T {
	if len(slab.left) == 0 {
		slab.fill(64)
	}
	s := slab.left[0:1:1]
	slab.left = slab.left[1:]
	return s
}

// fastOneOrMany reads an array, or one object as a one-element slice (oneOrManyFrom).
func fastOneOrMany[T any](f *fastReader, dst *[]T, slab *slab[T], elem func(*fastReader, *T) bool) bool {
	if f.peek() == '{' {
		var s []T
		if slab != nil {
			s = takeSlab(slab)
		} else {
			s = make([]T, 1)
		}
		if !elem(f, &s[0]) {
			return false
		}
		*dst = s
		return true
	}
	return fastSlice(f, dst, slab, elem)
}

// fastPtr reads an object into a new value (null leaves dst nil).
func fastPtr[T any](f *fastReader, dst **T, elem func(*fastReader, *T) bool) bool {
	if f.null() {
		return true
	}
	v := new(T)
	if !elem(f, v) {
		return false
	}
	*dst = v
	return true
}

// fastPtrSlab is fastPtr taking the value from a slab.
func fastPtrSlab[T any](f *fastReader, dst **T, slab *slab[T], elem func(*fastReader, *T) bool) bool {
	if f.null() {
		return true
	}
	if len(slab.left) == 0 {
		slab.fill(32)
	}
	v := &slab.left[0]
	var zero T
	*v = zero // a slot a reader gave up on is handed out again
	if !elem(f, v) {
		return false
	}
	slab.left = slab.left[1:]
	*dst = v
	return true
}

func fastRefPtr(f *fastReader, dst **Reference) bool {
	return fastPtrSlab(f, dst, &f.refs, fastReference)
}

func fastPeriodPtr(f *fastReader, dst **Period) bool {
	return fastPtrSlab(f, dst, &f.periods, fastPeriod)
}

// fastVal reads an object into dst (null leaves it alone).
func fastVal[T any](f *fastReader, dst *T, elem func(*fastReader, *T) bool) bool {
	return f.null() || elem(f, dst)
}

func fastString(f *fastReader, s *string) bool { return f.str(s) }
