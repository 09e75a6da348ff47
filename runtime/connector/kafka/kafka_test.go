package kafka

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/laminar-sql/laminar/runtime/connector"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// cluster starts an in-process broker with the topics given (name and
// partitions) and returns its address.
func cluster(t *testing.T, topics map[string]int32) string {
	t.Helper()
	opts := []kfake.Opt{kfake.NumBrokers(1)}
	for name, n := range topics {
		opts = append(opts, kfake.SeedTopics(n, name))
	}
	c, err := kfake.NewCluster(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return strings.Join(c.ListenAddrs(), ",")
}

func produce(t *testing.T, brokers, topic string, partition int32, values ...string) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers), kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	var rs []*kgo.Record
	for _, v := range values {
		rs = append(rs, &kgo.Record{Topic: topic, Partition: partition, Value: []byte(v)})
	}
	if err := cl.ProduceSync(context.Background(), rs...).FirstErr(); err != nil {
		t.Fatal(err)
	}
}

// readAll reads every record of the topic a read_committed consumer sees.
func readAll(t *testing.T, brokers, topic string) []string {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	var out []string
	// 1.5 s without records is the end once one came; before the first,
	// 5 s: under make test's load the client's first fetch (metadata, the
	// partitions' leaders, the last stable offsets) took longer than 1.5 s
	// and TestSinkTwoPhase read nothing of three committed rows
	for idle := 0; idle < 5 || (len(out) == 0 && idle < 17); {
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		fs := cl.PollFetches(ctx)
		cancel()
		n := 0
		fs.EachRecord(func(r *kgo.Record) { out = append(out, string(r.Value)); n++ })
		if n == 0 {
			idle++
		} else {
			idle = 0
		}
	}
	return out
}

func drain(t *testing.T, s connector.Source) (lines []string, parts []int32) {
	t.Helper()
	var b connector.LineBatch
	for {
		more, err := s.Next(&b, 2)
		if err != nil {
			t.Fatal(err)
		}
		for i, l := range b.Lines {
			lines = append(lines, fmt.Sprintf("%d/%d:%s", b.Partitions[i], b.Offsets[i], l))
			parts = append(parts, b.Partitions[i])
		}
		if !more {
			return lines, parts
		}
	}
}

func TestSourceBoundedAndResume(t *testing.T) {
	brokers := cluster(t, map[string]int32{"in": 3})
	produce(t, brokers, "in", 0, "a", "b", "c")
	produce(t, brokers, "in", 2, "x")
	opts := map[string]string{"topic": "in", "brokers": brokers, "bounded": "true"}

	src, err := openSource(connector.Env{}, opts, connector.Position{})
	if err != nil {
		t.Fatal(err)
	}
	var b connector.LineBatch
	for b.Len() == 0 { // a poll may come back empty after its wait
		if _, err := src.Next(&b, 1); err != nil {
			t.Fatal(err)
		}
	}
	pos := src.(connector.Positioned).Position()
	first := fmt.Sprintf("%d/%d:%s", b.Partitions[0], b.Offsets[0], b.Lines[0])
	rest, _ := drain(t, src)
	src.Close()
	all := append([]string{first}, rest...)
	slices.Sort(all)
	if want := []string{"0/0:a", "0/1:b", "0/2:c", "2/0:x"}; !slices.Equal(all, want) {
		t.Fatalf("read %v, want %v", all, want)
	}

	// resuming at the position after the first record reads the rest
	produce(t, brokers, "in", 1, "late-p1")
	again, err := openSource(connector.Env{}, opts, pos)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	resumed, _ := drain(t, again)
	slices.Sort(resumed)
	want := append(slices.Clone(rest), "1/0:late-p1")
	slices.Sort(want)
	if !slices.Equal(resumed, want) {
		t.Fatalf("resumed %v, want %v", resumed, want)
	}
}

func TestSourceStartupLatestAndTimestamp(t *testing.T) {
	brokers := cluster(t, map[string]int32{"in": 1})
	produce(t, brokers, "in", 0, "old")
	latest, err := openSource(connector.Env{}, map[string]string{"topic": "in", "brokers": brokers, "bounded": "true", "startup": "latest"}, connector.Position{})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := drain(t, latest); len(got) != 0 {
		t.Fatalf("latest read %v", got)
	}
	latest.Close()
	future := time.Now().Add(time.Hour).UnixMilli()
	ts, err := openSource(connector.Env{}, map[string]string{"topic": "in", "brokers": brokers, "bounded": "true",
		"startup": "timestamp", "startup_timestamp": fmt.Sprint(future)}, connector.Position{})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := drain(t, ts); len(got) != 0 {
		t.Fatalf("timestamp in the future read %v", got)
	}
	ts.Close()
	_, err = openSource(connector.Env{}, map[string]string{"topic": "in", "brokers": brokers, "startup": "sometime"}, connector.Position{})
	if err == nil || !strings.Contains(err.Error(), "startup") {
		t.Fatalf("bad startup: %v", err)
	}
}

