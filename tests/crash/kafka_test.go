package crash

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// The Kafka tests run the job binary against franz-go's in-process broker
// (kfake), which listens on loopback in this test process.

// kafkaKillsEnv sets how many SIGKILLs TestCrashKafka makes: a few in `make
// test`, `make crash-kafka` asks for 60.
const kafkaKillsEnv = "LAMINAR_KAFKA_KILLS"

// kafkaSource reads the trades from a topic to its end (bounded), with a
// watermark delay longer than the input spans: rows of several partitions
// interleave in any order, and no row is late, so every window's rows are
// exactly the batch answer's.
func kafkaSource(brokers string) string {
	return kafkaSourceOf(brokers, "trades", "1' HOUR")
}

// kafkaSourceOf reads the trades from a topic with a watermark delay.
func kafkaSourceOf(brokers, topic, delay string) string {
	return `CREATE SOURCE trades (
  symbol VARCHAR NOT NULL, price DOUBLE, volume BIGINT, ts TIMESTAMP NOT NULL,
  WATERMARK FOR ts AS ts - INTERVAL '` + delay + `
) WITH (connector = 'kafka', topic = '` + topic + `', brokers = '` + brokers + `', format = 'json', bounded = 'true');
`
}

func fileSourceNoLate() string {
	return strings.Replace(source("file"), "INTERVAL '5' SECOND", "INTERVAL '1' HOUR", 1)
}

// kafkaSink writes view v to a topic it creates (2 partitions).
func kafkaSink(t *testing.T, brokers, topic string) string {
	t.Helper()
	createTopic(t, brokers, topic, 2)
	return kafkaSinkSQL(brokers, topic)
}

func kafkaSinkSQL(brokers, topic string) string {
	return "CREATE SINK out FROM v WITH (connector = 'kafka', topic = '" + topic + "', brokers = '" + brokers + "');\n"
}

func createTopic(t *testing.T, brokers, topic string, partitions int32) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	req := kmsg.NewPtrCreateTopicsRequest()
	rt := kmsg.NewCreateTopicsRequestTopic()
	rt.Topic, rt.NumPartitions, rt.ReplicationFactor = topic, partitions, 1
	req.Topics = append(req.Topics, rt)
	resp, err := req.RequestWith(context.Background(), cl)
	if err != nil {
		t.Fatal(err)
	}
	if err := kerr.ErrorForCode(resp.Topics[0].ErrorCode); err != nil && err != kerr.TopicAlreadyExists {
		t.Fatal(err)
	}
}

// kafkaCluster starts a broker whose topic "trades" (3 partitions) holds
// the input lines, spread over the partitions in runs of a few lines, and
// whose topic "trades1" (one partition) holds them in order.
func kafkaCluster(t *testing.T, in []byte, opts ...kfake.Opt) (*kfake.Cluster, string) {
	t.Helper()
	c, err := kfake.NewCluster(append([]kfake.Opt{kfake.NumBrokers(1), kfake.SeedTopics(3, "trades")}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	brokers := strings.Join(c.ListenAddrs(), ",")
	if in != nil {
		createTopic(t, brokers, "trades1", 1)
		produceLines(t, brokers, in)
	}
	return c, brokers
}

func produceLines(t *testing.T, brokers string, in []byte) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers), kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	var rs []*kgo.Record
	i := 0
	for line := range bytes.Lines(in) {
		value := bytes.TrimSuffix(line, []byte("\n"))
		rs = append(rs, &kgo.Record{Topic: "trades", Partition: int32(i / 7 % 3), Value: value},
			&kgo.Record{Topic: "trades1", Value: value})
		i++
	}
	if err := cl.ProduceSync(context.Background(), rs...).FirstErr(); err != nil {
		t.Fatal(err)
	}
}

// committedRows reads every row of a topic that a read_committed consumer
// sees, sorted.
func committedRows(t *testing.T, brokers, topic string) []string {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	var rows []string
	for idle := 0; idle < 10; { // 2 s without records: the end (a loaded machine is slow)
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		fs := cl.PollFetches(ctx)
		cancel()
		n := 0
		fs.EachRecord(func(r *kgo.Record) { rows = append(rows, string(r.Value)); n++ })
		if n == 0 {
			idle++
		} else {
			idle = 0
		}
	}
	return normalized(t, rows)
}

