package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/shcr-project/shcr/client"
	"github.com/shcr-project/shcr/client/auth"
	"github.com/shcr-project/shcr/config"
	"github.com/shcr-project/shcr/internal/demo"
	"github.com/shcr-project/shcr/internal/purpose"
	"github.com/shcr-project/shcr/tui"
	"github.com/shcr-project/shcr/views/vocab"
)

// loginShot renders the sign-in panel: the demo council signs in with the device grant at a
// stand-in device authorization endpoint on loopback (it hands out one invented code and
// answers "authorization_pending" for ever), through the real sign-in manager.
func loginShot(dir string, w, h int, srv *demo.Servers, user config.User) error {
	mux := http.NewServeMux()
	mux.HandleFunc("/device", func(rw http.ResponseWriter, _ *http.Request) {
		rw.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(rw).Encode(map[string]any{
			"device_code": "demo-device-code", "user_code": "WDJB-MJHT",
			"verification_uri":          "https://sign-in.example-council.org.uk/device",
			"verification_uri_complete": "https://sign-in.example-council.org.uk/device?user_code=WDJB-MJHT",
			"expires_in":                300, "interval": 5,
		})
	})
	mux.HandleFunc("/token", func(rw http.ResponseWriter, _ *http.Request) {
		rw.Header().Set("Content-Type", "application/json")
		rw.WriteHeader(http.StatusBadRequest)
		_, _ = rw.Write([]byte(`{"error":"authorization_pending"}`))
	})
	ts := httptest.NewServer(mux)
	defer ts.Close()

	var backends []config.Backend
	for _, b := range srv.Config() {
		if b.Name == demo.NameCouncil {
			b.Auth = config.Auth{Type: config.AuthDevice, ClientID: "shcr", Issuer: ts.URL,
				TokenURL: ts.URL + "/token", DeviceURL: ts.URL + "/device"}
		}
		backends = append(backends, b)
	}
	cfg := config.Config{User: user, Backends: backends}
	signIn := auth.NewManager(cfg, config.NewMemoryKeyring(), auth.Options{})
	fed, err := client.NewFederation(backends, client.Options{Tokens: signIn.TokenSource, User: user,
		Now: func() time.Time { return demo.ReferenceDate }})
	if err != nil {
		return err
	}
	preset, err := purpose.Resolve(purpose.Inputs{Demo: true})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	m, err := tui.New(ctx, tui.Options{Federation: fed, Config: cfg, Vocabulary: vocab.Health(), Purpose: preset,
		Clock: func() time.Time { return demo.ReferenceDate }, SignIn: signIn, SignOut: signIn.LogoutAll,
		SignedIn: func() string {
			if id, ok := signIn.SignedIn(); ok {
				return id.String()
			}
			return ""
		}})
	if err != nil {
		return err
	}
	d := driver{m: m}
	d.send(tea.WindowSizeMsg{Width: w, Height: h})
	m.Init() // focuses the search field; its timers (idle lock, cursor) are not run
	for _, r := range marchbank {
		d.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
	d.send(tea.KeyMsg{Type: tea.KeyEnter})
	// The panel's countdown ticks for as long as the code lives: run its commands for a
	// moment only (long enough for the prompt to arrive).
	var cmd tea.Cmd
	d.m, cmd = d.m.Update(tea.KeyMsg{Type: tea.KeyCtrlL})
	runFor(&d, cmd, 3*time.Second)
	path := filepath.Join(dir, "login.svg")
	if err := os.WriteFile(path, []byte(toSVG(d.m.View(), w, h)), 0o644); err != nil {
		return err
	}
	fmt.Println(path)
	d.m.Update(tea.KeyMsg{Type: tea.KeyEscape}) // cancels the sign-in
	d.m.Update(tea.KeyMsg{Type: tea.KeyCtrlC})
	return nil
}

// runFor is driver.run that stops after d: messages that arrive later are dropped.
func runFor(d *driver, cmd tea.Cmd, limit time.Duration) {
	deadline := time.Now().Add(limit)
	queue := []tea.Cmd{cmd}
	for len(queue) > 0 && time.Now().Before(deadline) {
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		ch := make(chan tea.Msg, 1)
		go func() { ch <- c() }()
		var msg tea.Msg
		select {
		case msg = <-ch:
		case <-time.After(time.Until(deadline)):
			return
		}
		switch msg := msg.(type) {
		case nil:
		case tea.BatchMsg:
			queue = append(queue, msg...)
		default:
			var next tea.Cmd
			d.m, next = d.m.Update(msg)
			queue = append(queue, next)
		}
	}
}
