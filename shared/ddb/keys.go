package ddb

import (
	"fmt"
	"hash/fnv"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Every key of the table is built here (see docs/data-model.md).

// key is the primary key of an item.
func key(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: pk}, "SK": &types.AttributeValueMemberS{Value: sk}}
}

// keyRef is an item's key as one string, "PK|SK": a member item's indexKeys hold the keys
// of its search-index entries so, and batchGet returns the items it read by it.
func keyRef(pk, sk string) string { return pk + "|" + sk }

// splitKey is the key of a keyRef.
func splitKey(ref string) map[string]types.AttributeValue {
	pk, sk, _ := strings.Cut(ref, "|")
	return key(pk, sk)
}

// newestFirst is a sort-key part that orders things newest first: a fixed-width
// descending time key, then the id.
func newestFirst(t time.Time, id string) string {
	return fmt.Sprintf("%016x#%s", math.MaxInt64-t.UnixNano(), id)
}

const (
	skRegistration = "REG"
	skUsername     = "USERNAME"
	skEmail        = "EMAIL"
	skPendingHolds = "PENDINGHOLDS" // beside the e-mail guard: the address's pending usernames
	skProfile      = "PROFILE"
	skSchool       = "SCHOOL"
	skSchoolName   = "SCHOOLNAME"
	skReset        = "RESET"
	prefixSession  = "SESSION#"
	prefixPost     = "POST#"
	prefixReply    = "REPLY#"
	skResource     = "RESOURCE"
	prefixResource = "RESOURCE#"
)

func regPK(tokenHash string) string         { return "REG#" + tokenHash }
func usernamePK(folded string) string       { return "USERNAME#" + folded }
func emailPK(emailKey string) string        { return "EMAIL#" + emailKey }
func memberPK(memberID string) string       { return "MEMBER#" + memberID }
func sessionSK(tokenHash string) string     { return prefixSession + tokenHash }
func schoolPK(schoolID string) string       { return "SCHOOL#" + schoolID }
func schoolMemberSK(memberID string) string { return "MEMBER#" + memberID }
func resetPK(tokenHash string) string       { return "RESET#" + tokenHash }

// A forum is one partition of posts, newest first by their time-ordered ids; each post's
// replies are a partition of their own.
func forumPK(ageGroup string) string { return "FORUM#" + ageGroup }
func postSK(postID string) string    { return prefixPost + postID }
func repliesPK(postID string) string { return "FORUMPOST#" + postID }
func replySK(replyID string) string  { return prefixReply + replyID }

// schoolNamePK is the duplicate-school guard: one school per country, city and folded name.
func schoolNamePK(country, foldedCity, foldedName string) string {
	return "SCHOOLNAME#" + country + "#" + foldedCity + "#" + foldedName
}

// Word-index keys (schools, forum posts, resources, see wordindex.go):
// <index>WORD#<scope>#<stem> / <word>#<order>.
func (ix wordIndex) pk(scope, word string) string {
	return string(ix) + "WORD#" + scope + "#" + wordStem(word)
}
func (ix wordIndex) sk(word, order string) string { return word + "#" + order }

func wordStem(word string) string {
	r := []rune(word)
	if len(r) > 2 {
		r = r[:2]
	}
	return string(r)
}

// idempotencyPK holds one Idempotency-Key of one caller (scope: "public" or "member#<id>").
func idempotencyPK(scope, keyHash string) string { return "IDEMPOTENCY#" + scope + "#" + keyHash }

const skIdempotency = "IDEMPOTENCY"

// The counters of one scope ("ALL" or a country code) are statsShards items, each in a
// partition of its own (every registration adds to "ALL": one partition would cap the
// rate), STATS#<scope>#<nn> / COUNT, and the totals a bulk import wrote once, in
// STATS#<scope>#00 / BULK (stats.go).
func statsPK(scope string, shard int) string { return fmt.Sprintf("STATS#%s#%02d", scope, shard) }

const (
	skStatsCount = "COUNT"
	skStatsBulk  = "BULK"
)

// Projects (docs/data-model.md "Projects and TwinSpace"): the project, its partners, its
// TwinSpace pages and its labels share the partition PROJECT#<id>, so that one Query reads
// a whole TwinSpace.
const (
	skProject           = "PROJECT"
	prefixProject       = "PROJECT#"
	prefixProjectMember = "MEMBER#"
	prefixProjectPage   = "PAGE#"
	prefixProjectLabel  = "LABEL#"
)

