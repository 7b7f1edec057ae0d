package multivende

import (
	"net/url"
	"regexp"
	"strings"

	"github.com/folio-cl/folio/internal/httplog"
)

// Exchange is one HTTP call as the HTTP log records it. Secrets are already
// redacted: the Authorization header is never part of it, and token, client
// secret and authorization-code values are replaced in the URL and bodies.
type Exchange = httplog.Exchange

// LogBodyMax is how much of each body an Exchange keeps.
const LogBodyMax = httplog.BodyMax

const redacted = httplog.Redacted

// secretKeys name values that are secret wherever they appear.
var secretKeys = []string{"token", "accessToken", "access_token", "refreshToken", "refresh_token",
	"client_secret", "clientSecret", "code_verifier"}

// oauthKeys are secret only in OAuth bodies: elsewhere "code" is an order,
// SKU or folio code, which the log should show.
var oauthKeys = []string{"code"}

// queryKeys are redacted from URLs (no API call puts a "code" in its query).
var queryKeys = append(append([]string{}, secretKeys...), oauthKeys...)

func jsonKeyRE(keys []string) *regexp.Regexp {
	// A JSON string value, escapes included, so an escaped quote cannot end it early.
	return regexp.MustCompile(`"(` + strings.Join(keys, "|") + `)"(\s*:\s*)"(?:[^"\\]|\\.)*"`)
}

func formKeyRE(keys []string) *regexp.Regexp {
	return regexp.MustCompile(`(^|[?&\s])(` + strings.Join(keys, "|") + `)=[^&\s"]*`)
}

var (
	secretJSON = jsonKeyRE(secretKeys)
	oauthJSON  = jsonKeyRE(oauthKeys)
	secretForm = formKeyRE(secretKeys)
	oauthForm  = formKeyRE(oauthKeys)
	bearerRE   = regexp.MustCompile(`(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+`)
)

// redactBody returns b fit for the log: secrets replaced first, then cut to
// LogBodyMax, so a cut can never leave half a secret behind. File uploads
// are described, not copied.
func redactBody(b []byte, oauth bool, contentType string) string {
	return httplog.Body(b, contentType, func(s string) string { return redactSecrets(s, oauth) })
}

// redactSecrets replaces every secret value in JSON, form-encoded or plain
// text (a Bearer header echoed back).
func redactSecrets(s string, oauth bool) string {
	// Each regexp runs only when its key can be there: most bodies (a page
	// of checkouts) carry none, and the scan is far cheaper than the match.
	if containsAny(s, secretJSONNeedles) {
		s = secretJSON.ReplaceAllString(s, `"$1"$2"`+redacted+`"`)
	}
	if containsAny(s, secretFormNeedles) {
		s = secretForm.ReplaceAllString(s, `$1$2=`+redacted)
	}
	if oauth && strings.Contains(s, `"code"`) {
		s = oauthJSON.ReplaceAllString(s, `"$1"$2"`+redacted+`"`)
	}
	if oauth && strings.Contains(s, "code=") {
		s = oauthForm.ReplaceAllString(s, `$1$2=`+redacted)
	}
	return redactText(s)
}

var (
	secretJSONNeedles = quoted(secretKeys)
	// "token=" also finds access_token= and refresh_token=.
	secretFormNeedles = []string{"token=", "Token=", "secret=", "Secret=", "verifier="}
)

func quoted(keys []string) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = `"` + k + `"`
	}
	return out
}

func containsAny(s string, needles []string) bool {
	for _, n := range needles {
		if strings.Contains(s, n) {
			return true
		}
	}
	return false
}

// redactText hides bearer tokens in free text such as a Go error message.
func redactText(s string) string {
	if !containsAny(s, []string{"earer", "EARER"}) {
		return s
	}
	return bearerRE.ReplaceAllString(s, "${1}"+redacted)
}

// redactURL replaces secret query values.
func redactURL(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return redactSecrets(u, true)
	}
	if p.User != nil {
		p.User = url.User(redacted)
	}
	if p.RawQuery == "" {
		return p.String()
	}
	q := p.Query()
	for _, k := range queryKeys {
		if q.Has(k) {
			q.Set(k, redacted)
		}
	}
	p.RawQuery = q.Encode()
	return p.String()
}
