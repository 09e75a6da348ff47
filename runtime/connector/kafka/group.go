package kafka

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/laminar-sql/laminar/runtime/connector"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// groupOptionNames are the spellings of the consumer group option: group
// (the first one), group_id, and properties.group.id as Flink writes it.
var groupOptionNames = []string{"group", "group_id", "properties.group.id"}

// groupID is the consumer group the options name, "" for none. Two
// spellings naming different groups are an error.
func groupID(options map[string]string) (string, error) {
	var name, from string
	for _, k := range groupOptionNames {
		v := strings.TrimSpace(options[k])
		if v == "" {
			continue
		}
		if name != "" && v != name {
			return "", fmt.Errorf("options %s = %q and %s = %q name different consumer groups", from, name, k, v)
		}
		name, from = v, k
	}
	return name, nil
}

// ownerBalancer is the group protocol of the source: every partition of
// the topic goes to one member, the group's leader. The coordinator keeps
// the leader until it leaves the group, so the job instance that joined
// first owns the topic for as long as it runs, and a member that joins
// later is assigned nothing: the source refuses to run there (see
// Source.onAssigned). Partitions never move between job instances, so a
// job's state never describes keys another instance reads; the checkpoint
// stays the one source of truth for offsets.
//
// The member metadata and assignments are the standard "consumer"
// protocol's (kmsg.ConsumerMemberMetadata / ConsumerMemberAssignment), so
// kafka-consumer-groups --describe shows the member and its partitions.
type ownerBalancer struct{}

func (ownerBalancer) ProtocolName() string { return "laminar-owner" }
func (ownerBalancer) IsCooperative() bool  { return false }

func (ownerBalancer) JoinGroupMetadata(interests []string, _ map[string][]int32, generation int32) []byte {
	meta := kmsg.NewConsumerMemberMetadata()
	meta.Version = 3
	meta.Topics = interests
	meta.Generation = generation
	return meta.AppendTo(nil)
}

func (ownerBalancer) ParseSyncAssignment(assignment []byte) (map[string][]int32, error) {
	return kgo.ParseConsumerSyncAssignment(assignment)
}

func (o ownerBalancer) MemberBalancer(members []kmsg.JoinGroupResponseMember) (kgo.GroupMemberBalancer, map[string]struct{}, error) {
	b, err := kgo.NewConsumerBalancer(o, members)
	if err != nil {
		return nil, nil, err
	}
	return b, b.MemberTopics(), nil
}

// Balance gives every partition of every topic to the leader (this
// client: only the leader balances).
func (ownerBalancer) Balance(b *kgo.ConsumerBalancer, topics map[string]int32) kgo.IntoSyncAssignment {
	members := b.Members()
	leader := &members[0]
	for i := range members {
		if members[i].MemberID == b.Info().LeaderID {
			leader = &members[i]
		}
	}
	plan := b.NewPlan()
	for topic, n := range topics {
		ps := make([]int32, n)
		for i := range ps {
			ps[i] = int32(i)
		}
		plan.AddPartitions(leader, topic, ps)
	}
	return plan
}

// groupOptions make the consuming client a member of the group: the
// partitions come from ownerBalancer; their offsets from the source's
// position (the checkpoint's, or startup's), never from the group's
// commits; offsets are committed only by Committed, after a checkpoint
// holding them is durable; polls and rebalances exclude each other so
// that the position is exact when partitions are revoked.
func (s *Source) groupOptions() []kgo.Opt {
	return []kgo.Opt{
		kgo.ConsumerGroup(s.group),
		kgo.ConsumeTopics(s.topic),
		kgo.Balancers(ownerBalancer{}),
		kgo.DisableAutoCommit(),
		kgo.BlockRebalanceOnPoll(),
		kgo.OnPartitionsAssigned(s.onAssigned),
		kgo.OnPartitionsRevoked(s.onRevoked),
		kgo.OnPartitionsLost(s.onRevoked),
		kgo.AdjustFetchOffsetsFn(s.adjustOffsets),
	}
}

// onAssigned runs after every join of the group. A member assigned no
// partition is a second job instance on the group: it must not read (the
// first one owns the topic), so the source stops with an error.
func (s *Source) onAssigned(_ context.Context, cl *kgo.Client, assigned map[string][]int32) {
	_, generation := cl.GroupMetadata()
	ps := assigned[s.topic]
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(ps) == 0 {
		s.refused = fmt.Errorf("kafka source %s: consumer group %s is already used by another member, which owns every partition of the topic (another instance of this job, or another consumer): a Laminar job reads all partitions of its topic itself, so it does not share a group; stop the other member or give this job a group of its own", s.topic, s.group)
		return
	}
	s.owned = len(ps)
	s.env.Log("kafka source %s: member of consumer group %s (generation %d), owning all %d partitions", s.topic, s.group, generation, len(ps))
}

