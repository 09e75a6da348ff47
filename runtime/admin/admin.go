// Package admin is a job's HTTP admin server (--http): health and
// readiness probes, Prometheus metrics, the status as JSON and a
// checkpoint trigger. It is its own package so that runtime/job does not
// link net/http and the Prometheus client: a job's main passes Serve to
// job.Main to have it.
package admin

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/laminar-sql/laminar/runtime/job"
)

var _ job.AdminServer = Serve

// checkpointTimeout bounds how long POST /checkpoint waits for the job.
const checkpointTimeout = time.Minute

// Serve listens on addr and serves the admin endpoints of the job m until
// stop is called. With a token, every endpoint but the probes requires
// "Authorization: Bearer <token>".
func Serve(addr, token string, m job.Monitor, log *slog.Logger) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("--http: %w", err)
	}
	srv := &http.Server{Handler: Handler(m, token), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("admin server: " + err.Error())
		}
	}()
	log.LogAttrs(context.Background(), slog.LevelInfo, "admin server on http://"+ln.Addr().String(),
		slog.String("event", "admin"), slog.String("addr", ln.Addr().String()))
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	}, nil
}

// Handler is the admin server's routes over m.
func Handler(m job.Monitor, token string) http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(newCollector(m), collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if st := m.Status(); !st.Ready {
			http.Error(w, "not ready: "+st.Phase, http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ready")
	})
	auth := func(h http.Handler) http.Handler {
		if token == "" {
			return h
		}
		want := []byte("Bearer " + token)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
				w.Header().Set("WWW-Authenticate", "Bearer")
				http.Error(w, "unauthorized", http.StatusUnauthorized)
				return
			}
			h.ServeHTTP(w, r)
		})
	}
	mux.Handle("GET /metrics", auth(promhttp.HandlerFor(reg, promhttp.HandlerOpts{})))
	mux.Handle("GET /status", auth(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, m.Status())
	})))
	// A CPU profile of the job (?seconds=N), for explain --analyze --profile
	// to split the job's time among its operators.
	mux.Handle("GET /debug/pprof/profile", auth(http.HandlerFunc(pprof.Profile)))
	mux.Handle("POST /checkpoint", auth(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), checkpointTimeout)
		defer cancel()
		epoch, err := m.Checkpoint(ctx)
		switch {
		case errors.Is(err, job.ErrNoStateDir):
			writeJSON(w, http.StatusConflict, map[string]string{"error": err.Error()})
		case err != nil:
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": err.Error()})
		default:
			writeJSON(w, http.StatusOK, map[string]uint64{"epoch": epoch})
		}
	})))
	return mux
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}
