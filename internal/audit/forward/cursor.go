package forward

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// State is a sink's cursor file: how far delivery has gone and how it last went. It holds no
// event content.
type State struct {
	Sink          string    `json:"sink"`
	Offset        int64     `json:"offset"`    // bytes of the trail delivered (or skipped as damaged)
	Delivered     int64     `json:"delivered"` // events accepted by the sink, all time
	Skipped       int       `json:"skipped,omitempty"`
	LastDelivered time.Time `json:"last_delivered,omitzero"`
	LastError     string    `json:"last_error,omitempty"`
	LastErrorAt   time.Time `json:"last_error_at,omitzero"`
	// Busy is set (not saved) while another process is sending to this sink: this one waits.
	Busy bool `json:"-"`
}

// CursorPath is the cursor file of the sink named sink for the trail at path: beside the
// trail, named after the sink (readable, plus a hash so that two sinks never share one).
func CursorPath(path, sink string) string {
	var b strings.Builder
	for _, r := range sink {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
		if b.Len() >= 48 {
			break
		}
	}
	h := sha256.Sum256([]byte(sink))
	return path + ".forward-" + strings.Trim(b.String(), "-") + "-" + hex.EncodeToString(h[:4]) + ".cursor"
}

// ReadState reads a sink's cursor (zero State when it has never sent anything).
func ReadState(path, sink string) (State, error) {
	st, err := readCursor(CursorPath(path, sink))
	st.Sink = sink
	return st, err
}

func readCursor(p string) (State, error) {
	var st State
	b, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return st, fmt.Errorf("audit forward cursor: %w", err)
	}
	if err := json.Unmarshal(b, &st); err != nil || st.Offset < 0 {
		return State{}, fmt.Errorf("audit forward cursor %s is damaged; remove it to send the whole trail again (the sink drops copies by id)", p)
	}
	return st, nil
}

// writeCursor replaces the cursor file atomically: a temporary file, fsync'd, renamed over
// it, and the directory fsync'd.
func writeCursor(p string, st State) error {
	b, err := json.Marshal(st)
	if err != nil {
		return err
	}
	b = append(b, '\n')
	dir := filepath.Dir(p)
	tmp, err := os.CreateTemp(dir, filepath.Base(p)+".tmp-*")
	if err != nil {
		return fmt.Errorf("audit forward cursor: %w", err)
	}
	name := tmp.Name()
	ok := false
	defer func() {
		if !ok {
			_ = tmp.Close()
			_ = os.Remove(name)
		}
	}()
	if err := tmp.Chmod(0o600); err != nil {
		return fmt.Errorf("audit forward cursor: %w", err)
	}
	if _, err := tmp.Write(b); err != nil {
		return fmt.Errorf("audit forward cursor: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("audit forward cursor: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("audit forward cursor: %w", err)
	}
	if err := os.Rename(name, p); err != nil {
		return fmt.Errorf("audit forward cursor: %w", err)
	}
	ok = true
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}

// Sending reports whether a running shcr is sending the trail at path to the sink now (it holds
// the sink's lock).
func Sending(path, sink string) bool {
	unlock, err := lockCursor(CursorPath(path, sink) + ".lock")
	if err != nil {
		return errors.Is(err, ErrBusy)
	}
	unlock()
	return false
}
