package multivende

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
)

// PKCE is a proof key for the authorization code flow (S256).
type PKCE struct {
	Verifier  string
	Challenge string
}

// NewPKCE makes a random verifier and its S256 challenge.
func NewPKCE() PKCE {
	v := randomString(32)
	sum := sha256.Sum256([]byte(v))
	return PKCE{Verifier: v, Challenge: base64.RawURLEncoding.EncodeToString(sum[:])}
}

// NewState returns a random OAuth state value.
func NewState() string { return randomString(18) }

func randomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b)
}

// AuthorizeURL is the link a person opens to grant folio every permission.
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
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
	GrantType    string `json:"grant_type"`
	Code         string `json:"code,omitempty"`
	RefreshToken string `json:"refresh_token,omitempty"`
	RedirectURI  string `json:"redirect_uri,omitempty"`
	CodeVerifier string `json:"code_verifier,omitempty"`
}

func (c *Client) token(ctx context.Context, op string, tr tokenRequest) (Token, error) {
	tr.ClientID, tr.ClientSecret = c.cfg.ClientID, c.cfg.ClientSecret
	body, _ := json.Marshal(tr)
	b, err := c.do(ctx, request{op: op, method: http.MethodPost, path: "/oauth/access-token", body: body,
		contentType: "application/json", secretBody: true})
	if err != nil {
		return Token{}, err
	}
	var t Token
	if err := json.Unmarshal(b, &t); err != nil || t.Token == "" {
		return Token{}, &Error{Code: CodeDecode, Op: op, Message: "the token reply has no token", Err: err}
	}
	return t, nil
}

// Exchange trades an authorization code for tokens.
func (c *Client) Exchange(ctx context.Context, code, redirectURI, verifier string) (Token, error) {
	return c.token(ctx, "exchange code", tokenRequest{GrantType: "authorization_code", Code: code, RedirectURI: redirectURI, CodeVerifier: verifier})
}

// Refresh trades a refresh token for new tokens. A refused refresh means a
// person must connect again: it fails with CodeNeedsReconnect.
func (c *Client) Refresh(ctx context.Context, refreshToken string) (Token, error) {
	t, err := c.token(ctx, "refresh token", tokenRequest{GrantType: "refresh_token", RefreshToken: refreshToken})
	var e *Error
	if errors.As(err, &e) && e.Status >= 400 && e.Status < 500 && e.Status != http.StatusTooManyRequests {
		e.Code = CodeNeedsReconnect
	}
	return t, err
}

// TokenSource hands out the access token, refreshing it ahead of expiry.
// Concurrent callers share one refresh. Each new token goes to OnNew (the
// store persists it) before it is used.
type TokenSource struct {
	c      *Client
	margin time.Duration
	onNew  func(Token) error
	now    func() time.Time

	mu  sync.Mutex
	tok Token
}

// NewTokenSource wraps tok. margin is how long before expiry to refresh
// (default 5 min).
func (c *Client) NewTokenSource(tok Token, margin time.Duration, onNew func(Token) error) *TokenSource {
	if margin <= 0 {
		margin = 5 * time.Minute
	}
	return &TokenSource{c: c, margin: margin, onNew: onNew, now: time.Now, tok: tok}
}

// Current returns the token held now, without refreshing.
func (ts *TokenSource) Current() Token {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.tok
}

// Token implements oauth2.TokenSource.
func (ts *TokenSource) Token() (*oauth2.Token, error) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	now := ts.now()
	if ts.tok.Token != "" && now.Add(ts.margin).Before(ts.tok.ExpiresAt) {
		return &oauth2.Token{AccessToken: ts.tok.Token, TokenType: "Bearer", Expiry: ts.tok.ExpiresAt}, nil
	}
	if ts.tok.RefreshToken == "" || (!ts.tok.RefreshTokenExpiresAt.IsZero() && !now.Before(ts.tok.RefreshTokenExpiresAt)) {
		return nil, &Error{Code: CodeNeedsReconnect, Op: "refresh token", Message: "the refresh token expired; connect again"}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	t, err := ts.c.Refresh(ctx, ts.tok.RefreshToken)
	if err != nil {
		return nil, err
	}
	if ts.onNew != nil {
		if err := ts.onNew(t); err != nil {
			return nil, &Error{Code: CodeServer, Op: "refresh token", Message: "could not save the new token", Err: err}
		}
	}
	ts.tok = t
	return &oauth2.Token{AccessToken: t.Token, TokenType: "Bearer", Expiry: t.ExpiresAt}, nil
}
