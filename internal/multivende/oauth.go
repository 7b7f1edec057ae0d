package multivende

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"github.com/folio-cl/folio/internal/i18n"
)

// PKCE is a proof key for the authorization code flow (S256).
type PKCE struct {
	Verifier  string
	Challenge string
}

// NewPKCE makes a random verifier (43 characters) and its S256 challenge.
func NewPKCE() PKCE {
	v := randomString(32)
	sum := sha256.Sum256([]byte(v))
	return PKCE{Verifier: v, Challenge: base64.RawURLEncoding.EncodeToString(sum[:])}
}

// NewState returns a random OAuth state value (128 bits); check it when
// the person comes back.
func NewState() string { return randomString(16) }

func randomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (it aborts the program instead)
	return base64.RawURLEncoding.EncodeToString(b)
}

// AuthorizeURL is the link a person opens to grant folio every permission
// in Scopes: GET {base}/apps/authorize with response_type=code, client_id,
// redirect_uri, scope (space-separated), state, and the PKCE S256
// challenge when pkce is not nil.
func (c *Client) AuthorizeURL(redirectURI, state string, pkce *PKCE) string {
	q := url.Values{}
	q.Set("response_type", "code")
	q.Set("client_id", c.cfg.ClientID)
	q.Set("redirect_uri", redirectURI)
	q.Set("scope", strings.Join(Scopes, " "))
	q.Set("state", state)
	if pkce != nil {
		q.Set("code_challenge", pkce.Challenge)
		q.Set("code_challenge_method", "S256")
	}
	return c.cfg.BaseURL + "/apps/authorize?" + q.Encode()
}

// tokenRequest is Multivende's JSON token body (not the form of standard
// OAuth2, hence no oauth2.Config here).
type tokenRequest struct {
	ClientID     clientID `json:"client_id"`
	ClientSecret string   `json:"client_secret"`
	GrantType    string   `json:"grant_type"`
	Code         string   `json:"code,omitempty"`
	RefreshToken string   `json:"refresh_token,omitempty"`
	RedirectURI  string   `json:"redirect_uri,omitempty"`  // uncertain, see uncertain.go
	CodeVerifier string   `json:"code_verifier,omitempty"` // uncertain, see uncertain.go
}

func (c *Client) token(ctx context.Context, op string, tr tokenRequest) (Token, error) {
	tr.ClientID, tr.ClientSecret = clientID(c.cfg.ClientID), c.cfg.ClientSecret
	body, err := json.Marshal(tr)
	if err != nil {
		return Token{}, &Error{Code: CodeBadRequest, Op: op, Msg: i18n.M("mv.encoding_request"), Err: err}
	}
	b, err := c.do(ctx, request{op: op, method: http.MethodPost, path: "/oauth/access-token", body: body,
		contentType: "application/json", oauth: true})
	if err != nil {
		return Token{}, err
	}
	var t Token
	if err := json.Unmarshal(b, &t); err != nil {
		return Token{}, &Error{Code: CodeDecode, Op: op, Msg: i18n.M("mv.token_unreadable"), Err: redactedErr(err)}
	}
	if t.Token == "" {
		return Token{}, &Error{Code: CodeDecode, Op: op, Msg: i18n.M("mv.token_missing")}
	}
	return t, nil
}

// clientID is written as a JSON number when it is all digits (Multivende's
// client ids are 12-digit numbers; see sendClientIDAsNumber), else as a string.
type clientID string

func (id clientID) MarshalJSON() ([]byte, error) {
	s := string(id)
	digits := sendClientIDAsNumber && len(s) > 0 && len(s) <= 15 && (s == "0" || s[0] != '0')
	for _, r := range s {
		digits = digits && r >= '0' && r <= '9'
	}
	if digits {
		return []byte(s), nil
	}
	return json.Marshal(s)
}

// redactedErr keeps a JSON error's text without the value it quotes (a
// json.UnmarshalTypeError may quote part of a token).
func redactedErr(err error) error { return fmt.Errorf("%s", redactSecrets(err.Error(), true)) }