func TestSourceReadsCommittedOnly(t *testing.T) {
	brokers := cluster(t, map[string]int32{"in": 1})
	// an aborted transaction, then a committed one: the source sees only
	// the committed rows, and its bounded read ends past the markers
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers), kgo.TransactionalID("writer"), kgo.DefaultProduceTopic("in"))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx := context.Background()
	for _, commit := range []kgo.TransactionEndTry{kgo.TryAbort, kgo.TryCommit} {
		if err := cl.BeginTransaction(); err != nil {
			t.Fatal(err)
		}
		if err := cl.ProduceSync(ctx, &kgo.Record{Value: fmt.Appendf(nil, "commit=%v", bool(commit))}).FirstErr(); err != nil {
			t.Fatal(err)
		}
		if err := cl.EndTransaction(ctx, commit); err != nil {
			t.Fatal(err)
		}
	}
	src, err := openSource(connector.Env{}, map[string]string{"topic": "in", "brokers": brokers, "bounded": "true"}, connector.Position{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	got, _ := drain(t, src)
	if len(got) != 1 || !strings.HasSuffix(got[0], "commit=true") {
		t.Fatalf("read %v, want the committed record only", got)
	}
	if pos := src.(connector.Positioned).Position(); pos.Offsets["0"] != 4 {
		t.Fatalf("position %v, want offset 4 (two records, two markers)", pos.Offsets)
	}
}

func openEpochSink(t *testing.T, brokers string) *Sink {
	t.Helper()
	s, err := openSink(connector.Env{}, map[string]string{"topic": "out", "brokers": brokers}, true, "")
	if err != nil {
		t.Fatal(err)
	}
	return s.(*Sink)
}

func TestSinkTwoPhase(t *testing.T) {
	brokers := cluster(t, map[string]int32{"out": 2})
	s := openEpochSink(t, brokers)
	if err := s.Recover(0, nil); err != nil {
		t.Fatal(err)
	}
	write := func(s *Sink, rows ...string) {
		t.Helper()
		if err := s.Write([]byte(strings.Join(rows, "\n") + "\n")); err != nil {
			t.Fatal(err)
		}
	}
	write(s, `{"n":1}`, `{"n":2}`)
	data1, err := s.Prepare(1)
	if err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, brokers, "out"); len(got) != 0 {
		t.Fatalf("prepared rows visible before commit: %v", got)
	}
	if err := s.Commit(1); err != nil {
		t.Fatal(err)
	}
	write(s, `{"n":3}`)
	data2, err := s.Prepare(2)
	if err != nil {
		t.Fatal(err)
	}
	// the job dies after checkpoint 2 is durable, before Commit(2): the
	// restart commits epoch 2's transaction
	s.Close()
	s = openEpochSink(t, brokers)
	if err := s.Recover(2, data2); err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, brokers, "out"); !sameSet(got, []string{`{"n":1}`, `{"n":2}`, `{"n":3}`}) {
		t.Fatalf("after recovery of epoch 2: %v", got)
	}
	// rows of epoch 3 written, the job dies before its checkpoint: the
	// restart from checkpoint 2 aborts them, also when it recovers twice
	write(s, `{"n":"lost"}`)
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	s.Close()
	for range 2 {
		s = openEpochSink(t, brokers)
		if err := s.Recover(2, data2); err != nil {
			t.Fatal(err)
		}
		s.Close()
	}
	s = openEpochSink(t, brokers)
	defer s.Close()
	if err := s.Recover(2, data2); err != nil {
		t.Fatal(err)
	}
	write(s, `{"n":4}`)
	if _, err := s.Prepare(3); err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(3); err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, brokers, "out"); !sameSet(got, []string{`{"n":1}`, `{"n":2}`, `{"n":3}`, `{"n":4}`}) {
		t.Fatalf("final: %v", got)
	}
	_ = data1
}

func sameSet(got, want []string) bool {
	g, w := slices.Clone(got), slices.Clone(want)
	slices.Sort(g)
	slices.Sort(w)
	return slices.Equal(g, w)
}

