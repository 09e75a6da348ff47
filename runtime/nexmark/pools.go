package nexmark

import (
	"math/bits"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/laminar-sql/laminar/runtime/immortal"
)

// The generator never builds a string per event: every random string is a
// substring of a pool (slicing a string does not allocate) or an entry of a table
// built once per process from a fixed seed, independent of Config.Seed.

const (
	poolSeed = 0x6e65786d61726b // "nexmark"

	// A random string starts at a uniform offset in [0, poolSpan) of its pool.
	poolSpan = 1 << 16
	// maxExtraLen bounds an extra field: the largest average (auction, 500
	// bytes) plus 20%.
	maxExtraLen = 600
	// maxTextLen bounds nextString's maximum length (an auction description).
	maxTextLen = 100

	emailPoolSize = 1 << 13
	cardGroups    = 1 << 14 // groups of 4 digits in the credit card pool

	channelCount    = 10_000 // channel-0 .. channel-9999
	minStringLength = 3      // shortest random string, as the reference
)

var (
	firstNames = []string{"Peter", "Paul", "Luke", "John", "Saul", "Vicky", "Kate", "Julie", "Sarah", "Deiter", "Walter"}
	lastNames  = []string{"Shultz", "Abrams", "Spencer", "White", "Bartels", "Walton", "Smith", "Jones", "Noris"}
	usStates   = []string{"AZ", "CA", "ID", "OR", "WA", "WY"}
	usCities   = []string{"Phoenix", "Los Angeles", "San Francisco", "Boise", "Portland", "Bend", "Redmond", "Seattle", "Kent", "Cheyenne"}
	// Half of all bids come through one of these, each with one fixed URL.
	hotChannels = []string{"Google", "Facebook", "Baidu", "Apple"}
)

type stringPools struct {
	letters  string   // lowercase letters, for extra
	text     string   // lowercase letters and 1 in 13 spaces, for names and descriptions
	cards    string   // "dddd dddd dddd ..." groups of 4 digits
	emails   []string // "<3-6 chars>@<3-4 chars>.com"
	names    []string // every "First Last"
	hotURLs  []string // one per hot channel
	channels []string // "channel-i"
	urls     []string // URL of channel-i, 90% with "&channel_id=..."
	// the fixed tables, as copies in the pools' immortal memory
	hotChannels, cities, states []string
}

var pools = sync.OnceValue(buildPools)

func buildPools() *stringPools {
	r := random{state: poolSeed}
	p := &stringPools{
		letters: randomString(&r, poolSpan+maxExtraLen, 0),
		text:    randomString(&r, poolSpan+maxTextLen, ' '),
	}

	var cards strings.Builder
	for range cardGroups + 3 {
		cards.WriteString(strconv.FormatInt(10000+r.intn(10000), 10)[1:])
		cards.WriteByte(' ')
	}
	p.cards = cards.String()

	p.emails = make([]string, emailPoolSize)
	for i := range p.emails {
		p.emails[i] = boundedString(&r, 7, ' ') + "@" + boundedString(&r, 5, ' ') + ".com"
	}

	for _, first := range firstNames {
		for _, last := range lastNames {
			p.names = append(p.names, first+" "+last)
		}
	}
	for range hotChannels {
		p.hotURLs = append(p.hotURLs, baseURL(&r))
	}

	p.channels = make([]string, channelCount)
	p.urls = make([]string, channelCount)
	for i := range channelCount {
		p.channels[i] = "channel-" + strconv.Itoa(i)
		url := baseURL(&r)
		if r.intn(10) > 0 {
			url += "&channel_id=" + strconv.FormatInt(channelID(i), 10)
		}
		p.urls[i] = url
	}
	p.hotChannels, p.cities, p.states = slices.Clone(hotChannels), slices.Clone(usCities), slices.Clone(usStates)
	p.move()
	return p
}

// move copies every string of the pools, and the fixed names, into
// immortal memory (one block outside the heap): they live as long as the
// process, so join state that keeps rows in unscanned memory keeps them as
// they are, without copying their bytes (runtime/join's arena), and the
// collector never marks them.
func (p *stringPools) move() {
	long := []string{p.letters, p.text, p.cards}
	immortal.Move(long, p.emails, p.names, p.hotURLs, p.channels, p.urls, p.hotChannels, p.cities, p.states)
	p.letters, p.text, p.cards = long[0], long[1], long[2]
}

// channelID is the reference's Math.abs(Integer.reverse(i)), computed in 64
// bits so that the reversal of 1 (Integer.MIN_VALUE) stays positive.
func channelID(i int) int64 {
	reversed := int64(int32(bits.Reverse32(uint32(i))))
	if reversed < 0 {
		return -reversed
	}
	return reversed
}

// baseURL is the reference's URL shape: three path parts of 3-4 characters.
func baseURL(r *random) string {
	return "https://www.nexmark.com/" + boundedString(r, 5, '_') + "/" +
		boundedString(r, 5, '_') + "/" + boundedString(r, 5, '_') + "/item.htm?query=1"
}

// boundedString is the reference's nextString: length in [3, maxLength), each
// character a lowercase letter or, 1 in 13, the spacer; trimmed if the spacer is
// a space. It allocates, so it only builds pools.
func boundedString(r *random, maxLength int, spacer byte) string {
	s := randomString(r, minStringLength+int(r.intn(int64(maxLength-minStringLength))), spacer)
	if spacer == ' ' {
		s = strings.Trim(s, " ")
	}
	return s
}

// randomString returns n lowercase letters; if spacer is not 0, each character
// is the spacer with probability 1/13 instead.
func randomString(r *random, n int, spacer byte) string {
	b := make([]byte, n)
	for i := range b {
		if spacer != 0 && r.intn(13) == 0 {
			b[i] = spacer
		} else {
			b[i] = byte('a' + r.intn(26))
		}
	}
	return string(b)
}