func projectPK(projectID string) string      { return prefixProject + projectID }
func projectMemberSK(memberID string) string { return prefixProjectMember + memberID }
func projectPageSK(createdAt, pageID string) string {
	return prefixProjectPage + createdAt + "#" + pageID
}
func projectLabelSK(kind, schoolID string) string { return prefixProjectLabel + kind + "#" + schoolID }

// projectIDOf is the project id of a PROJECT#<id> partition key.
func projectIDOf(pk string) string { return strings.TrimPrefix(pk, prefixProject) }

// memberProjectsGSI1PK lists a member's projects on GSI1 (the partner items carry it);
// GSI1SK is memberProjectsGSI1SK(createdAt, projectID), newest last.
func memberProjectsGSI1PK(memberID string) string { return "MEMBERPROJECTS#" + memberID }
func memberProjectsGSI1SK(createdAt, projectID string) string {
	return prefixProject + createdAt + "#" + projectID
}

// memberProjectsStart is where the member's projects on GSI1 go on after the entry at
// position after (its GSI1SK): the partner item's table key and its GSI1 key.
func memberProjectsStart(memberID, after string) map[string]types.AttributeValue {
	projectID := after[strings.LastIndexByte(after, '#')+1:]
	k := key(projectPK(projectID), projectMemberSK(memberID))
	k["GSI1PK"] = &types.AttributeValueMemberS{Value: memberProjectsGSI1PK(memberID)}
	k["GSI1SK"] = &types.AttributeValueMemberS{Value: after}
	return k
}

// nsoQueuePK is an NSO's queue of projects awaiting its decision; the sort key orders by
// the time the project reached the NSOs.
func nsoQueuePK(country string) string                { return "NSOQUEUE#" + country }
func nsoQueueSK(submittedAt, projectID string) string { return submittedAt + "#" + projectID }

// schoolLabelSK is a quality label seen from the school (certification reads them there).
func schoolLabelSK(projectID, kind string) string { return "LABEL#" + projectID + "#" + kind }

// Notifications live in their recipient's partition; the id sorts by time, so a
// descending Query lists them newest first.
const prefixNotification = "NOTIF#"

func notificationSK(id string) string { return prefixNotification + id }

// Contacts (see docs/data-model.md): the pair guard of two members, the request, the
// pending-request list entries of both members, the contact entries and the daily
// counter of requests sent.
const (
	skContactPair     = "PAIR"
	skContactRequest  = "REQUEST"
	prefixRequestIn   = "CREQIN#"
	prefixRequestOut  = "CREQOUT#"
	prefixContact     = "CONTACT#"
	prefixRequestsDay = "CREQDAY#"
)

// contactPairPK is the same for (a, b) and (b, a): the ids in sorted order.
func contactPairPK(a, b string) string {
	if b < a {
		a, b = b, a
	}
	return "CONTACTPAIR#" + a + "#" + b
}
func contactRequestPK(requestID string) string { return "CONTACTREQ#" + requestID }
func requestInSK(requestID string) string      { return prefixRequestIn + requestID }
func requestOutSK(requestID string) string     { return prefixRequestOut + requestID }
func contactSK(memberID string) string         { return prefixContact + memberID }
func requestsDaySK(day string) string          { return prefixRequestsDay + day }

// A resource is one item; copies of it sit in the list partitions its filters read
// (all, its theme, its language, both), newest first by its time-ordered id.
func resourcePK(resourceID string) string     { return "RESOURCE#" + resourceID }
func resourceListSK(resourceID string) string { return prefixResource + resourceID }

// resourceListPK is the list partition of a filter ("" for any theme or language).
func resourceListPK(theme, language string) string {
	switch {
	case theme != "" && language != "":
		return "RESOURCES#THEME#" + theme + "#LANG#" + language
	case theme != "":
		return "RESOURCES#THEME#" + theme
	case language != "":
		return "RESOURCES#LANG#" + language
	}
	return "RESOURCES#ALL"
}

// resourceListPKs are the four list partitions a resource appears in.
func resourceListPKs(theme, language string) []string {
	return []string{resourceListPK("", ""), resourceListPK(theme, ""), resourceListPK("", language), resourceListPK(theme, language)}
}