func sortedLines(s string) []string {
	var out []string
	for l := range strings.Lines(s) {
		out = append(out, strings.TrimSuffix(l, "\n"))
	}
	slices.Sort(out)
	return out
}

// normalized rounds the numbers of JSON rows to 10 significant digits and
// sorts the rows: rows summed in another order (partitions interleave)
// differ in the last bits of a DOUBLE.
func normalized(t *testing.T, rows []string) []string {
	t.Helper()
	out := make([]string, len(rows))
	for i, row := range rows {
		var m map[string]any
		if err := json.Unmarshal([]byte(row), &m); err != nil {
			t.Fatalf("row %q: %v", row, err)
		}
		for k, v := range m {
			if f, ok := v.(float64); ok {
				m[k] = strconv.FormatFloat(f, 'g', 10, 64)
			}
		}
		b, _ := json.Marshal(m)
		out[i] = string(b)
	}
	slices.Sort(out)
	return out
}

func countLines(s string) int { return strings.Count(s, "\n") }

// fileReference runs the same windowed aggregate over the input as a file:
// the batch answer the Kafka runs must give.
func fileReference(t *testing.T, in []byte) (rows []string, dead int) {
	t.Helper()
	j := buildJob(t, fileSourceNoLate()+tumbling+sink, false, in)
	ref := j.reference(t)
	return normalized(t, sortedLines(ref["output.jsonl"])), countLines(ref["p.dead.jsonl"])
}

// TestKafkaEndToEnd: Kafka -> tumbling-window aggregate -> Kafka gives the
// rows of the same pipeline over a file; malformed records reach the
// dead-letter file with their partition and offset.
func TestKafkaEndToEnd(t *testing.T) {
	skipShortSerial(t)
	in := input(20_000)
	want, wantDead := fileReference(t, in)
	_, brokers := kafkaCluster(t, in)
	for _, durable := range []bool{false, true} {
		topic := fmt.Sprintf("out-%v", durable)
		j := buildJob(t, kafkaSource(brokers)+tumbling+kafkaSink(t, brokers, topic), false, nil)
		dir := t.TempDir()
		if out, err := j.command(dir, durable, 512, 1).CombinedOutput(); err != nil {
			t.Fatalf("durable=%v: %v\n%s", durable, err, out)
		}
		if got := committedRows(t, brokers, topic); !slices.Equal(got, want) {
			t.Fatalf("durable=%v: %d rows in the topic, the file run gives %d: %s", durable, len(got), len(want), firstDiff(strings.Join(got, "\n"), strings.Join(want, "\n")))
		}
		dead, err := os.ReadFile(filepath.Join(dir, "p.dead.jsonl"))
		if err != nil {
			t.Fatal(err)
		}
		if countLines(string(dead)) != wantDead || !strings.Contains(string(dead), `"partition":`) {
			t.Fatalf("durable=%v: dead letters %d (want %d, with partitions):\n%.300s", durable, countLines(string(dead)), wantDead, dead)
		}
	}
}

// TestKafkaUpdatingChangelog: an updating view written to Kafka as a
// changelog ("_op" records) nets to the file run's table.
func TestKafkaUpdatingChangelog(t *testing.T) {
	skipShortSerial(t)
	in := input(20_000)
	ref := buildJob(t, fileSourceNoLate()+updating+sink, false, in).reference(t)
	_, brokers := kafkaCluster(t, in)
	j := buildJob(t, kafkaSource(brokers)+updating+kafkaSink(t, brokers, "changes"), false, nil)
	if out, err := j.command(t.TempDir(), true, 300, 1).CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers), kgo.ConsumeTopics("changes"),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	var changes strings.Builder
	for idle := 0; idle < 10; {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		fs := cl.PollFetches(ctx)
		cancel()
		if fs.NumRecords() == 0 {
			idle++
		}
		fs.EachRecord(func(r *kgo.Record) { changes.Write(r.Value); changes.WriteByte('\n') })
	}
	if !strings.Contains(changes.String(), `"_op":"-"`) {
		t.Fatal("no retraction in the changelog")
	}
	sameTable(t, changes.String(), ref["output.jsonl"])
}

