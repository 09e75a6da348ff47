package physical

import "strings"

// Kind names what the operator does, for explain --analyze and /status:
// "window aggregate", "aggregate", "interval left join", "union", "project".
func (o *Operator) Kind() string {
	switch {
	case o.Union:
		return "union"
	case o.Join != nil:
		kind := strings.ToLower(o.Join.Kind.String()) + " join"
		if o.Join.Interval != nil {
			kind = "interval " + kind
		}
		return kind
	case o.Agg != nil && o.Windowed():
		return "window aggregate"
	case o.Agg != nil:
		return "aggregate"
	}
	return "project"
}

// InputNames are the operators and sources ("source trades") it reads.
func (o *Operator) InputNames() []string {
	var names []string
	if o.Source != nil {
		names = append(names, "source "+o.Source.Name)
	}
	for _, in := range o.Inputs {
		names = append(names, in.Name)
	}
	return names
}
