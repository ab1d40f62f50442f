package memory

import (
	"math/bits"
	"slices"
	"time"
)

// A poolIndex answers, for a pool and a slot [start, end), which of the
// pool's gateways hold a booking overlapping the slot: a bitset over the
// gateways in allocation order (bit i is the gateway at position i of
// Store.pools, gw.pos). FirstFree then takes the first enabled gateway
// whose bit is clear: a scan of words. Checking the gateways one by one
// costs a binary search each, most of them cache misses: about 1 ms when
// 9,000 of 10,000 gateways are busy, against 1 to 2 µs with the index.
//
// Time is cut into leaves of leafWidth (an hour), numbered from the Unix
// epoch. A booking is recorded in two ways:
//
//   - the leaves it covers whole: the run of them is cut into aligned
//     power-of-two blocks, as in a segment tree (node k of level l covers
//     leaves [k<<l, (k+1)<<l)), and each block's node gets a cover item
//     for the booking's gateway: at most two nodes per level, so a
//     booking of weeks costs a few items, not one per hour;
//   - the leaves it overlaps without covering them, at most two (where it
//     starts, where it ends): there, the piece of the booking inside the
//     leaf, as a head (from inside the leaf to its end), a tail (from the
//     leaf's start to inside it) or an inner piece, with the gateway.
//
// For a slot, every node of every level that shares a leaf with the slot
// marks the gateways of its covers busy (the booking covers a leaf that
// the slot overlaps), and every piece in the slot's leaves marks its
// gateway when the piece overlaps the slot. A booking overlaps the slot
// if and only if it overlaps one of the slot's leaves, either covering it
// or not, so the answer is exact: no gateway needs a second look, however
// bookings and slots fall on leaf boundaries. (A coarser index that only
// marks gateways as "may be busy" must check those with a binary search
// each, which is the cost it was meant to save when many bookings start
// or end near the slot's edges.)
//
// A node keeps its items in one list of 8-byte words, grouped by kind:
// covers, heads, tails, inner pieces, so that a slot's part of a leaf
// selects them with one comparison each (all the covers; the heads
// starting before the part's end: all of them when the part runs to the
// leaf's end; the tails ending after the part's start). Once a node holds
// more than words+8 covers (words: the 64-bit words of a bitset over the
// pool), they move to a bitset, which takes less memory than their items
// and less time to OR than they take to mark; beyond 2*words+8 heads or
// tails, these move to a list of their own with a bitset besides, ORed
// when all of them overlap the slot. Dense leaves, where thousands of
// bookings start or end within the hour, cost a few hundred word
// operations that way.
//
// Cost, measured with a year of 1- to 3-hour bookings, 100 per gateway:
// a 2-hour slot reads about five nodes (a microsecond or two, mostly cache
// misses); each booking and release edits two or three nodes (a few
// hundred nanoseconds, the same misses); the index takes some 37 bytes
// per booking at 10,000 or 1,000 gateways, on top of about 125 for the
// booking itself. Small pools are not indexed (see minIndexed).
//
// Every booking and release keeps the index up to date (Store.bookLocked,
// Store.unbookLocked). It is built by the first allocation by rule after
// the pool's order changes (a gateway created in the middle of the order,
// moved to or from the pool, reordered or deleted): about 0.3 s for a
// million bookings. A gateway created at the end of the order is
// appended; enabling or disabling one flips its bit in enabled.
type poolIndex struct {
	n       int      // gateways
	enabled []uint64 // bit i: the gateway at position i is enabled
	busy    []uint64 // scratch for busyDuring
	// levels[l] holds the nodes of 2^l leaves by block number; a node of
	// level 0 is a leaf, the only kind that has pieces.
	levels []map[int64]node
	spare  [][]uint64 // item lists of dropped nodes, for reuse: a book-release loop allocates nothing
}

// node is a block of leaves: its items (see item), but for the kinds
// moved to dense.
type node struct {
	items []uint64
	dense *denseNode
	// The covers, heads and tails in items.
	counts [kindTail + 1]uint16
}

// denseNode holds the kinds of items of a node that have grown too many
// for its list: covers as a bitset, heads and tails as lists (items) with
// a bitset each besides. A kind is there when its bitset is not nil; it
// stays there until the node empties.
type denseNode struct {
	covers             []uint64
	nCovers            int
	heads, tails       []uint64
	headBits, tailBits []uint64
}