// TestCrashKafka kills a job reading and writing Kafka (exactly-once
// through transactions) at random moments until it finishes, in rounds
// until enough kills: a read_committed consumer of the output topic sees
// every result row of the file run exactly once. The input is one
// partition, read in file order, with the file pipeline's watermark: its
// windows close all along the run, so results are spread over many
// checkpoint epochs, and its late rows are the file run's.
func TestCrashKafka(t *testing.T) {
	skipShortSerial(t)
	kills := 6
	if v := os.Getenv(kafkaKillsEnv); v != "" {
		kills, _ = strconv.Atoi(v)
	}
	// large enough that the job is still reading when the broker goes
	in := input(200_000)
	ref := buildJob(t, source("file")+tumbling+sink, false, in).reference(t)
	want := normalized(t, sortedLines(ref["output.jsonl"]))
	_, brokers := kafkaCluster(t, in)

	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("LAMINAR_CRASH_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	t.Logf("seed %d (LAMINAR_CRASH_SEED replays it)", seed)
	r := rand.New(rand.NewPCG(seed, 2))
	// one build; each round writes the topic afresh
	j := buildJob(t, kafkaSourceOf(brokers, "trades1", "5' SECOND")+tumbling+kafkaSinkSQL(brokers, "crash"), false, nil)
	killed, rounds := 0, 0
	for killed < kills {
		rounds++
		topic := "crash"
		deleteTopic(t, brokers, topic)
		createTopic(t, brokers, topic, 2)
		dir := t.TempDir()
		for starts := 1; ; starts++ {
			if starts > maxStarts {
				t.Fatalf("round %d: the job did not finish in %d starts", rounds, maxStarts)
			}
			var stderr bytes.Buffer
			cmd := j.command(dir, true, 1+r.IntN(300), 1)
			cmd.Args = append(cmd.Args, "--checkpoint-interval", "20ms")
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			var err error
			select {
			case err = <-exited:
			// as in crashRunsKills, the longest delay doubles every 50 starts:
			// a slower machine's job may make no progress within 105 ms
			case <-time.After(time.Duration(5+r.IntN(100<<min(starts/50, 6))) * time.Millisecond):
				cmd.Process.Signal(syscall.SIGKILL)
				err = <-exited
			}
			if err == nil {
				break
			}
			var exit *exec.ExitError
			if errors.As(err, &exit) && exit.Sys().(syscall.WaitStatus).Signal() == syscall.SIGKILL {
				killed++
				continue
			}
			t.Fatalf("round %d, start %d: %v\n%s", rounds, starts, err, stderr.String())
		}
		if got := committedRows(t, brokers, topic); !slices.Equal(got, want) {
			t.Fatalf("round %d (%d kills so far): %d committed rows, want %d: %s", rounds, killed, len(got), len(want),
				firstDiff(strings.Join(got, "\n"), strings.Join(want, "\n")))
		}
	}
	t.Logf("%d kills in %d rounds; every round's topic held each result row exactly once", killed, rounds)
}

func deleteTopic(t *testing.T, brokers, topic string) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	req := kmsg.NewPtrDeleteTopicsRequest()
	req.TopicNames = []string{topic}
	rt := kmsg.NewDeleteTopicsRequestTopic()
	rt.Topic = kmsg.StringPtr(topic)
	req.Topics = append(req.Topics, rt)
	resp, err := req.RequestWith(context.Background(), cl)
	if err != nil {
		t.Fatal(err)
	}
	if err := kerr.ErrorForCode(resp.Topics[0].ErrorCode); err != nil && err != kerr.UnknownTopicOrPartition {
		t.Fatal(err)
	}
}