// The member search (docs/data-model.md, memberindex.go):
//   - every teacher's member item is on GSI2 (which projects only its memberCard) under
//     one of memberShards partitions (by a hash of the member id), GSI2SK
//     "<folded last first>#memberId": all teachers in name order is a merge of those
//     partitions;
//   - the name-word index files a teacher under each word of their own names,
//     MWORD#<first 2 letters>#<shard> / <word>#memberId, in memberWordShards shards so
//     that a common stem's writes spread over several partitions.
const (
	memberShards     = 16
	memberWordShards = 4
)

// shardOf spreads ids over n shards (FNV-1a: stable across runs and machines).
func shardOf(id string, n int) int {
	h := fnv.New32a()
	h.Write([]byte(id))
	return int(h.Sum32() % uint32(n))
}

func memberAllPK(shard int) string                   { return fmt.Sprintf("MALL#%02d", shard) }
func memberSortKey(sortName, memberID string) string { return sortName + "#" + memberID }
func memberWordPK(word string, shard int) string {
	return "MWORD#" + wordStem(word) + "#" + strconv.Itoa(shard)
}
func memberWordSK(word, memberID string) string { return word + "#" + memberID }

// keyTime is the fixed-width time format of sort keys (string order = time order).
const keyTime = "2006-01-02T15:04:05.000Z"

// projectRemindersGSI1PK: projects with a reminder still to send carry it on GSI1 (a sparse
// index entry on the project item, GSI1SK projectReminderGSI1SK(dueAt, projectID)); the
// daily job reads the entries due with one Query.
const projectRemindersGSI1PK = "PROJECTREMINDERS"

func projectReminderGSI1SK(dueAt, projectID string) string { return dueAt + "#" + projectID }

// projectRemindersDueBy bounds the entries due at now: GSI1SK <= it (DEL, 0x7f, sorts
// after every character an id may hold, '~' included).
func projectRemindersDueBy(now time.Time) string {
	return projectReminderGSI1SK(now.UTC().Format(keyTime), "\x7f")
}

// nsoAccountsPK lists a country's NSO accounts (SK MEMBER#<memberId>), written with the
// account, so that reminders reach them with one Query.
func nsoAccountsPK(country string) string { return "NSOACCOUNTS#" + country }

// The outbox: one item per e-mail (PK OUTBOX#<id>, SK OUTBOX), the only items the
// table's stream filter lets through to the mail-sender.
const skOutbox = "OUTBOX"

func outboxPK(id string) string { return "OUTBOX#" + id }

// Suppressed addresses (bounces, complaints), by the address's hash.
const skSuppressed = "SUPPRESSED"

func suppressedPK(address string) string { return "SUPPRESSED#" + emailKey(address) }

// Stranger-caused mail counted per address's hash, per hour and per day.
func mailCountPK(address string) string  { return "MAILCOUNT#" + emailKey(address) }
func mailCountHourSK(t time.Time) string { return "H#" + t.UTC().Format("2006010215") }
func mailCountDaySK(t time.Time) string  { return "D#" + t.UTC().Format("20060102") }

// The certification rounds are one small partition, one item per year: PUT reads and
// writes its year's item, "current" Queries the partition newest year first.
const (
	pkCertWindows      = "CERTWINDOWS"
	prefixCertWindowSK = "WINDOW#"
)

func certWindowSK(year int) string { return fmt.Sprintf("%s%04d", prefixCertWindowSK, year) }

// Imported activities sit in their member's partition (SK ACTIVITY#<at>#<kind>#<schoolId>,
// oldest first; schoolId empty when the activity counts for each of the member's schools);
// each school's activity summary is one item in the school's partition.
const (
	prefixActivity    = "ACTIVITY#"
	skActivitySummary = "ACTIVITYSUMMARY"
)

func activitySK(at, kind, schoolID string) string {
	return prefixActivity + at + "#" + kind + "#" + schoolID
}

// The eligibility sweep (stage 1) and the applications (stage 2) of the eTwinning School
// label. Each school's summary (SK ACTIVITYSUMMARY) carries GSI1PK sweepShardPK(n) and
// GSI1SK its school id, so the sweep Queries SweepShards segments in parallel, each one
// partition of GSI1; a segment's checkpoint sits beside its round.
const SweepShards = 16

func sweepShardPK(shard int) string { return fmt.Sprintf("SWEEP#%02d", shard) }

// sweepShardOf spreads schools over the shards (FNV-1a of the id).
func sweepShardOf(schoolID string) int { return shardOf(schoolID, SweepShards) }