// Exchange trades an authorization code for tokens (POST
// /oauth/access-token, grant_type authorization_code). verifier is the PKCE
// verifier, or "" when the authorize URL had no challenge.
func (c *Client) Exchange(ctx context.Context, code, redirectURI, verifier string) (Token, error) {
	tr := tokenRequest{GrantType: "authorization_code", Code: code}
	if sendRedirectURI {
		tr.RedirectURI = redirectURI
	}
	if sendCodeVerifier {
		tr.CodeVerifier = verifier
	}
	if code == "" {
		return Token{}, &Error{Code: CodeBadRequest, Op: "exchange code", Msg: i18n.M("mv.code_empty")}
	}
	return c.token(ctx, "exchange code", tr)
}

// Refresh trades a refresh token for new tokens (grant_type
// refresh_token). Multivende may rotate the refresh token: keep the one it
// returns. A refusal (4xx other than 429) means a person must connect again:
// it fails with MV-NEEDS-RECONNECT.
func (c *Client) Refresh(ctx context.Context, refreshToken string) (Token, error) {
	if refreshToken == "" {
		return Token{}, &Error{Code: CodeNeedsReconnect, Op: "refresh token", Msg: i18n.M("mv.no_refresh")}
	}
	t, err := c.token(ctx, "refresh token", tokenRequest{GrantType: "refresh_token", RefreshToken: refreshToken})
	if e, ok := AsError(err); ok && e.Status >= 400 && e.Status < 500 && e.Status != http.StatusTooManyRequests {
		e.Code = CodeNeedsReconnect
	}
	return t, err
}

// DefaultRefreshMargin is how long before expiry a TokenSource refreshes.
const DefaultRefreshMargin = 5 * time.Minute

// refreshTimeout bounds one refresh. It runs detached from the caller that
// started it, so a caller giving up cannot cut a refresh whose reply
// carries the only valid (rotated) refresh token.
const refreshTimeout = 30 * time.Second

// TokenSource hands out the access token, refreshing it ahead of expiry.
// Concurrent callers share one refresh. Each new token goes to the callback
// (the store persists it) before anyone uses it. It implements
// oauth2.TokenSource; the Client also calls TokenContext and Invalidate.
type TokenSource struct {
	c      *Client
	margin time.Duration
	onNew  func(Token) error
	now    func() time.Time

	mu       sync.Mutex
	tok      Token
	lifetime time.Duration // of tok as received here; 0: unknown (loaded from the store)
	stale    bool          // Multivende refused tok: refresh before using it again
	unsaved  bool          // onNew failed for tok
	flight   *flight       // the refresh under way, if any

	retryWait func(try int) time.Duration // pause before refresh try+1; tests shorten it
}

// refreshTries is how many times one refresh is sent with the same refresh
// token when its reply is lost (a reset, a timeout, a 5xx): the token
// folio holds is still good unless Multivende read the request and rotated
// it, and only a clear refusal means a person must connect again.
const refreshTries = 3

func defaultRefreshWait(try int) time.Duration { return time.Duration(try) * time.Second }

type flight struct {
	done chan struct{}
	tok  Token
	err  error
}

// NewTokenSource wraps tok. margin is how long before expiry to refresh
// (0: DefaultRefreshMargin); for a token whose lifetime is known to be
// shorter, half its lifetime. onNew, if not nil, receives every new token
// before it is used; if it fails, the caller gets the error and the next
// call tries to save again.
func (c *Client) NewTokenSource(tok Token, margin time.Duration, onNew func(Token) error) *TokenSource {
	if margin <= 0 {
		margin = DefaultRefreshMargin
	}
	return &TokenSource{c: c, margin: margin, onNew: onNew, now: time.Now, tok: tok, retryWait: defaultRefreshWait}
}

// Current returns the token held now, without refreshing.
func (ts *TokenSource) Current() Token {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.tok
}

// Token implements oauth2.TokenSource.
func (ts *TokenSource) Token() (*oauth2.Token, error) {
	return ts.TokenContext(context.Background())
}

