package sesmail

import "os"

// configurationSet is the SES configuration set every e-mail is sent through.
func configurationSet() string { return os.Getenv("SES_CONFIGURATION_SET") }
