// Package kafka is the Kafka connector (connector = 'kafka'): a source that
// reads a topic's partitions from offsets kept in the job's checkpoints,
// and a sink that writes a topic through Kafka transactions committed with
// the checkpoints (exactly-once) or through an idempotent producer
// (at-least-once). It lives in a package of its own so that only jobs that
// name it link franz-go: generated code imports it, its init registers it.
package kafka

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/laminar-sql/laminar/runtime/connector"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"
)

func init() {
	connector.Register("kafka", connector.Opener{Source: openSource, Sink: openSink})
}

// clientOptions are the franz-go options every client of the connector
// gets from the WITH options: brokers, client id, TLS and SASL, retries
// with backoff, and a hook that reports a broker that cannot be reached.
// Errors never quote a secret's value.
func clientOptions(env connector.Env, what string, options map[string]string) ([]kgo.Opt, error) {
	var brokers []string
	for _, b := range strings.Split(options["brokers"], ",") {
		if b = strings.TrimSpace(b); b != "" {
			brokers = append(brokers, b)
		}
	}
	if len(brokers) == 0 {
		return nil, fmt.Errorf("kafka %s: the option brokers names no broker", what)
	}
	clientID := options["client_id"]
	if clientID == "" {
		clientID = "laminar"
	}
	opts := []kgo.Opt{
		kgo.SeedBrokers(brokers...),
		kgo.ClientID(clientID),
		// A broker that goes away: every request is retried with a backoff
		// growing to 5 s, and connection failures are reported (below).
		kgo.RetryBackoffFn(backoff),
		kgo.WithHooks(&connectReporter{env: env, what: what}),
	}
	sec, err := securityOptions(env, what, options)
	if err != nil {
		return nil, err
	}
	return append(opts, sec...), nil
}

// backoff is the wait before retry number `tries` (1-based): 100 ms doubling
// up to 5 s.
func backoff(tries int) time.Duration {
	d := 100 * time.Millisecond
	for i := 1; i < tries && d < 5*time.Second; i++ {
		d *= 2
	}
	return min(d, 5*time.Second)
}

// securityOptions turns security_protocol (plaintext, ssl, sasl_plaintext,
// sasl_ssl), sasl_mechanism (plain, scram-sha-256, scram-sha-512),
// sasl_username, sasl_password or sasl_password_env (the name of an
// environment variable holding it, so the secret stays out of the SQL) and
// tls_ca, tls_cert, tls_key, tls_server_name, tls_insecure_skip_verify into
// franz-go options.
func securityOptions(env connector.Env, what string, options map[string]string) ([]kgo.Opt, error) {
	protocol := strings.ToLower(options["security_protocol"])
	if protocol == "" {
		protocol = "plaintext"
		if options["sasl_mechanism"] != "" {
			protocol = "sasl_plaintext"
		}
	}
	var useTLS, useSASL bool
	switch protocol {
	case "plaintext":
	case "ssl":
		useTLS = true
	case "sasl_plaintext":
		useSASL = true
	case "sasl_ssl":
		useTLS, useSASL = true, true
	default:
		return nil, fmt.Errorf("kafka %s: security_protocol %q is not one of plaintext, ssl, sasl_plaintext, sasl_ssl", what, protocol)
	}
	var opts []kgo.Opt
	if useTLS {
		cfg, err := tlsConfig(env, what, options)
		if err != nil {
			return nil, err
		}
		opts = append(opts, kgo.DialTLSConfig(cfg))
	}
	if useSASL {
		user := options["sasl_username"]
		pass := options["sasl_password"]
		if name := options["sasl_password_env"]; name != "" {
			v, ok := os.LookupEnv(name)
			if !ok {
				return nil, fmt.Errorf("kafka %s: sasl_password_env names %s, which is not set", what, name)
			}
			pass = v
		}
		if user == "" {
			return nil, fmt.Errorf("kafka %s: SASL needs the option sasl_username", what)
		}
		switch mech := strings.ToLower(options["sasl_mechanism"]); mech {
		case "plain", "":
			opts = append(opts, kgo.SASL(plain.Auth{User: user, Pass: pass}.AsMechanism()))
		case "scram-sha-256":
			opts = append(opts, kgo.SASL(scram.Auth{User: user, Pass: pass}.AsSha256Mechanism()))
		case "scram-sha-512":
			opts = append(opts, kgo.SASL(scram.Auth{User: user, Pass: pass}.AsSha512Mechanism()))
		default:
			return nil, fmt.Errorf("kafka %s: sasl_mechanism %q is not one of plain, scram-sha-256, scram-sha-512", what, mech)
		}
	} else if options["sasl_mechanism"] != "" {
		return nil, fmt.Errorf("kafka %s: sasl_mechanism is set but security_protocol %q has no SASL", what, protocol)
	}
	return opts, nil
}

// tlsConfig reads the PEM files, relative ones against the .sql file's
// directory like every path option.
func tlsConfig(env connector.Env, what string, options map[string]string) (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: options["tls_server_name"]}
	if ca := options["tls_ca"]; ca != "" {
		pem, err := os.ReadFile(env.Path(ca))
		if err != nil {
			return nil, fmt.Errorf("kafka %s: tls_ca: %w", what, err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("kafka %s: tls_ca %s holds no PEM certificate", what, ca)
		}
		cfg.RootCAs = pool
	}
	cert, key := options["tls_cert"], options["tls_key"]
	if (cert == "") != (key == "") {
		return nil, fmt.Errorf("kafka %s: tls_cert and tls_key go together", what)
	}
	if cert != "" {
		pair, err := tls.LoadX509KeyPair(env.Path(cert), env.Path(key))
		if err != nil {
			// the error of LoadX509KeyPair names files, never key bytes
			return nil, fmt.Errorf("kafka %s: client certificate: %w", what, err)
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	switch strings.ToLower(options["tls_insecure_skip_verify"]) {
	case "", "false":
	case "true":
		cfg.InsecureSkipVerify = true
	default:
		return nil, fmt.Errorf("kafka %s: tls_insecure_skip_verify must be true or false", what)
	}
	return cfg, nil
}

// connectReporter reports connection failures to a broker and the
// reconnection after them: one line when a broker becomes unreachable,
// then one at every doubling of the failures, so a long outage does not
// flood the log.
type connectReporter struct {
	env  connector.Env
	what string

	mu       sync.Mutex
	failures map[int32]int
}

// OnBrokerConnect implements kgo.HookBrokerConnect.
func (r *connectReporter) OnBrokerConnect(meta kgo.BrokerMetadata, _ time.Duration, _ net.Conn, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.failures == nil {
		r.failures = map[int32]int{}
	}
	addr := net.JoinHostPort(meta.Host, fmt.Sprint(meta.Port))
	n := r.failures[meta.NodeID]
	if err == nil {
		if n > 0 {
			r.env.Log("kafka %s: connected to broker %s again after %d failed attempts", r.what, addr, n)
		}
		delete(r.failures, meta.NodeID)
		return
	}
	if errors.Is(err, kgo.ErrClientClosed) {
		return // our own Close, not the broker
	}
	n++
	r.failures[meta.NodeID] = n
	if n&(n-1) == 0 { // 1, 2, 4, 8, ...
		r.env.Log("kafka %s: cannot reach broker %s (attempt %d, retrying with backoff): %v", r.what, addr, n, err)
	}
}
