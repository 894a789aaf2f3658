package record

import (
	"reflect"
	"time"

	"github.com/shcr-project/shcr/internal/safetext"
)

// Sanitised returns v with every string in it — fields of structs, elements of slices,
// keys and values of maps, through pointers, including fields added later — made safe for
// a terminal by safetext: multi-line fields (see MultiLine) with safetext.Multi, every other
// string with safetext.Line. Nothing a server sends can then move the cursor, write to the
// clipboard, retitle the window or reorder text, wherever the record goes: the TUI, `shcr
// get` text and JSON, the audit trail, the log.
//
// v is not modified: what holds a changed string is copied, the rest is shared, and when
// nothing needs changing v is returned as is. The client calls it where back ends hand over
// people and parts (client.Federation), so no back end can bypass it.
//
// A Part, a Person and a []Person are walked by typed code (sanitise_typed.go), with the
// same result as the reflective walk every other type takes and at a fraction of its cost.
func Sanitised[T any](v T) T {
	if sanitiseTyped(&v) {
		return v
	}
	return sanitisedByReflection(v)
}

// sanitiseTyped sanitises *p in place with the typed walk and reports true when p is of a
// type it knows (*p is the caller's own copy; what it shares is never changed). A type
// added here must be added to TestTypedSanitiseMatchesReflection, which holds each to the
// reflective walk.
func sanitiseTyped(p any) bool {
	switch x := p.(type) {
	case *Part:
		if c := sanPart(x); c != nil {
			*x = *c
		}
	case *Person:
		if c := sanPerson(x); c != nil {
			*x = *c
		}
	case *[]Person:
		*x, _ = each(*x, sanPerson)
	default:
		return false
	}
	return true
}

// sanitisedByReflection is Sanitised by the reflective walk, for every type.
func sanitisedByReflection[T any](v T) T {
	rv := reflect.ValueOf(&v).Elem()
	if nv, changed := sanitise(rv, false); changed {
		rv.Set(nv)
	}
	return v
}

// MultiLine reports whether a field of a record type is multi-line text, which keeps its
// line breaks and tabs: a note's text.
func MultiLine(t reflect.Type, field string) bool {
	return t == noteType && field == "Text"
}

var (
	noteType = reflect.TypeFor[Note]()
	timeType = reflect.TypeFor[time.Time]()
)

// sanitise returns the safe form of v and whether it differs; when it does not, the first
// result is v itself.
func sanitise(v reflect.Value, multi bool) (reflect.Value, bool) {
	switch v.Kind() {
	case reflect.String:
		s := v.String()
		c := safetext.Line(s)
		if multi {
			c = safetext.Multi(s)
		}
		if c == s {
			return v, false
		}
		return reflect.ValueOf(c).Convert(v.Type()), true
	case reflect.Struct:
		t := v.Type()
		if t == timeType {
			return v, false
		}
		var out reflect.Value
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			nf, changed := sanitise(v.Field(i), MultiLine(t, f.Name))
			if !changed {
				continue
			}
			if !out.IsValid() {
				out = reflect.New(t).Elem()
				out.Set(v)
			}
			out.Field(i).Set(nf)
		}
		if out.IsValid() {
			return out, true
		}
		return v, false
	case reflect.Slice, reflect.Array:
		var out reflect.Value
		for i := range v.Len() {
			ne, changed := sanitise(v.Index(i), multi)
			if !changed {
				continue
			}
			if !out.IsValid() {
				if v.Kind() == reflect.Slice {
					out = reflect.MakeSlice(v.Type(), v.Len(), v.Len())
					reflect.Copy(out, v)
				} else {
					out = reflect.New(v.Type()).Elem()
					out.Set(v)
				}
			}
			out.Index(i).Set(ne)
		}
		if out.IsValid() {
			return out, true
		}
		return v, false
	case reflect.Pointer:
		if v.IsNil() {
			return v, false
		}
		ne, changed := sanitise(v.Elem(), multi)
		if !changed {
			return v, false
		}
		p := reflect.New(v.Type().Elem())
		p.Elem().Set(ne)
		return p, true
	case reflect.Map:
		if v.IsNil() {
			return v, false
		}
		changed := false
		type kv struct{ k, v reflect.Value }
		entries := make([]kv, 0, v.Len())
		for it := v.MapRange(); it.Next(); {
			nk, kc := sanitise(it.Key(), false)
			nv, vc := sanitise(it.Value(), multi)
			changed = changed || kc || vc
			entries = append(entries, kv{nk, nv})
		}
		if !changed {
			return v, false
		}
		out := reflect.MakeMapWithSize(v.Type(), len(entries))
		for _, e := range entries {
			out.SetMapIndex(e.k, e.v)
		}
		return out, true
	case reflect.Interface:
		if v.IsNil() {
			return v, false
		}
		ne, changed := sanitise(v.Elem(), multi)
		if !changed {
			return v, false
		}
		out := reflect.New(v.Type()).Elem()
		out.Set(ne)
		return out, true
	}
	return v, false
}