// An item is a 64-bit word: kind<<kindShift | position<<offsetBits |
// offset, where position is the gateway's and offset (below 2^42 ns, 73
// minutes) is, from the leaf's start, the start of a head, the end of a
// tail, the start of an inner piece (kindInner) or its end (kindInnerEnd,
// the item right after it). A cover has no offset.
const (
	kindCover = iota
	kindHead
	kindTail
	kindInner
	kindInnerEnd
)

const (
	leafWidth  = int64(time.Hour)
	offsetBits = 42
	offsetMask = 1<<offsetBits - 1
	posBits    = 19
	posMask    = 1<<posBits - 1
	kindShift  = offsetBits + posBits
	// maxIndexed is the number of gateways from which a pool goes
	// unindexed: the positions an item can hold.
	maxIndexed = 1 << posBits
	// minIndexed is the number of gateways below which a pool goes
	// unindexed: checking its gateways one by one costs a few
	// microseconds at most, and the index of a small pool holds a
	// handful of items per node, 70 to 130 bytes per booking with 100 to
	// 20 gateways.
	minIndexed = 128
	maxSpare   = 64
)

// A leaf's offsets must fit their bits, and the kinds theirs.
var (
	_ [offsetMask - leafWidth]struct{}
	_ [1<<(64-kindShift) - 1 - kindInnerEnd]struct{}
)

func item(kind, pos int, offset int64) uint64 {
	return uint64(kind)<<kindShift | uint64(pos)<<offsetBits | uint64(offset)
}

func itemPos(x uint64) uint64 { return x >> offsetBits & posMask }

// newPoolIndex indexes the gateways of a pool, in order (list[i].pos == i).
func newPoolIndex(list []*gw) *poolIndex {
	ix := &poolIndex{}
	for _, g := range list {
		ix.appendGateway(g)
	}
	return ix
}

// appendGateway adds g, with its bookings, at the end of the order.
func (ix *poolIndex) appendGateway(g *gw) {
	i := ix.n
	ix.n++
	if (ix.n+63)>>6 > len(ix.enabled) {
		ix.enabled = append(ix.enabled, 0)
		ix.busy = append(ix.busy, 0)
	}
	ix.setEnabled(i, g.g.Enabled)
	for _, e := range g.bookings {
		ix.update(i, e.start, e.end, true)
	}
}

func (ix *poolIndex) setEnabled(i int, on bool) {
	if on {
		ix.enabled[i>>6] |= 1 << (i & 63)
	} else {
		ix.enabled[i>>6] &^= 1 << (i & 63)
	}
}

// floorDiv is a / b rounded down (times before 1970 are refused
// upstream, but the index does not rely on it).
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

// update adds (add) or removes the booking [start, end) of the gateway
// at position i.
func (ix *poolIndex) update(i int, start, end int64, add bool) {
	const w = leafWidth
	b0, b1 := floorDiv(start, w), floorDiv(end-1, w)   // the leaves it overlaps
	c0, c1 := floorDiv(start+w-1, w), floorDiv(end, w) // the leaves [c0, c1) it covers
	for b := b0; ; b = b1 {
		if b < c0 || b >= c1 {
			base := b * w
			lo, hi := max(start, base)-base, min(end, base+w)-base
			switch {
			case hi == w:
				ix.edit(0, b, item(kindHead, i, lo), 0, add)
			case lo == 0:
				ix.edit(0, b, item(kindTail, i, hi), 0, add)
			default:
				ix.edit(0, b, item(kindInner, i, lo), item(kindInnerEnd, i, hi), add)
			}
		}
		if b == b1 {
			break
		}
	}
	for c0 < c1 {
		l := min(bits.TrailingZeros64(uint64(c0)), bits.Len64(uint64(c1-c0))-1)
		ix.edit(l, c0>>l, item(kindCover, i, 0), 0, add)
		c0 += 1 << l
	}
}

