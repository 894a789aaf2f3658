package record

// Notice kinds.
const (
	NoticeWrongSubject = "wrong-subject"      // entries whose subject is not this person: dropped, never merged
	NoticeDuplicates   = "duplicate-patients" // several Patient records with one NHS number on one back end: all read
	NoticeLinked       = "linked-patient"     // a Patient.link (replaced-by, seealso) followed
)

// Notice is one thing a back end did that the user should know about.
type Notice struct {
	Backend string `json:"backend"`
	Kind    string `json:"kind"` // Notice* constants
	Text    string `json:"text"` // one line, in plain words
}
