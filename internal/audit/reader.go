package audit

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/shcr-project/shcr/internal/nhsnumber"
)

// Filter selects events. Zero fields select everything.
type Filter struct {
	Since     time.Time // events at or after this instant
	NHSNumber string    // events about this person (spaces allowed)
}

func (f Filter) match(e Event) bool {
	if !f.Since.IsZero() && e.Time.Before(f.Since) {
		return false
	}
	if f.NHSNumber != "" && e.NHSNumber != nhsnumber.Normalise(f.NHSNumber) {
		return false
	}
	return true
}

// LineError is a line of the audit trail that is not a whole event, typically the line being
// written when shcr was killed or the machine lost power.
type LineError struct {
	Line int // 1-based
	Err  error
}

func (e *LineError) Error() string {
	return fmt.Sprintf("line %d is damaged and was skipped (probably cut short by a crash while it was written): %v", e.Line, e.Err)
}

func (e *LineError) Unwrap() error { return e.Err }

// maxLine caps one line; a longer one is reported damaged rather than read into memory.
const maxLine = 1 << 20

// Read reads the audit trail at path and returns the events matching f in file order, the
// damaged lines it skipped, and an error only if the file cannot be read at all (a missing
// file gives an error wrapping fs.ErrNotExist).
func Read(path string, f Filter) ([]Event, []error, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer file.Close()
	return read(file, f)
}

func read(r io.Reader, f Filter) ([]Event, []error, error) {
	var (
		events []Event
		bad    []error
		br     = bufio.NewReaderSize(r, 64*1024)
	)
	for n := 1; ; n++ {
		line, tooLong, err := readLine(br)
		if err != nil && !errors.Is(err, io.EOF) {
			return events, bad, err
		}
		if len(line) == 0 && errors.Is(err, io.EOF) && !tooLong {
			break
		}
		switch {
		case tooLong:
			bad = append(bad, &LineError{Line: n, Err: fmt.Errorf("longer than %d bytes", maxLine)})
		case len(bytes.TrimSpace(line)) == 0:
			// A blank line carries no event; the writer never makes one.
		default:
			e, perr := parseLine(line)
			if perr != nil {
				bad = append(bad, &LineError{Line: n, Err: perr})
			} else if f.match(e) {
				events = append(events, e)
			}
		}
		if errors.Is(err, io.EOF) {
			break
		}
	}
	return events, bad, nil
}

// readLine returns the next line without its newline; tooLong is set (and the rest of the
// line discarded) when it exceeds maxLine.
func readLine(br *bufio.Reader) (line []byte, tooLong bool, err error) {
	for {
		chunk, isPrefix, err := br.ReadLine()
		if len(line)+len(chunk) > maxLine {
			tooLong = true
			line = nil
		} else if !tooLong {
			line = append(line, chunk...)
		}
		if err != nil || !isPrefix {
			return line, tooLong, err
		}
	}
}

func parseLine(b []byte) (Event, error) {
	var e Event
	if err := json.Unmarshal(b, &e); err != nil {
		return Event{}, fmt.Errorf("not a whole JSON event: %v", err)
	}
	if e.Time.IsZero() {
		return Event{}, errors.New("no time")
	}
	if e.Event == "" {
		return Event{}, errors.New("no event kind")
	}
	return e, nil
}
