// Package transport is the HTTP transport folio's service clients share
// (Multivende, LibreDTE, OpenFactura): one pool of kept-alive connections
// per host, large enough for every worker.
package transport

import (
	"net/http"
	"net/url"
	"sync"
	"time"
)

// IdlePerHost is how many idle connections to one host are kept. The
// standard library keeps 2: with more workers than that calling one
// service at once, every extra request closed its connection afterwards
// and the next dialled (and, against the real services, shook hands over
// TLS) again. It matches the most workers a config allows.
const IdlePerHost = 64

var shared = sync.OnceValue(func() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 4 * IdlePerHost
	t.MaxIdleConnsPerHost = IdlePerHost
	t.IdleConnTimeout = 90 * time.Second
	return t
})

// Shared is the process's one transport.
func Shared() *http.Transport { return shared() }

// Client returns an http.Client over the shared transport with timeout
// (0: none, the caller bounds each call by its context).
func Client(timeout time.Duration) *http.Client {
	return &http.Client{Transport: shared(), Timeout: timeout}
}

// IsWebURL says s is an http or https URL with a host: the one form a
// service's address (a base URL, a simulator, a public webhook base) may
// take.
func IsWebURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}
