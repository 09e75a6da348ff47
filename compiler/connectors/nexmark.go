package connectors

import (
	"fmt"
	"slices"
	"strings"

	"github.com/laminar-sql/laminar/compiler/diag"
	"github.com/laminar-sql/laminar/compiler/plan"
	"github.com/laminar-sql/laminar/compiler/types"
)

// nexmarkField is a column of a Nexmark table and the generator's Go field.
type nexmarkField struct {
	sql   string // as in the Nexmark suite
	field string // runtime/nexmark struct field
	kind  types.Kind
}

var nexmarkTables = map[string]struct {
	event  string // Person, Auction or Bid: the Event member
	fields []nexmarkField
}{
	"person": {"Person", []nexmarkField{
		{"id", "ID", types.Int}, {"name", "Name", types.String}, {"emailAddress", "EmailAddress", types.String},
		{"creditCard", "CreditCard", types.String}, {"city", "City", types.String}, {"state", "State", types.String},
		{"dateTime", "DateTime", types.Timestamp}, {"extra", "Extra", types.String}}},
	"auction": {"Auction", []nexmarkField{
		{"id", "ID", types.Int}, {"itemName", "ItemName", types.String}, {"description", "Description", types.String},
		{"initialBid", "InitialBid", types.Int}, {"reserve", "Reserve", types.Int}, {"dateTime", "DateTime", types.Timestamp},
		{"expires", "Expires", types.Timestamp}, {"seller", "Seller", types.Int}, {"category", "Category", types.Int},
		{"extra", "Extra", types.String}}},
	"bid": {"Bid", []nexmarkField{
		{"auction", "Auction", types.Int}, {"bidder", "Bidder", types.Int}, {"price", "Price", types.Int},
		{"channel", "Channel", types.String}, {"url", "URL", types.String}, {"dateTime", "DateTime", types.Timestamp},
		{"extra", "Extra", types.String}}},
}

// normName compares column names ignoring case and underscores, so that
// dateTime, "dateTime", datetime and date_time all name the same field.
func normName(s string) string { return strings.ToLower(strings.ReplaceAll(s, "_", "")) }

// bindNexmark maps the declared columns of a Nexmark source to the
// generator's fields (runtime/nexmark.Event and its Person, Auction and Bid).
// The table is the `table` option, or the source's name.
func bindNexmark(src *plan.Source) (*plan.TypedBinding, []Problem) {
	table := strings.ToLower(src.Options["table"])
	if table == "" {
		table = strings.ToLower(src.Name)
	}
	t, ok := nexmarkTables[table]
	if !ok {
		return nil, []Problem{{Column: -1, Code: diag.BadOption, Msg: fmt.Sprintf("Nexmark source %s: unknown table %q", src.Name, table),
			Hint: "name the source person, auction or bid, or set table = 'bid'"}}
	}
	tb := &plan.TypedBinding{Elem: "nexmark.Event", Filter: "Kind", FilterValue: "nexmark.Kind" + t.event, Row: t.event, RowType: "nexmark." + t.event}
	var problems []Problem
	for i, c := range src.Schema {
		found := false
		for _, f := range t.fields {
			if normName(f.sql) != normName(c.Name) {
				continue
			}
			found = true
			if c.Type.Kind != f.kind {
				problems = append(problems, Problem{Column: i, AtType: true, Code: diag.TypeMismatch, Msg: fmt.Sprintf("Nexmark %s.%s is %s, not %s", table, f.sql, f.kind, c.Type.Kind)})
			}
			tb.Fields = append(tb.Fields, f.field)
		}
		if !found {
			names := make([]string, len(t.fields))
			for j, f := range t.fields {
				names[j] = f.sql
			}
			problems = append(problems, Problem{Column: i, Code: diag.UnknownColumn, Msg: fmt.Sprintf("Nexmark table %s has no column %q", table, c.Name),
				Hint: fmt.Sprintf("columns: %s", strings.Join(names, ", "))})
		}
	}
	for _, k := range []string{"events", "rate", "seed", "partitions", "partition", "base_time", "out_of_order_group"} {
		if v, ok := src.Options[k]; ok && !isNumber(v) {
			problems = append(problems, Problem{Column: -1, Code: diag.BadOption, Msg: fmt.Sprintf("Nexmark option %s must be a number, not %q", k, v)})
		}
	}
	// the generator makes each person and each auction once, its id from
	// its event number (runtime/nexmark): the id is unique over the stream
	if t.event == "Person" || t.event == "Auction" {
		for i, c := range src.Schema {
			if normName(c.Name) == "id" && !slices.ContainsFunc(src.Unique, func(u []int) bool { return slices.Equal(u, []int{i}) }) {
				src.Unique = append(src.Unique, []int{i})
			}
		}
	}
	return tb, problems
}

func isNumber(s string) bool {
	if s == "" {
		return false
	}
	dot := false
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
		case r == '.' && !dot:
			dot = true
		case (r == '-' || r == '+') && i == 0:
		case r == '_' || r == 'e' || r == 'E':
		default:
			return false
		}
	}
	return true
}
