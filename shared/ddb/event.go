package ddb

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"etwin/shared/event"
)

// eventItem is an event as stored (EVENT#<id> / EVENT). attending is always written (0 at
// creation), so that the capacity condition compares two numbers.
type eventItem struct {
	EventID     string    `dynamodbav:"eventId"`
	EventKind   string    `dynamodbav:"eventKind"` // "kind" is the item's type
	Title       string    `dynamodbav:"title"`
	Description string    `dynamodbav:"description"`
	StartsAt    time.Time `dynamodbav:"startsAt"`
	EndsAt      time.Time `dynamodbav:"endsAt"`
	Language    string    `dynamodbav:"language"`
	Capacity    *int      `dynamodbav:"capacity,omitempty"`
	Attending   int       `dynamodbav:"attending"`
	URL         string    `dynamodbav:"url,omitempty"`
	Place       string    `dynamodbav:"place,omitempty"`
	Country     string    `dynamodbav:"country,omitempty"`
	CreatedBy   string    `dynamodbav:"createdBy"`
	CreatedAt   time.Time `dynamodbav:"createdAt"`
	// Registrations counts every registration ever made (ADD 1 with each, never less: 0
	// at creation); RemindersDone is what it was when the reminders job last found every
	// attendee reminded (absent: never), remindersDoneAt when (event.DueEvent).
	Registrations   int        `dynamodbav:"registrations"`
	RemindersDone   *int       `dynamodbav:"remindersDone,omitempty"`
	RemindersDoneAt *time.Time `dynamodbav:"remindersDoneAt,omitempty"`
	GSI1PK          string     `dynamodbav:"GSI1PK"`
	GSI1SK          string     `dynamodbav:"GSI1SK"`
}

func eventItemOf(e event.Event) eventItem {
	return eventItem{EventID: e.EventID, EventKind: e.Kind, Title: e.Title, Description: e.Description,
		StartsAt: e.StartsAt, EndsAt: e.EndsAt, Language: e.Language, Capacity: e.Capacity, Attending: e.Attending,
		URL: e.URL, Place: e.Place, Country: e.Country, CreatedBy: e.CreatedBy, CreatedAt: e.CreatedAt,
		GSI1PK: eventsGSI1PK(eventsMonth(e.StartsAt)), GSI1SK: eventsGSI1SK(e.StartsAt, e.EventID)}
}

func (it eventItem) event() event.Event {
	return event.Event{EventID: it.EventID, Kind: it.EventKind, Title: it.Title, Description: it.Description,
		StartsAt: it.StartsAt, EndsAt: it.EndsAt, Language: it.Language, Capacity: it.Capacity, Attending: it.Attending,
		URL: it.URL, Place: it.Place, Country: it.Country, CreatedBy: it.CreatedBy, CreatedAt: it.CreatedAt}
}

// attendeeItem is a registration (EVENT#<id> / ATTENDEE#<memberId>). remindedAt is
// written once, by the reminders job, with the attendee's event_reminder notification.
type attendeeItem struct {
	EventID      string     `dynamodbav:"eventId"`
	MemberID     string     `dynamodbav:"memberId"`
	RegisteredAt time.Time  `dynamodbav:"registeredAt"`
	RemindedAt   *time.Time `dynamodbav:"remindedAt,omitempty"`
}

// CreateEvent writes a new event (one conditional PutItem).
func (s *Store) CreateEvent(ctx context.Context, e event.Event) error {
	e.Attending = 0
	it, err := item(eventPK(e.EventID), skEvent, "event", eventItemOf(e))
	if err != nil {
		return err
	}
	return s.transact(ctx, []txItem{s.putNew(it, fail(errBusy))})
}

// GetEvent reads one event (consistent GetItem).
func (s *Store) GetEvent(ctx context.Context, eventID string) (event.Event, bool, error) {
	var it eventItem
	found, err := s.get(ctx, key(eventPK(eventID), skEvent), &it)
	return it.event(), found, err
}

// The phases of an event list: every event ("a"), or the first country's ("c") and then
// the others ("o"). A list position is "<phase>|<GSI1SK>".
const (
	phaseAll    = "a"
	phaseFirst  = "c"
	phaseOthers = "o"
)

