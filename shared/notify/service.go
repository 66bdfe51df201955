package notify

import (
	"context"
	"log/slog"
	"time"

	"etwin/shared/apperr"
	"etwin/shared/clock"
	"etwin/shared/cursor"
	"etwin/shared/mail"
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

// RetryReport is what a mail-retry run did.
type RetryReport struct {
	Due     int `json:"due"`
	Sent    int `json:"sent"`
	Skipped int `json:"skipped"` // the member turned e-mails off, or is gone
	Failed  int `json:"failed"`  // refused, or given up after MaxMailAttempts
	Held    int `json:"held"`    // claimed by another run (or finished by one since read)
}

// RetryMails sends again the notification e-mails that their request left pending (it was
// cut short after the commit) or that SES refused: the scheduled job behind
// `notification-mail-retry`. Each e-mail is claimed before it is sent (one conditional
// write on the notification, leased for MailLease), so that of two overlapping runs
// only one sends it; the outcome is recorded on the claim afterwards. A run that dies
// between its claim and its record leaves the claim to expire: a later run takes the
// e-mail over (the lost attempt counts).
func (s *Service) RetryMails(ctx context.Context) (RetryReport, error) {
	var rep RetryReport
	due, err := s.Store.DueNotificationMails(ctx, s.now().Add(-RetryDelay), 500)
	if err != nil {
		return rep, err
	}
	rep.Due = len(due)
	for _, d := range due {
		n := d.Notification
		now := s.now()
		claimed, err := s.Store.ClaimNotificationMail(ctx, n.RecipientID, n.ID, d.Attempts, now, now.Add(MailLease))
		if err != nil {
			return rep, err
		}
		if !claimed {
			rep.Held++
			continue
		}
		state, err := s.retryOne(ctx, d)
		if err != nil {
			return rep, err // the claim expires and a later run takes the e-mail over
		}
		switch state {
		case MailSent:
			rep.Sent++
		case MailOff:
			rep.Skipped++
		default:
			rep.Failed++
		}
		rec, cancel := recording(ctx)
		recorded, err := s.Store.FinishNotificationMail(rec, n.RecipientID, n.ID, d.Attempts+1, state)
		cancel()
		if err != nil {
			return rep, err
		}
		if !recorded {
			slog.WarnContext(ctx, "a notification e-mail claim ran past its lease", "notificationId", n.ID, "state", state)
		}
	}
	return rep, nil
}

// retryOne is the outcome of one claimed attempt: off for a member who turned e-mails
// off or is gone, failed without sending when the attempts are used up (the last one's
// run never recorded it), else what the send gave.
func (s *Service) retryOne(ctx context.Context, d DueMail) (string, error) {
	if d.Attempts >= MaxMailAttempts {
		return MailFailed, nil
	}
	m, ok, err := s.Store.GetMember(ctx, d.RecipientID)
	if err != nil {
		return "", err
	}
	to := RecipientOf(m)
	if !ok || !to.WantsEmail {
		return MailOff, nil
	}
	return s.send(ctx, d.Notification, to), nil
}