// TestKafkaBrokerAway: a job started while its broker is down reports the
// failed connections and retries with backoff; once the broker is up it
// reads the topic and finishes with every row.
func TestKafkaBrokerAway(t *testing.T) {
	skipShortSerial(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	brokers := fmt.Sprintf("127.0.0.1:%d", port)
	in := input(2_000)
	want, _ := fileReference(t, in)
	j := buildJob(t, kafkaSource(brokers)+tumbling+kafkaSinkSQL(brokers, "out"), false, nil)
	dir := t.TempDir()
	cmd := j.command(dir, true, 256, 1)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	reported := make(chan string, 1)
	var log strings.Builder
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			log.WriteString(sc.Text() + "\n")
			if strings.Contains(sc.Text(), "retrying") {
				select {
				case reported <- sc.Text():
				default:
				}
			}
		}
	}()
	select {
	case line := <-reported:
		t.Logf("the job reported: %s", line)
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		t.Fatal("no report of the unreachable broker")
	}
	_, up := kafkaCluster(t, in, kfake.Ports(port), kfake.SeedTopics(2, "out"))
	if up != brokers {
		t.Fatalf("broker on %s, want %s", up, brokers)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("%v\n%s", err, log.String())
		}
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("the job did not finish once the broker was up\n%s", log.String())
	}
	if got := committedRows(t, brokers, "out"); !slices.Equal(got, want) {
		t.Fatalf("%d rows, want %d", len(got), len(want))
	}
}

// TestKafkaBrokerRestart: the broker goes away while a durable job reads
// and writes it (exactly-once), and comes back a moment later with its data
// (kfake's DataDir): the job reports the outage, retries, and finishes with
// every result row exactly once.
func TestKafkaBrokerRestart(t *testing.T) {
	skipShortSerial(t)
	data := t.TempDir()
	// large enough that the job is still reading when the broker goes
	in := input(200_000)
	ref := buildJob(t, source("file")+tumbling+sink, false, in).reference(t)
	want := normalized(t, sortedLines(ref["output.jsonl"]))
	c, brokers := kafkaCluster(t, in, kfake.DataDir(data))
	createTopic(t, brokers, "restart", 2)
	port := c.ListenAddrs()[0][strings.LastIndex(c.ListenAddrs()[0], ":")+1:]
	j := buildJob(t, kafkaSourceOf(brokers, "trades1", "5' SECOND")+tumbling+kafkaSinkSQL(brokers, "restart"), false, nil)
	dir := t.TempDir()
	cmd := j.command(dir, true, 20, 1)
	cmd.Args = append(cmd.Args, "--checkpoint-interval", "20ms")
	var log lockedBuffer
	cmd.Stderr = &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	// the broker goes once the job has read its first records (it reports
	// the first malformed one), however long the job took to start
	for start := time.Now(); !strings.Contains(log.String(), "offset 500:"); {
		if time.Since(start) > 60*time.Second {
			t.Fatalf("the job read nothing in 60 s:\n%s", log.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	c.Close()
	select {
	case err := <-done:
		t.Fatalf("the job ended while the broker was down: %v\n%s", err, log.String())
	case <-time.After(3 * time.Second):
	}
	p, _ := strconv.Atoi(port)
	back, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.DataDir(data), kfake.Ports(p))
	if err != nil {
		t.Fatal(err)
	}
	defer back.Close()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("%v\n%s", err, log.String())
		}
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("the job did not finish once the broker was back\n%s", log.String())
	}
	reported := 0
	for line := range strings.Lines(log.String()) {
		if strings.Contains(line, "kafka") {
			if reported++; reported <= 4 {
				t.Logf("the job reported: %s", strings.TrimSpace(line))
			}
		}
	}
	if !strings.Contains(log.String(), "retrying") {
		t.Errorf("the outage was not reported:\n%s", log.String())
	}
	if got := committedRows(t, brokers, "restart"); !slices.Equal(got, want) {
		t.Fatalf("%d committed rows, want %d: %s\n%s", len(got), len(want), firstDiff(strings.Join(got, "\n"), strings.Join(want, "\n")), log.String())
	}
}

// lockedBuffer is a bytes.Buffer a job writes to while the test reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
