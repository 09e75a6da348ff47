package physical

// DedupSideOf is dedupSide, for tests of plans changed by hand.
var DedupSideOf = dedupSide
