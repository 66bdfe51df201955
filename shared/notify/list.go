package notify

import (
	"context"
	"encoding/json"
	"strings"
	"time"
)

// A member's list of notifications is their own notifications and the broadcasts they
// see, merged newest first and paged as one list: every page holds at most limit items,
// each item is served once, in order across pages. A page reads the member (audience,
// account creation), one Query of the audience's broadcasts not served yet (at most
// MaxBroadcasts), one page of the member's own, and, when broadcasts are on the page, one
// Query of the member's read markers. Nothing is stored per member for a broadcast until
// they mark it read.

// listPosition is where the list goes on: the member's own notifications after the one
// with id Own ("" from the newest; OwnDone when none is left), the broadcasts after the
// last item served (At, in Unix milliseconds, and ID), in the list's order.
type listPosition struct {
	Own     string `json:"o,omitempty"`
	OwnDone bool   `json:"d,omitempty"`
	At      int64  `json:"t"`
	ID      string `json:"i"`
}

// newer is the list's order: newest first by millisecond, then by id, descending (within
// the member's own, the store's order: their ids sort by their millisecond first).
func newer(a, b Notification) bool {
	am, bm := a.CreatedAt.UnixMilli(), b.CreatedAt.UnixMilli()
	return am > bm || am == bm && a.ID > b.ID
}

// listMerged reads one page after the position after ("" for the first page) and returns
// the position of the next one ("" on the last page).
func (s *Service) listMerged(ctx context.Context, memberID, after string, limit int, now time.Time) ([]Notification, string, error) {
	var pos listPosition
	legacy := false
	if after != "" && (!strings.HasPrefix(after, "{") || json.Unmarshal([]byte(after), &pos) != nil) {
		// A cursor issued before broadcasts existed holds the store's position alone:
		// that page lists the member's own notifications only.
		pos, legacy = listPosition{Own: after}, true
	}
	bound := after != "" && !legacy // the broadcasts up to pos.At/pos.ID are served
	served := Notification{ID: pos.ID, CreatedAt: time.UnixMilli(pos.At).UTC()}

	var cands []Notification // the broadcasts the member sees, not served yet, newest first
	if !legacy {
		bs, err := s.visibleBroadcasts(ctx, memberID, bound, served.CreatedAt, now)
		if err != nil {
			return nil, "", err
		}
		for _, b := range bs {
			if n := b.Notification(false); !bound || newer(served, n) {
				cands = append(cands, n)
			}
		}
	}

	var own []Notification
	ownNext := ""
	if !pos.OwnDone {
		var err error
		if own, ownNext, err = s.Store.ListNotifications(ctx, memberID, pos.Own, limit); err != nil {
			return nil, "", err
		}
	}
	// While more of the member's own follow, a broadcast older than the last one read
	// waits for a later page (a page of the store may be short).
	inRange := cands
	if ownNext != "" && len(own) > 0 {
		oldest, n := own[len(own)-1], 0
		for n < len(cands) && newer(cands[n], oldest) {
			n++
		}
		inRange = cands[:n]
	}
	page := make([]Notification, 0, min(limit, len(own)+len(inRange)))
	var broadcastAt []int
	i, j := 0, 0
	for len(page) < limit && (i < len(own) || j < len(inRange)) {
		if j == len(inRange) || i < len(own) && newer(own[i], inRange[j]) {
			page, i = append(page, own[i]), i+1
		} else {
			broadcastAt = append(broadcastAt, len(page))
			page, j = append(page, inRange[j]), j+1
		}
	}
	if err := s.markRead(ctx, memberID, page, broadcastAt); err != nil {
		return nil, "", err
	}
	if len(page) == 0 {
		return page, "", nil
	}

	last := page[len(page)-1]
	next := listPosition{At: last.CreatedAt.UnixMilli(), ID: last.ID}
	switch {
	case i == len(own): // every own notification read is served
		next.Own, next.OwnDone = ownNext, pos.OwnDone || ownNext == ""
	case i > 0:
		next.Own = own[i-1].ID
	default:
		next.Own = pos.Own
	}
	if next.OwnDone && j == len(cands) {
		return page, "", nil
	}
	raw, err := json.Marshal(next)
	return page, string(raw), err
}

// visibleBroadcasts are the broadcasts memberID sees at now, newest first, posted at or
// before until when bound.
func (s *Service) visibleBroadcasts(ctx context.Context, memberID string, bound bool, until, now time.Time) ([]Broadcast, error) {
	m, found, err := s.Store.GetMember(ctx, memberID)
	if err != nil || !found {
		return nil, err
	}
	since, to := visibleRange(m, now)
	if bound && until.Before(to) {
		to = until
	}
	if to.Before(since) {
		return nil, nil
	}
	bs, err := s.Store.ListBroadcasts(ctx, m.Role, since, to, MaxBroadcasts)
	if err != nil {
		return nil, err
	}
	out := make([]Broadcast, 0, len(bs))
	for _, b := range bs {
		if b.VisibleTo(m, now) {
			out = append(out, b)
		}
	}
	return out, nil
}

// markRead sets read on the broadcasts of page (at the indexes at) from the member's
// read markers.
func (s *Service) markRead(ctx context.Context, memberID string, page []Notification, at []int) error {
	if len(at) == 0 {
		return nil
	}
	ids := make([]string, len(at))
	for k, i := range at {
		ids[k] = page[i].ID
	}
	read, err := s.Store.BroadcastsRead(ctx, memberID, ids)
	if err != nil {
		return err
	}
	for _, i := range at {
		page[i].Read = read[page[i].ID]
	}
	return nil
}