func sweepCheckpointSK(year, shard int) string { return fmt.Sprintf("SWEEP#%04d#%02d", year, shard) }

// A school's verdict in a round (SCHOOL#<id> / CERTVERDICT#<year>), its application
// (CERTAPP#<year>) and, once approved, its label (CERTLABEL#<year>); an invitation sent to
// one of its teachers (CERTINVITE#<year>#<memberId>) exists once.
func certVerdictSK(year int) string { return fmt.Sprintf("CERTVERDICT#%04d", year) }
func certAppSK(year int) string     { return fmt.Sprintf("CERTAPP#%04d", year) }
func certLabelSK(year int) string   { return fmt.Sprintf("CERTLABEL#%04d", year) }

const prefixCertLabel = "CERTLABEL#"

func certInviteSK(year int, memberID string) string {
	return fmt.Sprintf("CERTINVITE#%04d#%s", year, memberID)
}

// A step the certification-window job took for a round (once each), beside the round.
func certStepSK(year int, step string) string { return fmt.Sprintf("STEP#%04d#%s", year, step) }

// Broadcasts (notify.Broadcast: one notification to a whole audience, never one item per
// member): the broadcast under its id (BROADCAST#<id> / BROADCAST, put if absent, so
// posting an id again writes nothing), its entry in its audience's small list partition
// (BROADCASTS#<audience> / <createdAt keyTime>#<id>, newest first with a descending
// Query), and each member's read marker in their own partition (READ#<broadcastId>).
const (
	skBroadcast         = "BROADCAST"
	prefixBroadcastRead = "READ#"
)

func broadcastPK(id string) string        { return "BROADCAST#" + id }
func broadcastsPK(audience string) string { return "BROADCASTS#" + audience }
func broadcastListSK(createdAt time.Time, id string) string {
	return createdAt.UTC().Format(keyTime) + "#" + id
}
func broadcastReadSK(id string) string { return prefixBroadcastRead + id }

// broadcastListRange bounds the list entries posted in [since, until] (to the
// millisecond): lo sorts before every id at since, hi after every id at until (DEL, 0x7f,
// sorts after every character an id may hold).
func broadcastListRange(since, until time.Time) (lo, hi string) {
	return broadcastListSK(since, ""), broadcastListSK(until, "\x7f")
}

// Stage 2 (applications, shared/ddb/application.go). A submitted application is an entry
// of its country's NSO queue (CERTQUEUE#<country> / <submittedAt>#<schoolId>, oldest
// first). An application with a reminder still possible, or notifications still to write,
// carries a sparse GSI1 entry: GSI1PK certRemindersGSI1PK(year, list) (list DRAFT,
// SUBMITTED or NOTIFY, certification.ReminderIndex), GSI1SK certReminderGSI1SK(at,
// schoolId); the reminders Query the entries due.
func certQueuePK(country string) string { return "CERTQUEUE#" + country }
func certQueueSK(submittedAt time.Time, schoolID string) string {
	return submittedAt.UTC().Format(keyTime) + "#" + schoolID
}
func certRemindersGSI1PK(year int, list string) string {
	return fmt.Sprintf("CERTREMIND#%04d#%s", year, list)
}
func certReminderGSI1SK(at time.Time, schoolID string) string {
	return at.UTC().Format(keyTime) + "#" + schoolID
}

// certRemindersDueBy bounds the entries due by t: GSI1SK <= it (DEL sorts after every id).
func certRemindersDueBy(t time.Time) string { return certReminderGSI1SK(t, "\x7f") }

// Decision links (package action): ACTION#<token hash> / ACTION.
const skAction = "ACTION"

func actionPK(hash string) string { return "ACTION#" + hash }

// Events (professional development, shared/ddb/event.go): EVENT#<id> / EVENT, and the
// attendees beside it (EVENT#<id> / ATTENDEE#<memberId>). The event item carries GSI1PK
// eventsGSI1PK(start) (one partition per month of start) and GSI1SK
// eventsGSI1SK(start, id), so a range of starts is one Query per month, in start order.
const (
	skEvent        = "EVENT"
	prefixAttendee = "ATTENDEE#"
)

func eventPK(id string) string          { return "EVENT#" + id }
func attendeeSK(memberID string) string { return prefixAttendee + memberID }
func eventsMonth(t time.Time) string    { return t.UTC().Format("2006-01") }
func eventsGSI1PK(month string) string  { return "EVENTS#" + month }
func eventsGSI1SK(start time.Time, id string) string {
	return start.UTC().Format(keyTime) + "#" + id
}

