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

// Serve listens on addr (such as 127.0.0.1:0) and serves h until ctx ends
// or the returned server is closed. It returns the server and the address
// it listens on (HOST:PORT); name says whose listener failed.
func Serve(ctx context.Context, name, addr string, h http.Handler) (*http.Server, string, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, "", fmt.Errorf("%s: listen on %s: %w", name, addr, err)
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