// ListEvents reads one page of the events of f in start order: a Query of GSI1 per month of
// the range (EVENTS#<yyyy-mm>, GSI1SK between the range's bounds), from the month of the
// position on; kind, language and the country phase are filter expressions. With first
// set it goes through the range twice, that country's events, then the others. It reads
// up to limit+1 events, so that a full last page is known to be the last.
func (s *Store) ListEvents(ctx context.Context, f event.Filter, first, after string, limit int) ([]event.Event, string, error) {
	phases := []string{phaseAll}
	if first != "" {
		phases = []string{phaseFirst, phaseOthers}
	}
	startPhase, startSK := phases[0], ""
	if after != "" {
		p, sk, ok := strings.Cut(after, "|")
		i := strings.Index(strings.Join(phases, ""), p)
		if !ok || len(p) != 1 || i < 0 || len(sk) < len(keyTime) {
			return nil, "", errors.New("ddb: bad event list position")
		}
		startPhase, startSK = p, sk
	}
	lo := f.From.UTC().Format(keyTime)
	hi := f.To.UTC().Add(-time.Millisecond).Format(keyTime) + "#\x7f"
	type found struct {
		e     event.Event
		phase string
		sk    string
	}
	var out []found
	need := limit + 1
	started := false
	for _, ph := range phases {
		if ph == startPhase {
			started = true
		}
		if !started {
			continue
		}
		resume := ""
		if ph == startPhase {
			resume = startSK
		}
		for m := time.Date(f.From.Year(), f.From.Month(), 1, 0, 0, 0, 0, time.UTC); m.Before(f.To) && len(out) < need; m = m.AddDate(0, 1, 0) {
			month := eventsMonth(m)
			from := ""
			if resume != "" {
				if rm := resume[:7]; month < rm {
					continue
				} else if month == rm {
					from = resume
				}
			}
			items, err := s.eventsOfMonth(ctx, month, lo, hi, f, ph, first, from, need-len(out))
			if err != nil {
				return nil, "", err
			}
			for _, it := range items {
				out = append(out, found{it.event(), ph, it.GSI1SK})
			}
		}
		if len(out) >= need {
			break
		}
	}
	next := ""
	if len(out) > limit {
		last := out[limit-1]
		next = last.phase + "|" + last.sk
		out = out[:limit]
	}
	events := make([]event.Event, len(out))
	for i := range out {
		events[i] = out[i].e
	}
	return events, next, nil
}

// eventsOfMonth Queries GSI1 partition EVENTS#<month> for up to n events of the range
// [lo, hi] passing the filters and the phase, after the position from ("" for the start).
func (s *Store) eventsOfMonth(ctx context.Context, month, lo, hi string, f event.Filter, phase, first, from string, n int) ([]eventItem, error) {
	kc := expression.Key("GSI1PK").Equal(expression.Value(eventsGSI1PK(month))).
		And(expression.Key("GSI1SK").Between(expression.Value(lo), expression.Value(hi)))
	b := expression.NewBuilder().WithKeyCondition(kc)
	var conds []expression.ConditionBuilder
	if f.Kind != "" {
		conds = append(conds, expression.Name("eventKind").Equal(expression.Value(f.Kind)))
	}
	if f.Language != "" {
		conds = append(conds, expression.Name("language").Equal(expression.Value(f.Language)))
	}
	switch phase {
	case phaseFirst:
		conds = append(conds, expression.Name("country").Equal(expression.Value(first)))
	case phaseOthers:
		conds = append(conds, expression.Or(expression.AttributeNotExists(expression.Name("country")),
			expression.Name("country").NotEqual(expression.Value(first))))
	}
	if len(conds) > 0 {
		c := conds[0]
		if len(conds) > 1 {
			c = expression.And(conds[0], conds[1], conds[2:]...)
		}
		b = b.WithFilter(c)
	}
	e, err := b.Build()
	if err != nil {
		return nil, err
	}
	in := &dynamodb.QueryInput{TableName: s.tableName(), IndexName: aws.String("GSI1"), KeyConditionExpression: e.KeyCondition(),
		FilterExpression: e.Filter(), ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values(),
		Limit: aws.Int32(int32(n))}
	if from != "" {
		_, id, _ := strings.Cut(from, "#")
		in.ExclusiveStartKey = key(eventPK(id), skEvent)
		in.ExclusiveStartKey["GSI1PK"] = &types.AttributeValueMemberS{Value: eventsGSI1PK(month)}
		in.ExclusiveStartKey["GSI1SK"] = &types.AttributeValueMemberS{Value: from}
	}
	var raw []map[string]types.AttributeValue
	err = s.queryPages(ctx, in, func(out *dynamodb.QueryOutput) (bool, error) {
		raw = append(raw, out.Items...)
		return len(raw) < n, nil
	})
	if err != nil {
		return nil, err
	}
	if len(raw) > n {
		raw = raw[:n]
	}
	return decode(raw, asIs[eventItem])
}

