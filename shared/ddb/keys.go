package ddb

// Every key of the table is built here (see docs/data-model.md).

const (
	skRegistration = "REG"
	skUsername     = "USERNAME"
	skEmail        = "EMAIL"
	skProfile      = "PROFILE"
	skSchool       = "SCHOOL"
	skSchoolName   = "SCHOOLNAME"
	skReset        = "RESET"
	prefixSession  = "SESSION#"
)

func regPK(tokenHash string) string         { return "REG#" + tokenHash }
func usernamePK(folded string) string       { return "USERNAME#" + folded }
func emailPK(emailKey string) string        { return "EMAIL#" + emailKey }
func memberPK(memberID string) string       { return "MEMBER#" + memberID }
func sessionSK(tokenHash string) string     { return prefixSession + tokenHash }
func schoolPK(schoolID string) string       { return "SCHOOL#" + schoolID }
func schoolMemberSK(memberID string) string { return "MEMBER#" + memberID }
func resetPK(tokenHash string) string       { return "RESET#" + tokenHash }

// schoolNamePK is the duplicate-school guard: one school per country, city and folded name.
func schoolNamePK(country, foldedCity, foldedName string) string {
	return "SCHOOLNAME#" + country + "#" + foldedCity + "#" + foldedName
}

// schoolWordPK partitions the school-name word index by scope (a country code, or "ALL")
// and the first two letters of the word; the sort key is word#schoolId.
func schoolWordPK(scope, word string) string    { return "SCHOOLWORD#" + scope + "#" + wordStem(word) }
func schoolWordSK(word, schoolID string) string { return word + "#" + schoolID }

func wordStem(word string) string {
	r := []rune(word)
	if len(r) > 2 {
		r = r[:2]
	}
	return string(r)
}

// The member search index (docs/data-model.md): a teacher under each folded word of their
// and their schools' names, partitioned by the word's first two letters (SK word#memberId),
// and under each category value and "all" in name order (SK "<folded last first>#memberId").
const memberAllPK = "MCAT#all"

func memberWordPK(word string) string              { return "MWORD#" + wordStem(word) }
func memberWordSK(word, memberID string) string    { return word + "#" + memberID }
func memberCatPK(kind, value string) string        { return "MCAT#" + kind + "#" + value }
func memberCatSK(sortName, memberID string) string { return sortName + "#" + memberID }