func TestSecurityOptions(t *testing.T) {
	for _, bad := range []map[string]string{
		{"security_protocol": "carrier-pigeon"},
		{"security_protocol": "sasl_plaintext", "sasl_mechanism": "gssapi", "sasl_username": "u", "sasl_password": "hunter2"},
		{"security_protocol": "sasl_plaintext", "sasl_password": "hunter2"},
		{"security_protocol": "ssl", "tls_cert": "c.pem"},
		{"sasl_mechanism": "plain", "sasl_username": "u", "sasl_password_env": "LAMINAR_TEST_NO_SUCH_VAR"},
	} {
		_, err := securityOptions(connector.Env{}, "sink t", bad)
		if err == nil {
			t.Errorf("%v: no error", bad)
			continue
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("error quotes the password: %v", err)
		}
	}
	for _, good := range []map[string]string{
		{},
		{"security_protocol": "sasl_ssl", "sasl_mechanism": "scram-sha-512", "sasl_username": "u", "sasl_password": "p"},
		{"sasl_mechanism": "SCRAM-SHA-256", "sasl_username": "u", "sasl_password": "p"},
		{"security_protocol": "ssl", "tls_insecure_skip_verify": "true"},
	} {
		if _, err := securityOptions(connector.Env{}, "sink t", good); err != nil {
			t.Errorf("%v: %v", good, err)
		}
	}
}

// TestSASLAgainstBroker authenticates with SCRAM against a broker that
// requires it, and fails with a wrong password.
func TestSASLAgainstBroker(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "in"), kfake.EnableSASL(),
		kfake.Superuser("SCRAM-SHA-256", "laminar", "s3cret"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	brokers := strings.Join(c.ListenAddrs(), ",")
	t.Setenv("LAMINAR_TEST_KAFKA_PASSWORD", "s3cret")
	opts := map[string]string{"topic": "in", "brokers": brokers, "bounded": "true",
		"sasl_mechanism": "scram-sha-256", "sasl_username": "laminar", "sasl_password_env": "LAMINAR_TEST_KAFKA_PASSWORD"}
	src, err := openSource(connector.Env{}, opts, connector.Position{})
	if err != nil {
		t.Fatal(err)
	}
	src.Close()
}