// Attend implements event.Store: in one transaction the attendance item (absent before:
// else event.ErrAttending), the event's counter (attending + 1 under the condition
// attending < capacity when it has one: else event.ErrFull; registrations + 1), the member's activity item
// (ACTIVITY#<at>#professional_development#, as an imported activity) and, for each school,
// the teacher's latest activity in its summary moved to a.RegisteredAt (activityExpr). When
// a summary holds a later activity already, the transaction is run again without it.
func (s *Store) Attend(ctx context.Context, a event.Attendance, schoolIDs []string) error {
	at := a.RegisteredAt.UTC().Format(activityTime)
	build := func(schools []string) ([]txItem, error) {
		att, err := item(eventPK(a.EventID), attendeeSK(a.MemberID), "eventAttendee",
			attendeeItem{EventID: a.EventID, MemberID: a.MemberID, RegisteredAt: a.RegisteredAt})
		if err != nil {
			return nil, err
		}
		n := expression.Name("attending")
		cond := expression.AttributeExists(expression.Name("PK")).And(expression.Or(
			expression.AttributeNotExists(expression.Name("capacity")), n.LessThan(expression.Name("capacity"))))
		counter, err := s.update(key(eventPK(a.EventID), skEvent),
			expression.NewBuilder().WithUpdate(expression.Add(n, expression.Value(1)).
				Add(expression.Name("registrations"), expression.Value(1))).WithCondition(cond),
			func(old map[string]types.AttributeValue) error {
				if len(old) == 0 {
					return event.ErrNoEvent
				}
				return event.ErrFull
			})
		if err != nil {
			return nil, err
		}
		act, err := item(memberPK(a.MemberID), activitySK(at, activityProfessionalDevelopment, ""), "activity",
			activityItem{MemberID: a.MemberID, Kind: activityProfessionalDevelopment, At: at})
		if err != nil {
			return nil, err
		}
		items := []txItem{s.putNew(att, fail(event.ErrAttending)), counter, s.put(act)}
		for _, sid := range schools {
			u, err := s.update(summaryKey(sid), activityExpr(sid, a.MemberID, at), fail(errLaterActivity))
			if err != nil {
				return nil, err
			}
			items = append(items, u)
		}
		return items, nil
	}
	items, err := build(schoolIDs)
	if err != nil {
		return err
	}
	err = s.transact(ctx, items)
	if !errors.Is(err, errLaterActivity) {
		return err
	}
	var earlier []string
	for _, sid := range schoolIDs {
		res, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: s.tableName(), Key: summaryKey(sid), ConsistentRead: aws.Bool(true),
			ProjectionExpression: aws.String("#a"), ExpressionAttributeNames: map[string]string{"#a": sumActivity + a.MemberID}})
		if err != nil {
			return err
		}
		if v := str(res.Item, sumActivity+a.MemberID); v < at {
			earlier = append(earlier, sid)
		}
	}
	if items, err = build(earlier); err != nil {
		return err
	}
	if err = s.transact(ctx, items); errors.Is(err, errLaterActivity) {
		return errBusy
	}
	return err
}

// activityProfessionalDevelopment is the activity kind of an attendance (docs/import.md).
const activityProfessionalDevelopment = "professional_development"

// Unattend implements event.Store: the attendance deleted (present: else
// event.ErrNotAttending) and the event's counter decreased, in one transaction.
func (s *Store) Unattend(ctx context.Context, eventID, memberID string) error {
	del := txItem{write: types.TransactWriteItem{Delete: &types.Delete{TableName: s.tableName(),
		Key: key(eventPK(eventID), attendeeSK(memberID)), ConditionExpression: aws.String("attribute_exists(PK)")}},
		onFail: fail(event.ErrNotAttending)}
	n := expression.Name("attending")
	counter, err := s.update(key(eventPK(eventID), skEvent),
		expression.NewBuilder().WithUpdate(expression.Add(n, expression.Value(-1))).
			WithCondition(expression.AttributeExists(expression.Name("PK")).And(n.GreaterThan(expression.Value(0)))),
		fail(event.ErrNotAttending))
	if err != nil {
		return err
	}
	return s.transact(ctx, []txItem{del, counter})
}

