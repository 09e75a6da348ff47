package kafka

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/laminar-sql/laminar/runtime/connector"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// pollWait is how long Next waits for records before it returns an empty
// batch, so that the job's loop stays responsive on an idle topic.
const pollWait = 200 * time.Millisecond

// Source reads every partition of one topic, assigned directly or, with
// a consumer group, as the group's one member that owns them all
// (group.go), from the offsets of the checkpoint it resumes
// from, or from where `startup` says for partitions the checkpoint does not
// have. Records go to the pipeline as a LineBatch whose Lines are the
// record values, with their partition and offset, so a bad record reaches
// the dead-letter output with both. Position is the next offset of every
// partition: exactly-once input when the job checkpoints.
//
// With bounded = 'true' the source ends once every partition reached the
// end offset it had when the source opened (read_committed: the last
// stable offset); otherwise it runs until the job is stopped.
type Source struct {
	cl      *kgo.Client
	topic   string
	next    map[int32]int64 // next offset to read per partition (the position)
	end     map[int32]int64 // bounded: where each partition ends
	pending []*kgo.Record   // polled, not yet handed out
	// for the pipeline's per-partition watermarks: every partition, and
	// when each last had a record (idle after idleTimeout; 0: never idle)
	partitions  []int32
	lastRecord  map[int32]time.Time
	idleTimeout time.Duration
	ctx         context.Context
	cancel      context.CancelFunc

	// With a consumer group (group.go): the group, the log, and, under
	// mu (the group's callbacks run on franz-go's goroutines), next, the
	// partitions owned now, the offsets committed to the group last, and
	// the error that refuses a second member.
	group     string
	env       connector.Env
	mu        sync.Mutex
	owned     int
	committed map[int32]int64
	refused   error
	commits   sync.WaitGroup // commits in flight
	closed    bool           // Close ran (under mu)
	plainOpts []kgo.Opt      // the client options without the group's
	topicID   [16]byte       // for OffsetCommit v10+
}

// partitionKey is a partition's key in Position.Offsets.
func partitionKey(p int32) string { return strconv.Itoa(int(p)) }

func openSource(env connector.Env, options map[string]string, at connector.Position) (connector.Source, error) {
	topic := options["topic"]
	if topic == "" {
		return nil, fmt.Errorf("kafka source: the option topic is empty")
	}
	what := "source " + topic
	opts, err := clientOptions(env, what, options)
	if err != nil {
		return nil, err
	}
	isolation := kgo.ReadCommitted()
	switch strings.ToLower(options["isolation"]) {
	case "", "read_committed":
	case "read_uncommitted":
		isolation = kgo.ReadUncommitted()
	default:
		return nil, fmt.Errorf("kafka %s: isolation must be read_committed or read_uncommitted", what)
	}
	bounded := false
	switch strings.ToLower(options["bounded"]) {
	case "", "false":
	case "true":
		bounded = true
	default:
		return nil, fmt.Errorf("kafka %s: bounded must be true or false", what)
	}
	// An admin client finds the partitions, end and group offsets first;
	// the consuming client is then made with every partition's start.
	admin, err := kgo.NewClient(opts...)
	if err != nil {
		return nil, fmt.Errorf("kafka %s: %w", what, err)
	}
	defer admin.Close()
	ctx := context.Background()
	partitions, topicID, err := topicPartitions(ctx, env, admin, what, topic)
	if err != nil {
		return nil, err
	}
	start, err := startOffsets(ctx, admin, what, topic, partitions, options, isolation)
	if err != nil {
		return nil, err
	}
	group, err := groupID(options)
	if err != nil {
		return nil, fmt.Errorf("kafka %s: %w", what, err)
	}
	s := &Source{topic: topic, next: map[int32]int64{}, partitions: partitions, lastRecord: map[int32]time.Time{},
		group: group, env: env, committed: map[int32]int64{}, topicID: topicID}
	if v := options["idle_timeout"]; v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("kafka %s: idle_timeout %q is not a positive duration (such as '10s')", what, v)
		}
		s.idleTimeout = d
	}
	now := time.Now()
	for _, p := range partitions {
		s.lastRecord[p] = now
	}
	assign := map[int32]kgo.Offset{}
	for _, p := range partitions {
		off, ok := at.Offsets[partitionKey(p)]
		if !ok {
			off = start[p]
		}
		assign[p] = kgo.NewOffset().At(off)
		s.next[p] = off
	}
	if bounded {
		s.end, err = listOffsets(ctx, admin, topic, partitions, -1, isolation)
		if err != nil {
			return nil, fmt.Errorf("kafka %s: end offsets: %w", what, err)
		}
	}
	s.plainOpts = opts
	if group == "" {
		opts = append(opts, kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{topic: assign}))
	} else {
		opts = append(opts, s.groupOptions()...)
	}
	opts = append(opts,
		kgo.FetchIsolationLevel(isolation),
		// Control records (transaction markers) take offsets too: seeing
		// them keeps positions exact and lets a bounded read see its end.
		kgo.KeepControlRecords(),
		kgo.FetchMaxWait(pollWait),
		// A checkpoint's offset the topic no longer holds (retention
		// removed it) is an error, not a silent jump to another offset.
		kgo.ConsumeResetOffset(kgo.NoResetOffset()),
	)
	s.cl, err = kgo.NewClient(opts...)
	if err != nil {
		return nil, fmt.Errorf("kafka %s: %w", what, err)
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	return s, nil
}

