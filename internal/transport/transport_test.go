package transport_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/folio-cl/folio/internal/transport"
)

// Eight workers calling one host in rounds reuse their connections: with
// the standard library's 2 idle connections per host, each round after
// the first dialled about six new ones (over 100 in 20 rounds). A request
// that starts while another's connection is on its way back to the pool
// may still dial one more, so the bound is twice the workers, not exactly
// them.
func TestWorkersKeepTheirConnections(t *testing.T) {
	var dialled atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "ok")
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			dialled.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	hc := transport.Client(0)
	const workers, rounds = 8, 20
	for range rounds {
		var wg sync.WaitGroup
		var start sync.WaitGroup
		start.Add(1)
		for range workers {
			wg.Go(func() {
				start.Wait()
				req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, srv.URL, nil)
				if err != nil {
					t.Error(err)
					return
				}
				resp, err := hc.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			})
		}
		start.Done()
		wg.Wait()
	}
	if n := dialled.Load(); n > 2*workers {
		t.Fatalf("%d workers over %d rounds opened %d connections, want at most %d", workers, rounds, n, 2*workers)
	}
}

func TestIsWebURL(t *testing.T) {
	for s, want := range map[string]bool{
		"https://app.multivende.com": true, "http://127.0.0.1:8080/api": true, "HTTPS://libredte.cl": true,
		"": false, "notaurl": false, "ftp://x": false, "https://": false, "127.0.0.1:8080": false, "http//x": false, "https://%zz": false,
	} {
		if got := transport.IsWebURL(s); got != want {
			t.Errorf("IsWebURL(%q) = %v, want %v", s, got, want)
		}
	}
}
