package bench

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"etwin/shared/room"
	"etwin/shared/token"
)

// roomScenarios are the teachers' rooms: creating one, listing (the caller's rooms merged
// with the open ones), posting and reading the posts.
func roomScenarios() []*scenario {
	return []*scenario{
		{Function: "room-create", Gateway: true,
			prepare: func(ctx context.Context, ds *dataset, _ []*seedMember, n int) ([]request, error) {
				toks, err := ds.sessions(ctx, ds.general)
				return each(n, func(i int) request {
					return request{Want: http.StatusCreated, Token: toks[i%len(toks)], Body: map[string]any{
						"title": fmt.Sprintf("Water in schools %d", i), "description": "Projects about water, for 12-15.",
						"language": "en", "tags": []string{"water", "stem"}}}
				}), err
			}},
		{Function: "rooms-list", Variant: "own and open rooms", Gateway: true,
			prepare: func(ctx context.Context, ds *dataset, _ []*seedMember, n int) ([]request, error) {
				toks, err := ds.sessions(ctx, ds.general)
				if err != nil {
					return nil, err
				}
				if _, err := ds.rooms(ctx, 3); err != nil {
					return nil, err
				}
				return each(n, func(i int) request { return request{Want: http.StatusOK, Token: toks[i%len(toks)]} }), nil
			}},
		{Function: "rooms-list", Variant: "tag and language",
			prepare: func(ctx context.Context, ds *dataset, _ []*seedMember, n int) ([]request, error) {
				toks, err := ds.sessions(ctx, ds.general)
				if err != nil {
					return nil, err
				}
				if _, err := ds.rooms(ctx, 3); err != nil {
					return nil, err
				}
				return each(n, func(i int) request {
					return request{Want: http.StatusOK, Token: toks[i%len(toks)], Query: map[string]string{"tag": "stem", "language": "en"}}
				}), nil
			}},
		{Function: "room-post-create", Gateway: true,
			prepare: func(ctx context.Context, ds *dataset, _ []*seedMember, n int) ([]request, error) {
				toks, err := ds.sessions(ctx, ds.general)
				if err != nil {
					return nil, err
				}
				ids, err := ds.rooms(ctx, 1)
				return each(n, func(i int) request {
					m := i % len(toks)
					return request{Want: http.StatusCreated, Token: toks[m], Params: map[string]string{"roomId": ids[m][0]},
						Body: map[string]string{"body": fmt.Sprintf("Our pupils measured the river today (%d).", i)}}
				}), err
			}},
		{Function: "room-posts-list", Gateway: true,
			prepare: func(ctx context.Context, ds *dataset, _ []*seedMember, n int) ([]request, error) {
				toks, err := ds.sessions(ctx, ds.general)
				if err != nil {
					return nil, err
				}
				ids, err := ds.rooms(ctx, 1)
				return each(n, func(i int) request {
					m := i % len(toks)
					return request{Want: http.StatusOK, Token: toks[m], Params: map[string]string{"roomId": ids[m][0]}}
				}), err
			}},
	}
}

// rooms creates k rooms for each general member (k-1 private, the last open, so every
// list merges both kinds), each with 25 posts, and returns their ids by member.
func (ds *dataset) rooms(ctx context.Context, k int) ([][]string, error) {
	ids := make([][]string, len(ds.general))
	err := parallel(ctx, len(ds.general), ds.workers, func(i int) error {
		m := ds.general[i]
		creator := room.Person{MemberID: m.ID, FirstName: m.FirstName, LastName: m.LastName}
		for j := range k {
			now := time.Now().UTC()
			r := room.Room{RoomID: token.TimeID("rm-", now), Title: fmt.Sprintf("Room %d of %s", j, m.FirstName),
				Description: "A bench room.", Language: "en", Tags: []string{"stem", "water"}, Open: k > 1 && j == k-1,
				Creator: creator, CreatedAt: now, ExpiresAt: now.AddDate(0, room.Active, 0), Participants: 1}
			if err := ds.store.CreateRoom(ctx, r); err != nil {
				return err
			}
			for p := range 25 {
				at := now.Add(time.Duration(p) * time.Millisecond)
				if err := ds.store.CreateRoomPost(ctx, room.Post{PostID: token.TimeID("rp-", at), RoomID: r.RoomID,
					Body: "A post of the bench.", Author: creator, CreatedAt: at}); err != nil {
					return err
				}
			}
			ids[i] = append(ids[i], r.RoomID)
		}
		return nil
	})
	return ids, err
}
