package loopback

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/httptrace"
	"os"
	"strconv"
	"sync"
	"syscall"
)

// Transport is an http.RoundTripper that serves simulators' handlers in
// the caller's process, without sockets: each request runs its host's
// handler on a goroutine of its own, as a server would. Tests use it so the
// simulators can run inside a testing/synctest bubble, where a goroutine
// waiting on the network would keep fake time from moving.
type Transport struct {
	mu    sync.Mutex
	hosts map[string]http.Handler
}

// Handle serves requests for host (HOST or HOST:PORT, as in a URL) with h.
func (t *Transport) Handle(host string, h http.Handler) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.hosts == nil {
		t.hosts = map[string]http.Handler{}
	}
	t.hosts[host] = h
}

// Client is an http.Client over t, with no timeout of its own (the
// simulators' clients bring theirs).
func (t *Transport) Client() *http.Client { return &http.Client{Transport: t} }

// errReset is what a client reads when a handler cuts the connection
// (faults.Reset): a connection reset, as over TCP.
func errReset(addr string) error {
	return &net.OpError{Op: "read", Net: "tcp", Addr: fakeAddr(addr), Err: os.NewSyscallError("read", syscall.ECONNRESET)}
}

type fakeAddr string

func (a fakeAddr) Network() string { return "tcp" }
func (a fakeAddr) String() string  { return string(a) }

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	t.mu.Lock()
	h := t.hosts[req.URL.Host]
	t.mu.Unlock()
	if req.Body != nil {
		defer req.Body.Close()
	}
	if h == nil {
		return nil, fmt.Errorf("%w %s (known: %v)", ErrNoHost, req.URL.Host, t.known())
	}
	var body []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, fmt.Errorf("in-memory transport: read request body: %w", err)
		}
		body = b
	}
	// The request is on the wire: clients tell "not sent" from "sent, reply
	// lost" by this hook (a reset after it is an uncertain outcome), so it
	// fires as net/http's transport fires it.
	trace := httptrace.ContextClientTrace(req.Context())
	if trace != nil && trace.WroteHeaders != nil {
		trace.WroteHeaders()
	}
	if trace != nil && trace.WroteRequest != nil {
		trace.WroteRequest(httptrace.WroteRequestInfo{})
	}
	// The server's view of the request: its context ends when the client
	// gives up, as a real server's does when the connection closes.
	ctx, cancel := context.WithCancel(req.Context())
	sreq := req.Clone(ctx)
	sreq.Body = io.NopCloser(bytes.NewReader(body))
	sreq.ContentLength = int64(len(body))
	sreq.RequestURI = req.URL.RequestURI()
	sreq.RemoteAddr = "127.0.0.1:1"
	if sreq.Host == "" {
		sreq.Host = req.URL.Host
	}
	rw := &recorder{header: http.Header{}}
	done := make(chan error, 1)
	go func() {
		defer cancel()
		defer func() {
			if p := recover(); p != nil {
				// A handler that aborts (http.ErrAbortHandler, faults.Reset)
				// or panics leaves the client a cut connection.
				done <- errReset(req.URL.Host)
			}
		}()
		h.ServeHTTP(rw, sreq)
		done <- nil
	}()
	select {
	case err := <-done:
		if err != nil {
			return nil, err
		}
	case <-req.Context().Done():
		return nil, req.Context().Err()
	}
	if trace != nil && trace.GotFirstResponseByte != nil {
		trace.GotFirstResponseByte()
	}
	status := rw.status
	if status == 0 {
		status = http.StatusOK
	}
	hdr := rw.header.Clone()
	if hdr.Get("Content-Type") == "" && rw.body.Len() > 0 {
		hdr.Set("Content-Type", http.DetectContentType(rw.body.Bytes())) // as net/http's server does
	}
	resp := &http.Response{
		Status:     strconv.Itoa(status) + " " + http.StatusText(status),
		StatusCode: status,
		Proto:      "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        hdr,
		Body:          io.NopCloser(bytes.NewReader(rw.body.Bytes())),
		ContentLength: int64(rw.body.Len()),
		Request:       req,
	}
	if req.Method == http.MethodHead {
		resp.Body = http.NoBody
	}
	return resp, nil
}

func (t *Transport) known() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []string
	for h := range maps.Keys(t.hosts) {
		out = append(out, h)
	}
	return out
}

// recorder is the handler's ResponseWriter: it keeps the reply for the
// client. It is not a Hijacker, so faults.Reset aborts the handler instead.
type recorder struct {
	mu     sync.Mutex
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(s int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.status == 0 {
		r.status = s
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}

// Flush is a no-op: the client reads the reply once the handler returns.
func (r *recorder) Flush() {}

var _ http.Flusher = (*recorder)(nil)

// ErrNoHost is returned for a request to a host no handler serves.
var ErrNoHost = errors.New("in-memory transport: unknown host")