// edit adds or removes item x (and x2, the end of an inner piece) in node
// k of level l.
func (ix *poolIndex) edit(l int, k int64, x, x2 uint64, add bool) {
	for len(ix.levels) <= l {
		ix.levels = append(ix.levels, map[int64]node{})
	}
	lv := ix.levels[l]
	nd := lv[k]
	kind := x >> kindShift
	words := len(ix.enabled)
	switch {
	case nd.dense.has(kind):
		nd.dense.edit(x, add, words)
	case kind == kindInner && add:
		nd.items = append(ix.itemsOf(nd), x, x2)
	case kind == kindInner:
		j := len(nd.items) - 2 // the last booking made is the likeliest to go first
		for nd.items[j] != x {
			j -= 2
		}
		nd.items = slices.Delete(nd.items, j, j+2)
	case add:
		nd.items = nd.insert(ix.itemsOf(nd), kind, x)
		if nd.counts[kind]++; int(nd.counts[kind]) > denseFrom(kind, words) {
			nd.densify(kind, words)
		}
	default:
		nd.items = nd.remove(nd.items, kind, x)
		nd.counts[kind]--
	}
	if add || len(nd.items) > 0 || !nd.dense.empty() {
		lv[k] = nd
		return
	}
	delete(lv, k)
	if nd.items != nil && cap(nd.items) <= 16 && len(ix.spare) < maxSpare {
		ix.spare = append(ix.spare, nd.items)
	}
}

// itemsOf returns the items of nd, a spare list if it has none.
func (ix *poolIndex) itemsOf(nd node) []uint64 {
	if n := len(ix.spare); nd.items == nil && n > 0 {
		nd.items = ix.spare[n-1]
		ix.spare = ix.spare[:n-1]
	}
	return nd.items
}

// group returns where the items of kind (not kindInner) lie in items:
// the covers first, then the heads, then the tails, then the inner
// pieces, so that a slot's part of the leaf selects them with few
// comparisons.
func (nd *node) group(kind uint64) (begin, end int) {
	for k := range kind {
		begin += int(nd.counts[k])
	}
	return begin, begin + int(nd.counts[kind])
}

// insert adds x, a cover, head or tail, at the end of its group in items
// (nd's, or a spare list): the first item of each later group moves to
// the group's end, and the inner pieces (rare) shift, where inserting in
// place would move every later item, in memory that is often cold.
func (nd *node) insert(items []uint64, kind, x uint64) []uint64 {
	_, hole := nd.group(kindTail) // the end of the tails
	n := len(items)
	items = append(items, 0)
	copy(items[hole+1:], items[hole:n])
	for k := uint64(kindTail); k > kind; k-- {
		begin := hole - int(nd.counts[k])
		items[hole] = items[begin]
		hole = begin
	}
	items[hole] = x
	return items
}

// remove deletes x, a cover, head or tail, from items, the reverse of
// insert: the last item of its group fills its place, the last item of
// each later group the place left at the group's start.
func (nd *node) remove(items []uint64, kind, x uint64) []uint64 {
	_, end := nd.group(kind)
	j := end - 1 // the last booking made is the likeliest to go first
	for items[j] != x {
		j--
	}
	hole := end - 1
	items[j] = items[hole]
	for k := kind + 1; k <= kindTail; k++ {
		end += int(nd.counts[k])
		items[hole] = items[end-1]
		hole = end - 1
	}
	copy(items[hole:], items[end:])
	return items[:len(items)-1]
}

// denseFrom is the number of items of a kind from which a node moves them
// to dense, for a pool of words 64-bit words: covers when a bitset takes
// less memory than their items, heads and tails (which stay items too)
// when a bitwise OR costs less time than marking them one by one.
func denseFrom(kind uint64, words int) int {
	if kind == kindCover {
		return words + 8
	}
	return 2*words + 8
}

// densify moves the items of a kind from items to dense.
func (nd *node) densify(kind uint64, words int) {
	if nd.dense == nil {
		nd.dense = &denseNode{}
	}
	d := nd.dense
	switch kind {
	case kindCover:
		d.covers = make([]uint64, words)
	case kindHead:
		d.headBits = make([]uint64, words)
	case kindTail:
		d.tailBits = make([]uint64, words)
	}
	begin, end := nd.group(kind)
	for _, x := range nd.items[begin:end] {
		d.edit(x, true, words)
	}
	nd.items = slices.Delete(nd.items, begin, end)
	nd.counts[kind] = 0
}

// has reports whether d holds the items of kind.
func (d *denseNode) has(kind uint64) bool {
	if d == nil {
		return false
	}
	switch kind {
	case kindCover:
		return d.covers != nil
	case kindHead:
		return d.headBits != nil
	case kindTail:
		return d.tailBits != nil
	}
	return false
}

func (d *denseNode) empty() bool {
	return d == nil || d.nCovers == 0 && len(d.heads) == 0 && len(d.tails) == 0
}

