package mvsim

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

var inputRE = regexp.MustCompile(`<input\s+([^>]*)>`)
var attrRE = regexp.MustCompile(`(\w+)(?:="([^"]*)")?`)

// Consent acts as the person at the consent page: it opens authorizeURL,
// keeps every permission checked, names the connection and answers "Sí". It
// returns the redirect the browser would follow (carrying code and state),
// without following it.
func Consent(ctx context.Context, hc *http.Client, authorizeURL, name string) (string, error) {
	return ConsentAs(ctx, hc, authorizeURL, name, "")
}

// ConsentAs is Consent by the person of one merchant (its id) on a server
// of several; "" keeps the merchant the page offers first.
func ConsentAs(ctx context.Context, hc *http.Client, authorizeURL, name, merchant string) (string, error) {
	if hc == nil {
		hc = http.DefaultClient
	}
	noFollow := *hc
	noFollow.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, authorizeURL, nil)
	if err != nil {
		return "", fmt.Errorf("consent page: %w", err)
	}
	resp, err := noFollow.Do(req)
	if err != nil {
		return "", fmt.Errorf("consent page: %w", err)
	}
	page, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("consent page: %s: %s", resp.Status, strings.TrimSpace(string(page)))
	}
	form := url.Values{}
	offered := map[string]bool{}
	for _, m := range inputRE.FindAllStringSubmatch(string(page), -1) {
		attrs := map[string]string{}
		for _, a := range attrRE.FindAllStringSubmatch(m[1], -1) {
			attrs[a[1]] = html.UnescapeString(a[2])
		}
		switch attrs["type"] {
		case "hidden":
			form.Set(attrs["name"], attrs["value"])
		case "checkbox":
			if _, checked := attrs["checked"]; checked {
				form.Add(attrs["name"], attrs["value"])
			}
		case "text":
			form.Set(attrs["name"], name)
		case "radio":
			offered[attrs["value"]] = true
			if _, checked := attrs["checked"]; checked {
				form.Set(attrs["name"], attrs["value"])
			}
		}
	}
	if len(form["permission"]) == 0 {
		return "", errors.New("consent page: no permissions listed")
	}
	if merchant != "" {
		if !offered[merchant] {
			return "", fmt.Errorf("consent page: merchant %s is not offered", merchant)
		}
		form.Set("merchant", merchant)
	}
	form.Set("decision", "yes")
	action, _ := url.Parse(authorizeURL)
	action.RawQuery = ""
	req, err = http.NewRequestWithContext(ctx, http.MethodPost, action.String(), strings.NewReader(form.Encode()))
	if err != nil {
		return "", fmt.Errorf("consent form: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err = noFollow.Do(req)
	if err != nil {
		return "", fmt.Errorf("consent form: %w", err)
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		return "", fmt.Errorf("consent form: %s: %s", resp.Status, strings.TrimSpace(string(body)))
	}
	return resp.Header.Get("Location"), nil
}
