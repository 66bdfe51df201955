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

// Word-index keys (schools, forum posts, resources) are built by wordIndex in
// wordindex.go: <index>WORD#<scope>#<stem> / <word>#<order>.

func wordStem(word string) string {
	r := []rune(word)
	if len(r) > 2 {
		r = r[:2]
	}
	return string(r)
}
