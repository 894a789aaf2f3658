package auth

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"golang.org/x/oauth2"

	"github.com/shcr-project/shcr/config"
)

// session is what shcr keeps in the keyring for one signed-in back end. It is JSON in the
// keyring; it is never logged or printed.
type session struct {
	Backend      string    `json:"backend"`
	Issuer       string    `json:"issuer"`
	ClientID     string    `json:"client_id"`
	AccessToken  string    `json:"access_token"`
	TokenType    string    `json:"token_type,omitempty"`
	RefreshToken string    `json:"refresh_token,omitempty"`
	Expiry       time.Time `json:"expiry"`
	Identity     Identity  `json:"identity"`
}

func (s *session) token() *oauth2.Token {
	return &oauth2.Token{
		AccessToken:  s.AccessToken,
		TokenType:    s.TokenType,
		RefreshToken: s.RefreshToken,
		Expiry:       s.Expiry,
	}
}

// setToken records a new token; a refresh response without a refresh token keeps the old one
// (RFC 6749 §6).
func (s *session) setToken(t *oauth2.Token) {
	s.AccessToken = t.AccessToken
	s.TokenType = t.TokenType
	if t.RefreshToken != "" {
		s.RefreshToken = t.RefreshToken
	}
	s.Expiry = t.Expiry
}

// expiryMargin: a token this close to expiry counts as expired, so a request does not race
// the expiry on its way to the server.
const expiryMargin = 30 * time.Second

func (s *session) validAt(now time.Time) bool {
	if s.AccessToken == "" {
		return false
	}
	return s.Expiry.IsZero() || now.Add(expiryMargin).Before(s.Expiry)
}

// sessionStore keeps sessions in the keyring. Keys:
//
//	session/<back end>/<issuer>/<client id>/<user sub>  → the session JSON
//	current/<back end>                                  → the key of the session in use
//
// so a shared PC finds the member of staff signed in now, and a sign-out removes theirs.
type sessionStore struct {
	kr *config.Keyring
}

func sessionKey(backend, issuer, clientID, user string) string {
	return fmt.Sprintf("session/%s/%s/%s/%s", backend, issuer, clientID, user)
}

func currentKey(backend string) string { return "current/" + backend }

// load returns the back end's current session, or nil when there is none.
func (st sessionStore) load(backend string) (*session, error) {
	key, err := st.kr.Get(currentKey(backend))
	if errors.Is(err, config.ErrSecretNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	raw, err := st.kr.Get(key)
	if errors.Is(err, config.ErrSecretNotFound) {
		_ = st.kr.Delete(currentKey(backend)) // dangling index
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var s session
	if err := json.Unmarshal([]byte(raw), &s); err != nil || s.Backend != backend {
		// Unreadable: drop it rather than fail every request. The error text never
		// includes the secret.
		_ = st.kr.Delete(key)
		_ = st.kr.Delete(currentKey(backend))
		return nil, nil
	}
	return &s, nil
}

// save stores the session and makes it the back end's current one. A different user's
// earlier session for the same back end is removed (shared PCs: the next member of staff).
func (st sessionStore) save(s *session) error {
	raw, err := json.Marshal(s)
	if err != nil {
		return err
	}
	key := sessionKey(s.Backend, s.Issuer, s.ClientID, s.Identity.Subject)
	if old, err := st.kr.Get(currentKey(s.Backend)); err == nil && old != key {
		_ = st.kr.Delete(old)
	}
	if err := st.kr.Set(key, string(raw)); err != nil {
		return err
	}
	return st.kr.Set(currentKey(s.Backend), key)
}

// remove deletes the back end's current session and its index entry.
func (st sessionStore) remove(backend string) error {
	key, err := st.kr.Get(currentKey(backend))
	if err == nil {
		if err := st.kr.Delete(key); err != nil {
			return err
		}
	} else if !errors.Is(err, config.ErrSecretNotFound) {
		return err
	}
	return st.kr.Delete(currentKey(backend))
}