// Teachers' rooms (shared/ddb/room.go). A room is ROOM#<roomId> / ROOM; in its partition
// each participant is PART#<memberId>, each invitation INVITE#<memberId> and each post
// POST#<postId> (oldest first: post ids sort by time). Each participant has an entry in
// their own partition, MEMBER#<memberId> / MYROOM#<roomOrder>, written and deleted with
// the participation; an open room's item carries the sparse GSI1 entry GSI1PK OPENROOMS,
// GSI1SK roomOrder. roomOrder (newestFirst) is the same position in both lists, so
// GET /v1/rooms merges the two Queries by it.
const (
	skRoom           = "ROOM"
	prefixRoomPart   = "PART#"
	prefixRoomInvite = "INVITE#"
	prefixRoomPost   = "POST#"
	prefixMyRoom     = "MYROOM#"
	openRoomsGSI1PK  = "OPENROOMS"
)

func roomPK(roomID string) string             { return "ROOM#" + roomID }
func roomPartSK(memberID string) string       { return prefixRoomPart + memberID }
func roomInviteSK(memberID string) string     { return prefixRoomInvite + memberID }
func roomPostSK(postID string) string         { return prefixRoomPost + postID }
func roomOrder(t time.Time, id string) string { return newestFirst(t, id) }
func myRoomSK(order string) string            { return prefixMyRoom + order }

// roomOfOrder is the room id in a roomOrder ("<hex>#<roomId>").
func roomOfOrder(order string) string {
	if i := strings.IndexByte(order, '#'); i >= 0 {
		return order[i+1:]
	}
	return ""
}

// Moderation (shared/ddb/moderation.go). A moderation removal's record is
// MODLOG#<country> / <removedAt>#<id>, one item per country of the author's schools
// (MODLOG#NONE when they have none), so each NSO reads its country's partition; the first
// of them carries GSI1PK MODLOG, GSI1SK the same sort key: the CSS's list of every
// country. Removals are rare, so the one GSI1 partition is enough.
const modlogGSI1PK = "MODLOG"

func modlogPK(country string) string          { return "MODLOG#" + country }
func modlogSK(at time.Time, id string) string { return at.UTC().Format(keyTime) + "#" + id }

// Room expiry (shared/ddb/room_expiry.go). Each room that is not closed has one expiry
// entry, ROOM#<roomId> / EXPIRY, written with the room, moved by its extension and its
// warning, deleted by its closing; it carries the sparse GSI1 entry GSI1PK ROOMDUE, GSI1SK
// roomDueGSI1SK(dueAt, roomId), dueAt being the room's next step (room.Room.DueAt: the
// warning a week before the expiry until it is sent, then the expiry). The room item's
// own GSI1 slot holds OPENROOMS, hence a separate item. The room-expiry job Queries the
// entries due (GSI1SK <= roomsDueBy(now)): its cost grows with the rooms due, not with
// all rooms.
const (
	skRoomExpiry  = "EXPIRY"
	roomDueGSI1PK = "ROOMDUE"
)

func roomDueGSI1SK(dueAt time.Time, roomID string) string {
	return dueAt.UTC().Format(keyTime) + "#" + roomID
}

// roomsDueBy bounds the entries due at now: GSI1SK <= it (DEL sorts after every id).
func roomsDueBy(now time.Time) string { return now.UTC().Format(keyTime) + "#\x7f" }

// The checkpoints of bulk imports, one partition (a handful of items: one per file ever
// imported in bulk), IMPORTS / <the file's SHA-256>.
const importsPK = "IMPORTS"

// TwinSpace files (docs/data-model.md "TwinSpace files"): PROJECT#<id> / FILE#<fileId>,
// in the project's partition; file ids sort by creation, so one Query lists them.
const prefixProjectFile = "FILE#"

func projectFileSK(fileID string) string { return prefixProjectFile + fileID }

// Pupils (shared/ddb/pupil.go): a project's pupils are one partition, PUPILS#<projectId> /
// PUPIL#<pupilId>, apart from the project's own (GET .../twinspace reads that one whole).
const prefixPupil = "PUPIL#"

func projectPupilsPK(projectID string) string { return "PUPILS#" + projectID }
func pupilSK(pupilID string) string           { return prefixPupil + pupilID }
