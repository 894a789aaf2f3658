package main

import "time"

// digits2 holds "00" to "99": two digits of a date or time in one copy.
const digits2 = "00010203040506070809101112131415161718192021222324252627282930313233343536373839" +
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879" +
	"8081828384858687888990919293949596979899"

// appendRFC3339Nano appends t as time.Time's AppendText (and so MarshalJSON) writes it,
// RFC 3339 with nanoseconds, their trailing zeros dropped, "Z" for a zero offset and a
// zone offset's seconds dropped, without the time package's general formatter. ok is false,
// and b as it was, for what AppendText refuses (a year outside 0-9999, a zone offset of 24
// hours or more): the caller then asks AppendText. TestAppendRFC3339NanoIsAppendText holds
// the two to the same bytes.
func appendRFC3339Nano(b []byte, t time.Time) ([]byte, bool) {
	_, offset := t.Zone()
	if offset <= -24*3600 || offset >= 24*3600 {
		return b, false
	}
	sec := t.Unix() + int64(offset)
	days := sec / 86400
	if sec%86400 < 0 {
		days--
	}
	clock := int(sec - days*86400)
	// The civil date of a day count from 1970-01-01 (H. Hinnant's civil_from_days), counted
	// from -0400-03-01 (one 400-year era early, so that year 0 is in range).
	z := days + 719468 + 146097
	if z < 0 || z >= 146097*26 { // before -0400-03-01 or after 10000-02-29
		return b, false
	}
	era := z / 146097
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	year := yoe + era*400 - 400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	day := doy - (153*mp+2)/5 + 1
	month := mp + 3
	if mp >= 10 {
		month = mp - 9
		year++
	}
	if year < 0 || year > 9999 {
		return b, false
	}
	hh, mm, ss := clock/3600, clock/60%60, clock%60
	b = append(b,
		digits2[2*(year/100)], digits2[2*(year/100)+1], digits2[2*(year%100)], digits2[2*(year%100)+1], '-',
		digits2[2*month], digits2[2*month+1], '-',
		digits2[2*day], digits2[2*day+1], 'T',
		digits2[2*hh], digits2[2*hh+1], ':',
		digits2[2*mm], digits2[2*mm+1], ':',
		digits2[2*ss], digits2[2*ss+1])
	if ns := t.Nanosecond(); ns != 0 {
		var f [10]byte
		f[0] = '.'
		for i := 9; i >= 1; i-- {
			f[i] = byte('0' + ns%10)
			ns /= 10
		}
		n := 10
		for f[n-1] == '0' {
			n--
		}
		b = append(b, f[:n]...)
	}
	if offset == 0 {
		return append(b, 'Z'), true
	}
	zone := offset / 60 // minutes, the seconds dropped (toward zero) as the time package does
	sign := byte('+')
	if zone < 0 {
		sign, zone = '-', -zone
	}
	return append(b, sign, digits2[2*(zone/60)], digits2[2*(zone/60)+1], ':', digits2[2*(zone%60)], digits2[2*(zone%60)+1]), true
}
