// Package loopback serves a simulator's handler on a local address for as
// long as a context lives: the one way the three simulators listen.
package loopback

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// ListenError is a simulator that could not listen where it was told:
// Service names it ("multivende", "libredte", "openfactura"), so that a
// command can name the flag that gave Addr.
type ListenError struct {
	Service, Addr string
	Err           error
}

func (e *ListenError) Error() string {
	return fmt.Sprintf("%s simulator: listen on %s: %v", e.Service, e.Addr, e.Err)
}

func (e *ListenError) Unwrap() error { return e.Err }

// Serve listens on addr (such as 127.0.0.1:0) and serves h until ctx ends
// or the returned server is closed. It returns the server and the address
// it listens on (HOST:PORT); service says whose listener failed.
func Serve(ctx context.Context, service, addr string, h http.Handler) (*http.Server, string, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, "", &ListenError{Service: service, Addr: addr, Err: err}
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			_ = ln.Close()
		}
	}()
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	return srv, ln.Addr().String(), nil
}