// topicPartitions lists the topic's partitions, retrying with backoff (and
// saying so) while no broker answers.
func topicPartitions(ctx context.Context, env connector.Env, cl *kgo.Client, what, topic string) ([]int32, [16]byte, error) {
	req := kmsg.NewPtrMetadataRequest()
	t := kmsg.NewMetadataRequestTopic()
	t.Topic = kmsg.StringPtr(topic)
	req.Topics = append(req.Topics, t)
	for attempt := 1; ; attempt++ {
		resp, err := req.RequestWith(ctx, cl)
		if err != nil {
			env.Log("kafka %s: metadata: %v; retrying in %v", what, err, backoff(attempt))
			time.Sleep(backoff(attempt))
			continue
		}
		if len(resp.Topics) != 1 {
			return nil, [16]byte{}, fmt.Errorf("kafka %s: metadata names %d topics", what, len(resp.Topics))
		}
		rt := resp.Topics[0]
		if err := kerr.ErrorForCode(rt.ErrorCode); err != nil {
			if kerr.IsRetriable(err) && err != kerr.UnknownTopicOrPartition {
				env.Log("kafka %s: metadata: %v; retrying in %v", what, err, backoff(attempt))
				time.Sleep(backoff(attempt))
				continue
			}
			return nil, [16]byte{}, fmt.Errorf("kafka %s: topic %s: %w", what, topic, err)
		}
		var ps []int32
		for _, p := range rt.Partitions {
			ps = append(ps, p.Partition)
		}
		sort.Slice(ps, func(i, j int) bool { return ps[i] < ps[j] })
		if len(ps) == 0 {
			return nil, [16]byte{}, fmt.Errorf("kafka %s: topic %s has no partitions", what, topic)
		}
		return ps, rt.TopicID, nil
	}
}

// startOffsets is where each partition starts when the checkpoint does not
// say: startup = 'earliest' (the default), 'latest', 'timestamp' (the
// first record at or after startup_timestamp, RFC 3339 or Unix
// milliseconds; the end where there is none) or 'group' (the offsets
// committed by consumer group `group`, earliest where it has none). The
// offsets are resolved now, so that a position is known from the start.
func startOffsets(ctx context.Context, cl *kgo.Client, what, topic string, partitions []int32, options map[string]string, isolation kgo.IsolationLevel) (map[int32]int64, error) {
	list := func(ts int64) (map[int32]int64, error) {
		offs, err := listOffsets(ctx, cl, topic, partitions, ts, isolation)
		if err != nil {
			return nil, fmt.Errorf("kafka %s: start offsets: %w", what, err)
		}
		return offs, nil
	}
	switch mode := strings.ToLower(options["startup"]); mode {
	case "", "earliest":
		return list(-2)
	case "latest":
		return list(-1)
	case "timestamp":
		ms, err := parseMillis(options["startup_timestamp"])
		if err != nil {
			return nil, fmt.Errorf("kafka %s: startup_timestamp: %w", what, err)
		}
		out, err := list(ms)
		if err != nil {
			return nil, err
		}
		ends, err := list(-1)
		if err != nil {
			return nil, err
		}
		for p, o := range out {
			if o < 0 { // no record at or after ms
				out[p] = ends[p]
			}
		}
		return out, nil
	case "group":
		group, err := groupID(options)
		if err != nil {
			return nil, fmt.Errorf("kafka %s: %w", what, err)
		}
		if group == "" {
			return nil, fmt.Errorf("kafka %s: startup = 'group' needs the option group_id", what)
		}
		committed, err := groupOffsets(ctx, cl, group, topic)
		if err != nil {
			return nil, fmt.Errorf("kafka %s: offsets of group %s: %w", what, group, err)
		}
		out, err := list(-2)
		if err != nil {
			return nil, err
		}
		for p, o := range committed {
			if _, ok := out[p]; ok {
				out[p] = o
			}
		}
		return out, nil
	default:
		return nil, fmt.Errorf("kafka %s: startup %q is not one of earliest, latest, timestamp, group", what, mode)
	}
}

