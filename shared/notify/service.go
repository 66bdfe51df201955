package notify

import (
	"context"
	"net/http"
	"time"

	"etwin/shared/apperr"
	"etwin/shared/clock"
	"etwin/shared/cursor"
	"etwin/shared/httpapi"
	"etwin/shared/mail"
	"etwin/shared/principal"
	"etwin/shared/school"
)

// Service lists notifications, marks them read and delivers their e-mails.
type Service struct {
	Store     Store
	Mail      mail.Sender
	PortalURL string
	Cursors   cursor.Signer
	Now       func() time.Time
}

func (s *Service) now() time.Time { return clock.Now(s.Now) }

// Page is a page of a list.
type Page[T any] = cursor.Page[T]

// List returns the member's notifications, newest first.
func (s *Service) List(ctx context.Context, memberID, cur string, limit int) (Page[Notification], error) {
	after, err := s.Cursors.Resume(cur, memberID, "notifications", s.now())
	if err != nil {
		return Page[Notification]{}, err
	}
	items, next, err := s.Store.ListNotifications(ctx, memberID, after, limit)
	if err != nil {
		return Page[Notification]{}, err
	}
	return cursor.NewPage(s.Cursors, memberID, "notifications", items, next, s.now())
}

func notFound() error { return apperr.NotFound("You have no notification with this id.") }

// MarkRead marks one of the member's notifications read (again: no change, same answer).
func (s *Service) MarkRead(ctx context.Context, memberID, id string) (Notification, error) {
	if !school.ValidID(id) {
		return Notification{}, notFound()
	}
	n, found, err := s.Store.MarkNotificationRead(ctx, memberID, id)
	if err != nil {
		return Notification{}, err
	}
	if !found {
		return Notification{}, notFound()
	}
	return n, nil
}

// HandleList serves GET /v1/notifications.
func (s *Service) HandleList(ctx context.Context, req *httpapi.Request, who principal.Principal) (httpapi.Response, error) {
	limit, err := httpapi.Limit(req)
	if err != nil {
		return httpapi.Response{}, err
	}
	page, err := s.List(ctx, who.MemberID, httpapi.Query(req, "cursor"), limit)
	if err != nil {
		return httpapi.Response{}, err
	}
	return httpapi.JSON(http.StatusOK, page)
}

// HandleRead serves POST /v1/notifications/{id}/read.
func (s *Service) HandleRead(ctx context.Context, req *httpapi.Request, who principal.Principal) (httpapi.Response, error) {
	n, err := s.MarkRead(ctx, who.MemberID, httpapi.PathParam(req, "id"))
	if err != nil {
		return httpapi.Response{}, err
	}
	return httpapi.JSON(http.StatusOK, n)
}

// RetryReport is what a mail-retry run did.
type RetryReport struct {
	Due     int `json:"due"`
	Sent    int `json:"sent"`
	Skipped int `json:"skipped"` // the member turned e-mails off, or is gone
	Failed  int `json:"failed"`
}

// RetryMails sends again the notification e-mails that their request left pending (it was
// cut short after the commit) or that SES refused: the scheduled job behind
// `notification-mail-retry`. Each outcome is recorded as Deliver records it.
func (s *Service) RetryMails(ctx context.Context) (RetryReport, error) {
	var rep RetryReport
	due, err := s.Store.DueNotificationMails(ctx, s.now().Add(-RetryDelay), 500)
	if err != nil {
		return rep, err
	}
	rep.Due = len(due)
	for _, n := range due {
		m, ok, err := s.Store.GetMember(ctx, n.RecipientID)
		if err != nil {
			return rep, err
		}
		to := RecipientOf(m)
		if !ok || !to.WantsEmail {
			if err := s.Store.SetNotificationMail(ctx, n.RecipientID, n.ID, MailOff); err != nil {
				return rep, err
			}
			rep.Skipped++
			continue
		}
		n.Mail = MailPending
		if s.Deliver(ctx, n, to) {
			rep.Sent++
		} else {
			rep.Failed++
		}
	}
	return rep, nil
}
