package fhir

// The hand-written readers' generic parts (decode_fast.go): arrays, pointers and values
// of the element types, taken from the reader's slabs where they can be.

// fastSlice reads an array (null leaves dst nil); a null element is a zero element. With
// a slab, an array of one (the common case) takes its element from it: no allocation.
func fastSlice[T any](f *fastReader, dst *[]T, slab *[]T, elem func(*fastReader, *T) bool) bool {
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
// an append beyond it moves to memory of its own. A slot is never handed out twice.
func takeSlab[T any](slab *[]T) []T {
	if len(*slab) == 0 {
		*slab = make([]T, 64)
	}
	s := (*slab)[0:1:1]
	*slab = (*slab)[1:]
	return s
}

// fastOneOrMany reads an array, or one object as a one-element slice (oneOrManyFrom).
func fastOneOrMany[T any](f *fastReader, dst *[]T, slab *[]T, elem func(*fastReader, *T) bool) bool {
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
func fastPtrSlab[T any](f *fastReader, dst **T, slab *[]T, elem func(*fastReader, *T) bool) bool {
	if f.null() {
		return true
	}
	if len(*slab) == 0 {
		*slab = make([]T, 32)
	}
	v := &(*slab)[0]
	var zero T
	*v = zero // a slot a reader gave up on is handed out again
	if !elem(f, v) {
		return false
	}
	*slab = (*slab)[1:]
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