func parseMillis(s string) (int64, error) {
	if s == "" {
		return 0, fmt.Errorf("empty (want RFC 3339 or Unix milliseconds)")
	}
	if ms, err := strconv.ParseInt(s, 10, 64); err == nil {
		return ms, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return 0, fmt.Errorf("%q is neither RFC 3339 nor Unix milliseconds", s)
	}
	return t.UnixMilli(), nil
}

func groupOffsets(ctx context.Context, cl *kgo.Client, group, topic string) (map[int32]int64, error) {
	req := kmsg.NewPtrOffsetFetchRequest()
	req.Group = group
	req.Topics = nil // every partition the group committed; filtered below
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		return nil, err
	}
	out := map[int32]int64{}
	// a group that never committed has no offsets (some brokers say so
	// with GROUP_ID_NOT_FOUND): start where startup's default says
	notFound := func(code int16) bool { return kerr.ErrorForCode(code) == kerr.GroupIDNotFound }
	if err := kerr.ErrorForCode(resp.ErrorCode); err != nil {
		if notFound(resp.ErrorCode) {
			return out, nil
		}
		return nil, err
	}
	collect := func(topics []kmsg.OffsetFetchResponseTopic) error {
		for _, rt := range topics {
			if rt.Topic != topic {
				continue
			}
			for _, p := range rt.Partitions {
				if err := kerr.ErrorForCode(p.ErrorCode); err != nil {
					return err
				}
				if p.Offset >= 0 {
					out[p.Partition] = p.Offset
				}
			}
		}
		return nil
	}
	if err := collect(resp.Topics); err != nil {
		return nil, err
	}
	for _, g := range resp.Groups {
		if notFound(g.ErrorCode) {
			continue
		}
		if err := kerr.ErrorForCode(g.ErrorCode); err != nil {
			return nil, err
		}
		var topics []kmsg.OffsetFetchResponseTopic
		for _, gt := range g.Topics {
			rt := kmsg.NewOffsetFetchResponseTopic()
			rt.Topic = gt.Topic
			for _, gp := range gt.Partitions {
				p := kmsg.NewOffsetFetchResponseTopicPartition()
				p.Partition, p.Offset, p.ErrorCode = gp.Partition, gp.Offset, gp.ErrorCode
				rt.Partitions = append(rt.Partitions, p)
			}
			topics = append(topics, rt)
		}
		if err := collect(topics); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// listOffsets asks for the offsets at timestamp ts (-1 the end, -2 the
// start) of the partitions.
func listOffsets(ctx context.Context, cl *kgo.Client, topic string, partitions []int32, ts int64, isolation kgo.IsolationLevel) (map[int32]int64, error) {
	req := kmsg.NewPtrListOffsetsRequest()
	req.ReplicaID = -1
	if isolation == kgo.ReadCommitted() {
		req.IsolationLevel = 1
	}
	t := kmsg.NewListOffsetsRequestTopic()
	t.Topic = topic
	for _, p := range partitions {
		rp := kmsg.NewListOffsetsRequestTopicPartition()
		rp.Partition, rp.Timestamp, rp.CurrentLeaderEpoch = p, ts, -1
		t.Partitions = append(t.Partitions, rp)
	}
	req.Topics = append(req.Topics, t)
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		return nil, err
	}
	out := map[int32]int64{}
	for _, rt := range resp.Topics {
		for _, p := range rt.Partitions {
			if err := kerr.ErrorForCode(p.ErrorCode); err != nil {
				return nil, fmt.Errorf("partition %d: %w", p.Partition, err)
			}
			out[p.Partition] = p.Offset
		}
	}
	if len(out) != len(partitions) {
		return nil, fmt.Errorf("asked for %d partitions, got %d", len(partitions), len(out))
	}
	return out, nil
}

// atEnd reports whether a bounded read has reached the end of every partition.
func (s *Source) atEnd() bool {
	for p, end := range s.end {
		if s.next[p] < end {
			return false
		}
	}
	return true
}