func (s *Source) onRevoked(_ context.Context, _ *kgo.Client, revoked map[string][]int32) {
	s.mu.Lock()
	s.owned = 0
	s.mu.Unlock()
}

// adjustOffsets starts every assigned partition at the source's position,
// whatever the group committed: the checkpoint is the source of truth, and
// the group's offsets may be behind it (the commit after the last
// checkpoint may not have happened).
func (s *Source) adjustOffsets(_ context.Context, offsets map[string]map[int32]kgo.Offset) (map[string]map[int32]kgo.Offset, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for p := range offsets[s.topic] {
		if off, ok := s.next[p]; ok {
			offsets[s.topic][p] = kgo.NewOffset().At(off).WithEpoch(-1)
		}
	}
	return offsets, nil
}

// Committed implements connector.Committer: the checkpoint holding pos is
// durable, so its offsets are committed to the group (asynchronously; a
// failed commit is logged, and the next checkpoint's commit covers it).
// Lag tools (kafka-consumer-groups --describe) then see how far the job's
// durable state is behind the topic. Without a group nothing is committed.
func (s *Source) Committed(pos connector.Position) {
	if s.group == "" {
		return
	}
	offs := map[int32]kgo.EpochOffset{}
	changed := false
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, o := range pos.Offsets {
		var p int32
		if _, err := fmt.Sscan(k, &p); err != nil {
			continue
		}
		offs[p] = kgo.EpochOffset{Epoch: -1, Offset: o}
		if s.committed[p] != o {
			changed = true
		}
	}
	if !changed {
		return
	}
	if s.closed {
		// the job's last checkpoint comes after its sources closed (a
		// bounded read ended): the member has left the group, which now
		// takes a commit outside any generation
		if err := s.commitAfterClose(offs); err != nil {
			s.env.Log("kafka source %s: committing the last checkpoint's offsets to consumer group %s: %v (the checkpoint holds them)", s.topic, s.group, err)
			return
		}
		for p, o := range offs {
			s.committed[p] = o.Offset
		}
		return
	}
	s.commits.Add(1)
	s.cl.CommitOffsets(context.Background(), map[string]map[int32]kgo.EpochOffset{s.topic: offs},
		func(_ *kgo.Client, _ *kmsg.OffsetCommitRequest, resp *kmsg.OffsetCommitResponse, err error) {
			defer s.commits.Done()
			if err == nil {
				err = commitError(resp)
			}
			if err != nil {
				s.env.Log("kafka source %s: committing offsets to consumer group %s: %v (the checkpoint holds them; the next checkpoint commits again)", s.topic, s.group, err)
				return
			}
			s.mu.Lock()
			for p, o := range offs {
				s.committed[p] = o.Offset
			}
			s.mu.Unlock()
		})
}

func commitError(resp *kmsg.OffsetCommitResponse) error {
	for _, t := range resp.Topics {
		for _, p := range t.Partitions {
			if p.ErrorCode != 0 {
				return fmt.Errorf("partition %d: %w", p.Partition, kerr.ErrorForCode(p.ErrorCode))
			}
		}
	}
	return nil
}

// waitCommits waits, up to 10 s, for the commits in flight: the last
// checkpoint's offsets reach the group before the source leaves it.
func (s *Source) waitCommits() {
	done := make(chan struct{})
	go func() {
		s.commits.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		s.env.Log("kafka source %s: the offsets of the last checkpoint were not committed to consumer group %s within 10 s; the checkpoint holds them", s.topic, s.group)
	}
}

// commitAfterClose commits offs with a client of its own, as no member
// (generation -1), which a group without members accepts.
func (s *Source) commitAfterClose(offs map[int32]kgo.EpochOffset) error {
	cl, err := kgo.NewClient(s.plainOpts...)
	if err != nil {
		return err
	}
	defer cl.Close()
	req := kmsg.NewPtrOffsetCommitRequest()
	req.Group = s.group
	req.Generation = -1
	t := kmsg.NewOffsetCommitRequestTopic()
	t.Topic, t.TopicID = s.topic, s.topicID
	for p, o := range offs {
		rp := kmsg.NewOffsetCommitRequestTopicPartition()
		rp.Partition, rp.Offset, rp.LeaderEpoch = p, o.Offset, -1
		t.Partitions = append(t.Partitions, rp)
	}
	req.Topics = append(req.Topics, t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		return err
	}
	return commitError(resp)
}