// TokenContext returns a valid access token, refreshing first when it
// expires within the margin. ctx bounds how long this caller waits, not
// the refresh itself.
func (ts *TokenSource) TokenContext(ctx context.Context) (*oauth2.Token, error) {
	ts.mu.Lock()
	if ts.freshLocked() {
		tok, unsaved := ts.tok, ts.unsaved
		ts.mu.Unlock()
		if unsaved {
			if err := ts.save(tok); err != nil {
				return nil, err
			}
		}
		return oauthToken(tok), nil
	}
	f := ts.flight
	if f == nil {
		if ts.tok.RefreshToken == "" {
			ts.mu.Unlock()
			return nil, &Error{Code: CodeNeedsReconnect, Op: "refresh token", Msg: i18n.M("mv.no_refresh")}
		}
		if exp := ts.tok.RefreshTokenExpiresAt; !exp.IsZero() && !ts.now().Before(exp) {
			ts.mu.Unlock()
			return nil, &Error{Code: CodeNeedsReconnect, Op: "refresh token",
				Msg: i18n.M("mv.refresh_expired", exp.UTC().Format(time.RFC3339))}
		}
		f = &flight{done: make(chan struct{})}
		ts.flight = f
		go ts.refresh(context.WithoutCancel(ctx), f, ts.tok.RefreshToken)
	}
	ts.mu.Unlock()
	select {
	case <-f.done:
		if f.err != nil {
			return nil, f.err
		}
		return oauthToken(f.tok), nil
	case <-ctx.Done():
		return nil, &Error{Code: CodeTimeout, Op: "refresh token", Msg: i18n.M("mv.refresh_gave_up"), Err: ctx.Err()}
	}
}

// freshLocked: tok can be used now.
func (ts *TokenSource) freshLocked() bool {
	if ts.tok.Token == "" || ts.stale {
		return false
	}
	if ts.tok.ExpiresAt.IsZero() {
		return true // no expiry given: use it until Multivende refuses it
	}
	m := ts.margin
	if ts.lifetime > 0 && ts.lifetime/2 < m {
		m = ts.lifetime / 2 // short-lived tokens: do not refresh on every call
	}
	return ts.now().Add(m).Before(ts.tok.ExpiresAt)
}

// refresh runs one refresh for everyone waiting on f.
func (ts *TokenSource) refresh(ctx context.Context, f *flight, refreshToken string) {
	ctx, cancel := context.WithTimeout(ctx, refreshTimeout)
	defer cancel()
	t, err := ts.c.Refresh(ctx, refreshToken)
	for try := 1; try < refreshTries && err != nil; try++ {
		if e, ok := AsError(err); !ok || !e.Retryable() {
			break
		}
		select {
		case <-ctx.Done():
		case <-time.After(ts.retryWait(try)):
			t, err = ts.c.Refresh(ctx, refreshToken)
			continue
		}
		break
	}
	// Saved before anyone uses it: with rotation it is the only valid one.
	var saveErr error
	if err == nil && ts.onNew != nil {
		saveErr = ts.onNew(t)
	}
	ts.mu.Lock()
	if err == nil {
		// Keep the new token even if saving failed: with rotation it is the
		// only valid one now.
		ts.tok, ts.stale, ts.unsaved = t, false, saveErr != nil
		ts.lifetime = t.ExpiresAt.Sub(ts.now())
		if ts.lifetime <= 0 {
			ts.lifetime = 0
		}
		f.tok = t
	}
	f.err = err
	if saveErr != nil {
		f.err = saveError(saveErr)
	}
	ts.flight = nil
	ts.mu.Unlock()
	close(f.done)
}

// save retries persisting a token whose first save failed.
func (ts *TokenSource) save(t Token) error {
	if ts.onNew == nil {
		return nil
	}
	if err := ts.onNew(t); err != nil {
		return saveError(err)
	}
	ts.mu.Lock()
	if ts.tok.Token == t.Token {
		ts.unsaved = false
	}
	ts.mu.Unlock()
	return nil
}

func saveError(err error) error {
	return fmt.Errorf("multivende: saving the refreshed token: %w", err)
}

// Invalidate drops accessToken after Multivende refused it (401), so the
// next call refreshes. It reports whether a refresh may help.
func (ts *TokenSource) Invalidate(accessToken string) bool {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.tok.Token == accessToken {
		ts.stale = true
	}
	return ts.tok.RefreshToken != ""
}

func oauthToken(t Token) *oauth2.Token {
	// The refresh token stays inside: callers need only the access token.
	return &oauth2.Token{AccessToken: t.Token, TokenType: "Bearer", Expiry: t.ExpiresAt}
}