// edit adds or removes a cover, head or tail.
func (d *denseNode) edit(x uint64, add bool, words int) {
	i := int(itemPos(x))
	switch x >> kindShift {
	case kindCover:
		if add {
			d.covers = setBit(d.covers, i, words)
			d.nCovers++
		} else {
			d.covers[i>>6] &^= 1 << (i & 63)
			d.nCovers--
		}
	case kindHead:
		d.heads, d.headBits = editList(d.heads, d.headBits, x, i, add, words)
	case kindTail:
		d.tails, d.tailBits = editList(d.tails, d.tailBits, x, i, add, words)
	}
}

// editList adds or removes x, of the gateway at position i, in list and
// its bitset: a gateway has at most one head and one tail per leaf.
func editList(list, bs []uint64, x uint64, i int, add bool, words int) ([]uint64, []uint64) {
	if add {
		return append(list, x), setBit(bs, i, words)
	}
	j := len(list) - 1
	for list[j] != x {
		j--
	}
	list[j] = list[len(list)-1]
	bs[i>>6] &^= 1 << (i & 63)
	return list[:len(list)-1], bs
}

// setBit sets bit i of bs, grown to words if need be.
func setBit(bs []uint64, i, words int) []uint64 {
	if i>>6 >= len(bs) {
		bs = append(bs, make([]uint64, words-len(bs))...)
	}
	bs[i>>6] |= 1 << (i & 63)
	return bs
}

// busyDuring returns the gateways holding a booking that overlaps [start,
// end), by position, exactly. The slice is the index's scratch: valid
// until the next call.
func (ix *poolIndex) busyDuring(start, end int64) []uint64 {
	busy := ix.busy
	clear(busy)
	b0, b1 := floorDiv(start, leafWidth), floorDiv(end-1, leafWidth)
	for l, lv := range ix.levels {
		k0, k1 := b0>>l, b1>>l
		if k1-k0 < int64(len(lv)) {
			for k := k0; k <= k1; k++ {
				if nd, ok := lv[k]; ok {
					markNode(busy, nd, l, k, start, end)
				}
			}
			continue
		}
		// A slot longer than the level has nodes (weeks, years): visit
		// the nodes rather than the blocks.
		for k, nd := range lv {
			if k >= k0 && k <= k1 {
				markNode(busy, nd, l, k, start, end)
			}
		}
	}
	return busy
}

// markNode sets the bits of the gateways with an item in node k of level
// l that overlaps [start, end), a slot that shares a leaf with the node.
func markNode(busy []uint64, nd node, l int, k, start, end int64) {
	// The part [lo, hi) of the slot in the leaf: all of it for a block
	// (only covers there).
	lo, hi := uint64(0), uint64(leafWidth)
	if l == 0 {
		base := k * leafWidth
		lo, hi = uint64(max(start, base)-base), uint64(min(end, base+leafWidth)-base)
	}
	items := nd.items
	nc, nh, nt := int(nd.counts[kindCover]), int(nd.counts[kindHead]), int(nd.counts[kindTail])
	for _, x := range items[:nc] {
		mark(busy, itemPos(x))
	}
	markHeads(busy, items[nc:nc+nh], hi)
	markTails(busy, items[nc+nh:nc+nh+nt], lo)
	inner := items[nc+nh+nt:]
	for j := 0; j+1 < len(inner); j += 2 {
		if inner[j]&offsetMask < hi && inner[j+1]&offsetMask > lo {
			mark(busy, itemPos(inner[j]))
		}
	}
	if d := nd.dense; d != nil {
		// All the heads overlap the slot when it runs to the leaf's end,
		// all the tails when it starts at the leaf's start.
		orInto(busy, d.covers)
		if hi == uint64(leafWidth) {
			orInto(busy, d.headBits)
		} else {
			markHeads(busy, d.heads, hi)
		}
		if lo == 0 {
			orInto(busy, d.tailBits)
		} else {
			markTails(busy, d.tails, lo)
		}
	}
}

// markHeads marks the gateways of heads, pieces [h, leafWidth), that
// overlap [lo, hi): those with h < hi.
func markHeads(busy, heads []uint64, hi uint64) {
	for _, x := range heads {
		if x&offsetMask < hi {
			mark(busy, itemPos(x))
		}
	}
}

// markTails marks the gateways of tails, pieces [0, t), that overlap
// [lo, hi): those with t > lo.
func markTails(busy, tails []uint64, lo uint64) {
	for _, x := range tails {
		if x&offsetMask > lo {
			mark(busy, itemPos(x))
		}
	}
}

func orInto(dst, src []uint64) {
	for w, x := range src {
		dst[w] |= x
	}
}

func mark(busy []uint64, i uint64) { busy[i>>6] |= 1 << (i & 63) }
