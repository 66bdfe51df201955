package importer

import "errors"

// What the store reports when an imported line clashes with what is stored.
var (
	// ErrUsernameTaken: another account holds the username (or a pending registration).
	ErrUsernameTaken = errors.New("username is taken by another account")
	// ErrEmailTaken: another account has the e-mail address.
	ErrEmailTaken = errors.New("e-mail address belongs to another account")
	// ErrIdentityChanged: the id is stored with another username, e-mail address, role,
	// or school name/city/country; the import does not rename.
	ErrIdentityChanged = errors.New("id is stored with another identity (username, e-mail, role, or school name, city and country); the import does not rename")
	// ErrCreatedMeanwhile: someone created the same id while the import ran.
	ErrCreatedMeanwhile = errors.New("id was created by someone else meanwhile; import again")
)

// DuplicateSchoolError: another school has the same name in the same city and country.
type DuplicateSchoolError struct{ SchoolID string }

func (e *DuplicateSchoolError) Error() string {
	return "a school with this name is registered in this city already: " + e.SchoolID
}