// EventsStartingIn implements event.Store: a Query of GSI1 EVENTS#<month> for each month
// from after's to through's (one or two for the reminders' day), GSI1SK BETWEEN after and
// through (ms precision; the use case checks the exact bounds), every page.
func (s *Store) EventsStartingIn(ctx context.Context, after, through time.Time) ([]event.DueEvent, error) {
	after, through = after.UTC(), through.UTC()
	lo := after.Format(keyTime)
	hi := through.Format(keyTime) + "#\x7f"
	var out []event.DueEvent
	last := eventsMonth(through)
	for m := time.Date(after.Year(), after.Month(), 1, 0, 0, 0, 0, time.UTC); eventsMonth(m) <= last; m = m.AddDate(0, 1, 0) {
		kc := expression.Key("GSI1PK").Equal(expression.Value(eventsGSI1PK(eventsMonth(m)))).
			And(expression.Key("GSI1SK").Between(expression.Value(lo), expression.Value(hi)))
		e, err := expression.NewBuilder().WithKeyCondition(kc).Build()
		if err != nil {
			return nil, err
		}
		in := &dynamodb.QueryInput{TableName: s.tableName(), IndexName: aws.String("GSI1"), KeyConditionExpression: e.KeyCondition(),
			ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values()}
		err = s.queryPages(ctx, in, func(page *dynamodb.QueryOutput) (bool, error) {
			items, err := decode(page.Items, asIs[eventItem])
			for _, it := range items {
				d := event.DueEvent{Event: it.event(), Registrations: it.Registrations, RemindersDone: -1}
				if it.RemindersDone != nil {
					d.RemindersDone = *it.RemindersDone
				}
				out = append(out, d)
			}
			return true, err
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// UnremindedAttendees implements event.Store: a consistent Query of EVENT#<id>,
// begins_with(SK, ATTENDEE#), FilterExpression attribute_not_exists(remindedAt), every page.
func (s *Store) UnremindedAttendees(ctx context.Context, eventID string) ([]event.Attendance, error) {
	kc := expression.Key("PK").Equal(expression.Value(eventPK(eventID))).And(expression.Key("SK").BeginsWith(prefixAttendee))
	e, err := expression.NewBuilder().WithKeyCondition(kc).WithFilter(expression.AttributeNotExists(expression.Name("remindedAt"))).Build()
	if err != nil {
		return nil, err
	}
	in := &dynamodb.QueryInput{TableName: s.tableName(), KeyConditionExpression: e.KeyCondition(), FilterExpression: e.Filter(),
		ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values(), ConsistentRead: aws.Bool(true)}
	var out []event.Attendance
	err = s.queryPages(ctx, in, func(page *dynamodb.QueryOutput) (bool, error) {
		items, err := decode(page.Items, func(it attendeeItem) event.Attendance {
			return event.Attendance{EventID: it.EventID, MemberID: it.MemberID, RegisteredAt: it.RegisteredAt}
		})
		out = append(out, items...)
		return true, err
	})
	return out, err
}

// Remind implements event.Store: one transaction of, per reminder, an Update of the
// attendance SET remindedAt under attribute_exists(PK) AND attribute_not_exists(remindedAt)
// (else event.ErrReminded) and the notification's items (notificationItems).
func (s *Store) Remind(ctx context.Context, eventID string, rs []event.Reminder, at time.Time) error {
	items := make([]txItem, 0, 3*len(rs))
	for _, r := range rs {
		u, err := s.update(key(eventPK(eventID), attendeeSK(r.MemberID)), expression.NewBuilder().
			WithUpdate(expression.Set(expression.Name("remindedAt"), expression.Value(at.UTC()))).
			WithCondition(expression.AttributeExists(expression.Name("PK")).And(expression.AttributeNotExists(expression.Name("remindedAt")))),
			fail(event.ErrReminded))
		if err != nil {
			return err
		}
		ns, err := s.notificationItems(r.Notice)
		if err != nil {
			return err
		}
		items = append(append(items, u), ns...)
	}
	if len(items) == 0 {
		return nil
	}
	return s.transact(ctx, items)
}

// MarkRemindersDone implements event.Store: one UpdateItem of the event SET remindersDone,
// remindersDoneAt under attribute_exists(PK) AND registrations = :r (for 0 also when the
// attribute is absent: events written before it was counted).
func (s *Store) MarkRemindersDone(ctx context.Context, eventID string, registrations int, at time.Time) (bool, error) {
	reg := expression.Name("registrations")
	same := reg.Equal(expression.Value(registrations))
	if registrations == 0 {
		same = expression.Or(expression.AttributeNotExists(reg), same)
	}
	failed, err := s.updateItem(ctx, key(eventPK(eventID), skEvent), expression.NewBuilder().
		WithUpdate(expression.Set(expression.Name("remindersDone"), expression.Value(registrations)).
			Set(expression.Name("remindersDoneAt"), expression.Value(at.UTC()))).
		WithCondition(expression.AttributeExists(expression.Name("PK")).And(same)), nil)
	return !failed, err
}