func TestSinkUpsert(t *testing.T) {
	brokers := cluster(t, map[string]int32{"out": 1})
	s, err := openSink(connector.Env{}, map[string]string{"topic": "out", "brokers": brokers, "mode": "upsert", "key": "page"}, false, "")
	if err != nil {
		t.Fatal(err)
	}
	rows := `{"page":"/","n":1,"_op":"+"}` + "\n" + `{"page":"/a","n":1,"_op":"+"}` + "\n"
	changes := `{"page":"/","n":1,"_op":"-"}` + "\n" + `{"page":"/","n":2,"_op":"+"}` + "\n" + `{"page":"/a","n":1,"_op":"-"}` + "\n"
	for _, p := range []string{rows, changes} {
		if err := s.Write([]byte(p)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers), kgo.ConsumeTopics("out"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	var got []string
	for len(got) < 4 {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		fs := cl.PollFetches(ctx)
		cancel()
		if fs.Empty() {
			break
		}
		fs.EachRecord(func(r *kgo.Record) {
			v := string(r.Value)
			if r.Value == nil {
				v = "<tombstone>"
			}
			got = append(got, string(r.Key)+"="+v)
		})
	}
	want := []string{`["/"]={"page":"/","n":1}`, `["/a"]={"page":"/a","n":1}`, `["/"]={"page":"/","n":2}`, `["/a"]=<tombstone>`}
	if !slices.Equal(got, want) {
		t.Fatalf("records %q\nwant %q", got, want)
	}
	if _, err := openSink(connector.Env{}, map[string]string{"topic": "out", "brokers": brokers, "mode": "upsert"}, false, ""); err == nil {
		t.Fatal("upsert without key accepted")
	}
}

// TestSinkDebezium: mode = 'debezium' writes Debezium JSON change events,
// pairing a retraction and an insertion of one key into an update; the
// Debezium source format reads them back as the same changes.
func TestSinkDebezium(t *testing.T) {
	brokers := cluster(t, map[string]int32{"out": 1})
	s, err := openSink(connector.Env{}, map[string]string{"topic": "out", "brokers": brokers, "mode": "debezium", "key": "page"}, false, "")
	if err != nil {
		t.Fatal(err)
	}
	rows := `{"page":"/","n":1,"_op":"+"}` + "\n" + `{"page":"/a","n":1,"_op":"+"}` + "\n"
	changes := `{"page":"/","n":1,"_op":"-"}` + "\n" + `{"page":"/","n":2,"_op":"+"}` + "\n" + `{"page":"/a","n":1,"_op":"-"}` + "\n"
	for _, p := range []string{rows, changes} {
		if err := s.Write([]byte(p)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	src, err := openSource(connector.Env{}, map[string]string{"topic": "out", "brokers": brokers, "bounded": "true"}, connector.Position{})
	if err != nil {
		t.Fatal(err)
	}
	var got, rowsBack []string
	ch := connector.NewChangeSource(src, "debezium")
	defer ch.Close()
	for {
		var b connector.LineBatch
		more, err := ch.Next(&b, 100)
		if err != nil {
			t.Fatal(err)
		}
		for i, l := range b.Lines {
			rowsBack = append(rowsBack, fmt.Sprintf("%d%s", b.RowWeight([]int32{int32(i)}, 0), l))
		}
		if !more {
			break
		}
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers), kgo.ConsumeTopics("out"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	for len(got) < 4 {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		fs := cl.PollFetches(ctx)
		cancel()
		if fs.Empty() {
			break
		}
		fs.EachRecord(func(r *kgo.Record) { got = append(got, string(r.Key)+"="+string(r.Value)) })
	}
	want := []string{`["/"]={"before":null,"after":{"page":"/","n":1},"op":"c"}`, `["/a"]={"before":null,"after":{"page":"/a","n":1},"op":"c"}`,
		`["/"]={"before":{"page":"/","n":1},"after":{"page":"/","n":2},"op":"u"}`, `["/a"]={"before":{"page":"/a","n":1},"after":null,"op":"d"}`}
	if !slices.Equal(got, want) {
		t.Fatalf("records %q\nwant %q", got, want)
	}
	wantBack := []string{`1{"page":"/","n":1}`, `1{"page":"/a","n":1}`, `-1{"page":"/","n":1}`, `1{"page":"/","n":2}`, `-1{"page":"/a","n":1}`}
	if !slices.Equal(rowsBack, wantBack) {
		t.Fatalf("read back %q\nwant %q", rowsBack, wantBack)
	}
}

// TestTLSAgainstBroker: security_protocol = 'ssl' with tls_ca verifies a
// broker serving TLS; without the CA the handshake fails.
func TestTLSAgainstBroker(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "kfake"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, IsCA: true, BasicConstraintsValid: true,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert := tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "in"),
		kfake.TLS(&tls.Config{Certificates: []tls.Certificate{cert}}))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	base := t.TempDir()
	ca := filepath.Join(base, "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	brokers := strings.Join(c.ListenAddrs(), ",")
	// a relative path resolves against the .sql file's directory
	opts := map[string]string{"topic": "in", "brokers": brokers, "bounded": "true", "security_protocol": "ssl", "tls_ca": "ca.pem"}
	src, err := openSource(connector.Env{BaseDir: base}, opts, connector.Position{})
	if err != nil {
		t.Fatal(err)
	}
	src.Close()
}

// TestSourceOffsetGone: resuming at an offset that retention removed is an
// error naming the partition, not a silent skip.
func TestSourceOffsetGone(t *testing.T) {
	brokers := cluster(t, map[string]int32{"in": 1})
	produce(t, brokers, "in", 0, "a", "b", "c", "d")
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	req := kmsg.NewPtrDeleteRecordsRequest()
	rt := kmsg.NewDeleteRecordsRequestTopic()
	rt.Topic = "in"
	rp := kmsg.NewDeleteRecordsRequestTopicPartition()
	rp.Partition, rp.Offset = 0, 3
	rt.Partitions = append(rt.Partitions, rp)
	req.Topics = append(req.Topics, rt)
	req.TimeoutMillis = 5000
	if _, err := req.RequestWith(context.Background(), cl); err != nil {
		t.Fatal(err)
	}
	src, err := openSource(connector.Env{}, map[string]string{"topic": "in", "brokers": brokers, "bounded": "true"},
		connector.Position{Offsets: map[string]int64{"0": 1}})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var b connector.LineBatch
	for range 50 {
		_, err = src.Next(&b, 10)
		if err != nil || b.Len() > 0 {
			break
		}
	}
	if err == nil || !strings.Contains(err.Error(), "partition 0") {
		t.Fatalf("resuming at a removed offset: err %v, read %d records", err, b.Len())
	}
}
