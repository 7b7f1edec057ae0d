package app_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/folio-cl/folio/internal/app"
	"github.com/folio-cl/folio/internal/i18n"
)

// folio run, folio console and folio serve build their engine from the
// config through one function: what the config says reaches the engine,
// and the SII is asked at one pace.
func TestEngineFromTheConfig(t *testing.T) {
	t.Parallel()
	env, dir := testEnv(t, nil)
	writeFile(t, filepath.Join(dir, "config", "folio", "config.yaml"), "poll_interval: 45s\nworkers: 3\nrate_limit: 4\nretry:\n  max_attempts: 5\n  base_delay: 3s\n  max_delay: 1m\ncatalog_sync_interval: 10m\nemisor:\n  rut: 76.086.428-5\n")
	cfg, err := env.Config()
	if err != nil {
		t.Fatal(err)
	}
	o := app.EngineFromConfig(cfg, i18n.EN, nil)
	if o.PollInterval != 45*time.Second || o.Workers != 3 || o.RateLimit != 4 || o.CatalogInterval != 10*time.Minute ||
		o.Retry.MaxAttempts != 5 || o.Retry.Base != 3*time.Second || o.Retry.Max != time.Minute || o.SIIInterval != app.SIIInterval ||
		o.Lang != i18n.EN || o.Emisor.RUTEmisor != "76086428-5" || o.Location == nil {
		t.Fatalf("spec %+v", o)
	}
}
