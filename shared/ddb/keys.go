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

// Word-index keys (schools, forum posts, resources) are built by wordIndex in
// wordindex.go: <index>WORD#<scope>#<stem> / <word>#<order>.

func wordStem(word string) string {
	r := []rune(word)
	if len(r) > 2 {
		r = r[:2]
	}
	return string(r)
}

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