// Next implements connector.Source: up to maxLines records, or an empty
// batch after pollWait without any. Fetch errors that franz-go retries by
// itself (a broker away) are reported through its hook, not returned.
func (s *Source) Next(b *connector.LineBatch, maxLines int) (bool, error) {
	b.Reset()
	if s.group != "" {
		s.mu.Lock()
		refused := s.refused
		s.mu.Unlock()
		if refused != nil {
			return false, refused
		}
		// a rebalance may run between batches, never while polled
		// records are pending: the position is exact when it revokes
		defer func() {
			if len(s.pending) == 0 {
				s.cl.AllowRebalance()
			}
		}()
	}
	if s.end != nil && len(s.pending) == 0 && s.atEnd() {
		return false, nil
	}
	if len(s.pending) == 0 {
		ctx, cancel := context.WithTimeout(s.ctx, pollWait)
		fetches := s.cl.PollRecords(ctx, maxLines)
		cancel()
		for _, fe := range fetches.Errors() {
			if errors.Is(fe.Err, context.DeadlineExceeded) || errors.Is(fe.Err, context.Canceled) {
				continue
			}
			var kErr *kerr.Error
			if !errors.As(fe.Err, &kErr) || kerr.IsRetriable(fe.Err) {
				// the connection or a passing broker state: franz-go
				// retries it, its connect hook reports an absent broker
				continue
			}
			// the broker's definite answer: a removed offset, a deleted
			// topic, a denied authorization
			return false, fmt.Errorf("kafka topic %s partition %d: %w", fe.Topic, fe.Partition, fe.Err)
		}
		s.pending = fetches.Records()
	}
	n := 0
	for n < len(s.pending) && b.Len() < maxLines {
		r := s.pending[n]
		n++
		if s.end != nil && r.Offset >= s.end[r.Partition] {
			continue // past the bound: a later run reads it
		}
		s.setNext(r.Partition, r.Offset+1)
		if r.Attrs.IsControl() {
			continue
		}
		b.Lines = append(b.Lines, r.Value)
		b.Offsets = append(b.Offsets, r.Offset)
		b.LineNos = append(b.LineNos, 0)
		b.Partitions = append(b.Partitions, r.Partition)
		b.Keys = append(b.Keys, r.Key)
		b.Timestamps = append(b.Timestamps, r.Timestamp.UnixMicro())
		var hs []connector.Header
		for _, h := range r.Headers {
			hs = append(hs, connector.Header{Key: h.Key, Value: h.Value})
		}
		b.Headers = append(b.Headers, hs)
	}
	s.pending = s.pending[n:]
	s.partitionStates(b)
	if s.end != nil && len(s.pending) == 0 && s.atEnd() {
		return false, nil
	}
	return true, nil
}

// partitionStates lists the partitions in b for the pipeline's watermarks,
// and those idle: without a record for longer than idle_timeout. A bounded
// partition read to its end is idle at once: it has nothing more to say.
func (s *Source) partitionStates(b *connector.LineBatch) {
	now := time.Now()
	for _, p := range b.Partitions {
		s.lastRecord[p] = now
	}
	b.AllPartitions = append(b.AllPartitions, s.partitions...)
	for _, p := range s.partitions {
		done := s.end != nil && s.next[p] >= s.end[p]
		if done || (s.idleTimeout > 0 && now.Sub(s.lastRecord[p]) > s.idleTimeout) {
			b.IdlePartitions = append(b.IdlePartitions, p)
		}
	}
}

// setNext moves a partition's position (under mu with a group, whose
// callbacks read it).
func (s *Source) setNext(p int32, off int64) {
	if s.group != "" {
		s.mu.Lock()
		defer s.mu.Unlock()
	}
	s.next[p] = off
}

// Position implements connector.Positioned: the next offset of every
// partition that has one known. It reads next without mu: it runs on the
// goroutine that calls Next, the only one that writes next (the group's
// callbacks only read it, under mu).
func (s *Source) Position() connector.Position {
	offs := make(map[string]int64, len(s.next))
	var total int64
	for p, o := range s.next {
		offs[partitionKey(p)] = o
		total += o
	}
	return connector.Position{Offset: total, Offsets: offs}
}

// Close closes the client.
func (s *Source) Close() error {
	if s.group != "" {
		s.waitCommits()
	}
	s.cancel()
	s.cl.Close() // a member leaves its group
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	return nil
}
